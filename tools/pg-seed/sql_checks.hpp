#pragma once
/// The checks every SQL statement of a seed file passes, before loading (check_file) and as
/// it loads: no psql meta-command but pg_dump's \restrict pair, nothing unterminated, no COPY
/// ... TO STDOUT, COPY data starting on the line after its statement, and no transaction
/// control that would end pg-seed's own transaction. A failure is exit 6 naming file:line.

#include <cstddef>
#include <optional>
#include <string>

#include "tools/pg-seed/sql_splitter.hpp"

namespace pgkit {

/// What pg-seed does with what the splitter returned.
enum class Disposition {
    run,             ///< send it as it is
    skip,            ///< send nothing: pg_dump's \restrict lines, a BEGIN inside a block
    open_block,      ///< BEGIN, START TRANSACTION: a block of the file's, a savepoint
    commit_block,    ///< COMMIT, END closing that block: the savepoint released
    rollback_block,  ///< ROLLBACK, ABORT closing that block: its work undone
};

class SqlChecks {
public:
    explicit SqlChecks(const std::string& path) : path_(path) {}

    /// Checks what the splitter just returned and says what to do with it. Throws Error
    /// (exit 6).
    Disposition check(const SqlSplitter& splitter, SqlSplitter::Event event);

    /// At the end of the file: a block still open is exit 6 naming its BEGIN.
    void finish() const;

private:
    Disposition transaction_control(const SqlSplitter& splitter, const std::string& where);

    const std::string& path_;
    std::optional<std::string> restrict_key_;
    std::size_t block_line_ = 0;  ///< the line of the open block's BEGIN; 0: none open
};

/// The SQL pg-seed sends for a block of the file's own: a savepoint inside its transaction, or,
/// for a file run outside any (`in_transaction` false), the file's own BEGIN, COMMIT, ROLLBACK.
std::string block_statement(Disposition disposition, bool in_transaction = true);

}  // namespace pgkit

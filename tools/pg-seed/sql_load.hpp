#pragma once
/// SQL files: statements in multi-statement messages of about 64 KiB, COPY ... FROM stdin
/// blocks streamed as they are in the file, and a failure named by file and line.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "tools/pg-seed/inputs.hpp"
#include "tools/pg-seed/progress.hpp"
#include "tools/pg-seed/script_session.hpp"

namespace pgkit {

/// Statements gathered for one message, with where each came from in the file.
class Batch {
public:
    /// Messages are sent once they reach this size.
    static constexpr std::size_t target_bytes = 64 * 1024;

    void add(const std::string& statement, std::size_t start_line, std::size_t first_line);
    bool empty() const { return pieces_.empty(); }
    std::size_t size() const { return sql_.size(); }
    const std::string& sql() const { return sql_; }
    void clear();

    /// The file line of a failed statement: `position` is the server's 1-based character
    /// position in the whole message (0: none, the statement's first line of content).
    std::size_t line_of_failure(std::size_t statement_index, int position) const;
    /// The file line of the first byte that is not UTF-8, if any (an encoding error rejects
    /// a whole message without a position).
    std::optional<std::size_t> line_of_invalid_utf8() const;

private:
    struct Piece {
        std::size_t offset;      ///< where the statement starts in `sql_`
        std::size_t start_line;  ///< the file line where its text starts
        std::size_t first_line;  ///< its first line of content
    };
    /// The file line of byte `byte` of the message, which is in `piece` or after it.
    std::size_t line_at(std::size_t byte, const Piece& piece) const;

    std::string sql_;
    std::vector<Piece> pieces_;
};

/// Loads one SQL file into the open transaction; throws Error naming file:line. A file marked
/// "transaction: false" (no_transaction_line) is loaded with no transaction open: each
/// statement goes in a message of its own (a message of several is one implicit transaction),
/// and its BEGIN ... COMMIT blocks are its own.
void load_sql(ScriptSession& script, SeedFile& file, Progress& progress);

}  // namespace pgkit

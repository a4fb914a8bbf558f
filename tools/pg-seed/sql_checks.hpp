#pragma once
/// The checks every SQL statement of a seed file passes, before loading (check_file) and as
/// it loads: no psql meta-command but pg_dump's \restrict pair, nothing unterminated, no COPY
/// ... TO STDOUT, COPY data starting on the line after its statement. A failure is exit 6
/// naming file:line.

#include <optional>
#include <string>

#include "tools/pg-seed/sql_splitter.hpp"

namespace pgkit {

class SqlChecks {
public:
    explicit SqlChecks(const std::string& path) : path_(path) {}

    /// Checks what the splitter just returned; whether it is a statement to run (false: an
    /// accepted \restrict line). Throws Error (exit 6).
    bool check(const SqlSplitter& splitter, SqlSplitter::Event event);

private:
    const std::string& path_;
    std::optional<std::string> restrict_key_;
};

}  // namespace pgkit

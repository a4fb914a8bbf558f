#include "tools/pg-seed/file_error.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace pgkit {

void fail_at(const SqlError& error, const std::string& file, std::size_t line) {
    const std::string where = line > 0 ? fmt::format("{}:{}", file, line) : file;
    const std::string sqlstate =
        error.sqlstate().empty() ? "" : fmt::format(" (SQLSTATE {})", error.sqlstate());
    std::string hint = error.hint();
    if (hint.empty() && error.is(SqlCondition::in_transaction_block)) {
        hint = "pg-seed runs every file inside a transaction, and this statement cannot run "
               "in one (VACUUM, CREATE DATABASE, CREATE INDEX CONCURRENTLY...): put it in a "
               "file of its own with a line \"-- transaction: false\" at the top, and load "
               "with --per-file (that file is then not atomic).";
    }
    throw Error(exit_for_file_statement(error),
                fmt::format("{}: {}{}", where, error.what(), sqlstate), error.detail(), hint,
                error.sqlstate());
}

std::optional<std::size_t> copy_line(const std::string& context) {
    const auto at = context.find(", line ");
    if (at == std::string::npos) return std::nullopt;
    return static_cast<std::size_t>(std::atoll(context.c_str() + at + 7));
}

}  // namespace pgkit

#include "tools/pg-seed/sql_checks.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/errors.hpp"

namespace pgkit {

bool SqlChecks::check(const SqlSplitter& splitter, SqlSplitter::Event event) {
    const std::string where = fmt::format(
        "{}:{}", path_, splitter.first_line() != 0 ? splitter.first_line() : splitter.start_line());
    if (event == SqlSplitter::Event::meta_command) {
        const std::string& command = splitter.text();
        if (command.rfind("\\restrict ", 0) == 0 && !restrict_key_) {
            restrict_key_ = command.substr(10);
        } else if (command.rfind("\\unrestrict ", 0) == 0 && restrict_key_ &&
                   command.substr(12) == *restrict_key_) {
            restrict_key_.reset();
        } else {
            throw Error(Exit::bad_input,
                        fmt::format("{}: psql meta-command not supported: {}", where, command), {},
                        "pg-seed runs SQL, COPY ... FROM stdin data and pg_dump's \\restrict "
                        "lines; run other meta-commands with psql.");
        }
        return false;
    }
    if (const auto nul = splitter.text().find('\0'); nul != std::string::npos) {
        const std::string& text = splitter.text();
        throw Error(Exit::bad_input,
                    fmt::format("{}:{}: a NUL byte: this is not a text file", path_,
                                splitter.start_line() +
                                    static_cast<std::size_t>(std::count(
                                        text.begin(), text.begin() + static_cast<long>(nul), '\n'))));
    }
    if (splitter.unterminated()) {
        throw Error(Exit::bad_input,
                    fmt::format("{}:{}: unterminated {} at the end of the file", path_,
                                splitter.unterminated_line(), splitter.unterminated_what()));
    }
    if (splitter.is_copy_to_stdout()) {
        throw Error(Exit::bad_input, fmt::format("{}: COPY ... TO STDOUT is not supported", where));
    }
    if (splitter.is_copy_from_stdin() &&
        splitter.copy_tail().find_first_not_of(" \t\r") != std::string::npos) {
        throw Error(Exit::bad_input,
                    fmt::format("{}: text after COPY ... FROM stdin; on the same line", where), {},
                    "COPY data starts on the line after the statement.");
    }
    return true;
}

}  // namespace pgkit

#include "tools/pg-seed/sql_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/errors.hpp"

namespace pgkit {

namespace {

/// The first `count` words of a statement, lower case, outside comments and white space: enough
/// to tell "rollback to savepoint" from "rollback", or "prepare transaction" from "prepare".
std::vector<std::string> leading_words(const std::string& text, std::size_t count) {
    std::vector<std::string> words;
    std::size_t at = 0;
    while (at < text.size() && words.size() < count) {
        const char c = text[at];
        if (c == '-' && at + 1 < text.size() && text[at + 1] == '-') {
            at = text.find('\n', at);
            if (at == std::string::npos) break;
        } else if (c == '/' && at + 1 < text.size() && text[at + 1] == '*') {
            int depth = 0;
            do {
                if (text.compare(at, 2, "/*") == 0) {
                    ++depth;
                    at += 2;
                } else if (text.compare(at, 2, "*/") == 0) {
                    --depth;
                    at += 2;
                } else {
                    ++at;
                }
            } while (depth > 0 && at < text.size());
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::string word;
            while (at < text.size() && (std::isalnum(static_cast<unsigned char>(text[at])) ||
                                        text[at] == '_')) {
                word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[at++])));
            }
            words.push_back(std::move(word));
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            ++at;
        } else {
            break;  // a quote, a number, punctuation: no more plain words
        }
    }
    return words;
}

}  // namespace

Disposition SqlChecks::check(const SqlSplitter& splitter, SqlSplitter::Event event) {
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
        return Disposition::skip;
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
    return transaction_control(splitter, where);
}

Disposition SqlChecks::transaction_control(const SqlSplitter& splitter, const std::string& where) {
    const std::string& first = splitter.first_word();
    if (first != "begin" && first != "start" && first != "commit" && first != "end" &&
        first != "rollback" && first != "abort" && first != "prepare") {
        return Disposition::run;
    }
    const std::vector<std::string> words = leading_words(splitter.text(), 4);
    const std::string second = words.size() > 1 ? words[1] : "";
    if ((first == "prepare" || first == "start") && second != "transaction") {
        return Disposition::run;  // PREPARE name AS ...: a prepared statement
    }
    if (first == "rollback" && second == "to") return Disposition::run;  // to a savepoint
    auto refuse = [&](const std::string& what, const char* hint) {
        throw Error(Exit::bad_input, fmt::format("{}: {}", where, what), {}, hint);
    };
    if (first == "prepare" || second == "prepared") {
        std::string command = first + " " + second;
        std::transform(command.begin(), command.end(), command.begin(), ::toupper);
        refuse(command + " is not supported in a seed file",
               "Two-phase commit cannot work inside pg-seed's transaction; run it with psql.");
    }
    if (std::find(words.begin(), words.end(), "chain") != words.end()) {
        refuse("AND CHAIN is not supported in a seed file",
               "Use COMMIT or ROLLBACK alone, in a BEGIN ... COMMIT block of the file's.");
    }
    if (first == "begin" || first == "start") {
        if (block_line_ != 0) return Disposition::skip;  // the server only warns of it too
        block_line_ = splitter.first_line();
        return Disposition::open_block;
    }
    std::string command = first;
    std::transform(command.begin(), command.end(), command.begin(), ::toupper);
    if (block_line_ == 0) {
        refuse(command + " would end pg-seed's transaction",
               "pg-seed loads the files in a transaction of its own (all of them, or each one "
               "with --per-file), and a file must not end it. A block the file opens itself "
               "(BEGIN ... COMMIT, as pg_dump writes) is fine.");
    }
    block_line_ = 0;
    return first == "commit" || first == "end" ? Disposition::commit_block
                                               : Disposition::rollback_block;
}

void SqlChecks::finish() const {
    if (block_line_ == 0) return;
    throw Error(Exit::bad_input,
                fmt::format("{}:{}: BEGIN without COMMIT or ROLLBACK by the end of the file",
                            path_, block_line_),
                {}, "End the block the file opens, or leave its BEGIN out: pg-seed loads the "
                    "file in a transaction of its own.");
}

std::string block_statement(Disposition disposition, bool in_transaction) {
    if (!in_transaction) {
        switch (disposition) {
            case Disposition::open_block:
                return "BEGIN;";
            case Disposition::commit_block:
                return "COMMIT;";
            case Disposition::rollback_block:
                return "ROLLBACK;";
            default:
                return {};
        }
    }
    switch (disposition) {
        case Disposition::open_block:
            return "SAVEPOINT pg_seed_block;";
        case Disposition::commit_block:
            return "RELEASE SAVEPOINT pg_seed_block;";
        case Disposition::rollback_block:
            return "ROLLBACK TO SAVEPOINT pg_seed_block; RELEASE SAVEPOINT pg_seed_block;";
        default:
            return {};
    }
}

}  // namespace pgkit

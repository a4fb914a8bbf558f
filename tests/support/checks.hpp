#pragma once
/// Small helpers the integration suites share.

#include <chrono>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/database.hpp"

namespace pgkit::test {

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// Waits (bounded) until `predicate` holds; false when it never did.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return predicate();
}

/// An identifier quoted by libpq, for the tests' own SQL.
inline std::string quote_ident(const std::string& name) {
    char* quoted = PQescapeIdentifier(admin().raw(), name.data(), name.size());
    std::string result = quoted;
    PQfreemem(quoted);
    return result;
}

/// The options a --help lists, as "-e/--echo" (a short letter and its long name) or "--if-exists":
/// to check that a drop-in takes every option of the PostgreSQL tool it stands in for, with
/// the same letters.
inline std::set<std::string> options_in_help(const std::string& help) {
    static const std::regex line(R"(^\s+(?:(-[^-\s,]), )?(--[a-z][a-z-]*))");
    std::set<std::string> options;
    std::istringstream lines(help);
    std::string text;
    while (std::getline(lines, text)) {
        std::smatch match;
        if (std::regex_search(text, match, line)) {
            options.insert(match[1].matched ? match[1].str() + "/" + match[2].str() : match[2].str());
        }
    }
    return options;
}

/// The first line of a text.
inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

/// The first "error: ..." line a tool wrote (after what --echo wrote before it).
inline std::string first_error_line(const std::string& err) {
    return first_line(err.substr(std::min(err.find("error: "), err.size())));
}

/// The statements starting with `prefix` ("DROP ROLE") that a run echoed, without double
/// quotes (PostgreSQL's tools leave them out where a name needs none) and without the final
/// semicolon: to compare what a drop-in sends with what the original sends.
inline std::vector<std::string> echoed_statements(const std::string& text, const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(prefix, 0) != 0) continue;
        std::string bare;
        for (const char c : line) {
            if (c != '"') bare += c;
        }
        if (!bare.empty() && bare.back() == ';') bare.pop_back();
        found.push_back(bare);
    }
    return found;
}

/// The address the test cluster listens on for TCP (password) logins.
inline std::string tcp_host() { return "127.0.0.1"; }

}  // namespace pgkit::test

#include "tools/pg-grant/privileges.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "common/errors.hpp"


namespace pgkit::grant {
namespace {

constexpr std::array<KindInfo, 6> kinds{{
    {Kind::database, "database", "databases", "DATABASE", "", '\0', 'd'},
    {Kind::schema, "schema", "schemas", "SCHEMA", "SCHEMAS", 'n', 'n'},
    {Kind::table, "table", "tables", "TABLE", "TABLES", 'r', 'r'},
    {Kind::sequence, "sequence", "sequences", "SEQUENCE", "SEQUENCES", 'S', 's'},
    {Kind::function, "function", "functions", "FUNCTION", "FUNCTIONS", 'f', 'f'},
    {Kind::type, "type", "types", "TYPE", "TYPES", 'T', 'T'},
}};

/// Every privilege word of GRANT, upper case, with the kinds that take it.
const std::vector<std::string>& words_of(Kind kind) {
    static const std::vector<std::string> database{"CREATE", "CONNECT", "TEMPORARY"};
    static const std::vector<std::string> schema{"USAGE", "CREATE"};
    static const std::vector<std::string> table{"SELECT",     "INSERT",  "UPDATE",  "DELETE",
                                                "TRUNCATE",   "REFERENCES", "TRIGGER",
                                                "MAINTAIN"};
    static const std::vector<std::string> sequence{"USAGE", "SELECT", "UPDATE"};
    static const std::vector<std::string> function{"EXECUTE"};
    static const std::vector<std::string> type{"USAGE"};
    switch (kind) {
        case Kind::database: return database;
        case Kind::schema: return schema;
        case Kind::table: return table;
        case Kind::sequence: return sequence;
        case Kind::function: return function;
        case Kind::type: return type;
    }
    return type;
}

std::string upper_ascii(std::string_view text) {
    std::string upper(text);
    for (char& c : upper) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return upper;
}

std::string trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace

const KindInfo& kind_info(Kind kind) {
    return kinds[static_cast<std::size_t>(kind)];
}

std::vector<std::string> kind_privileges(Kind kind, int server_version) {
    std::vector<std::string> privileges = words_of(kind);
    if (kind == Kind::table && server_version < 170000) {
        std::erase(privileges, "MAINTAIN");
    }
    return privileges;
}

PrivilegeList parse_privileges(std::string_view text, Kind kind) {
    const KindInfo& info = kind_info(kind);
    const std::vector<std::string>& known = words_of(kind);
    PrivilegeList list;
    std::vector<std::string> elements;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        elements.push_back(trimmed(text.substr(start, comma == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    for (const std::string& element : elements) {
        if (element.empty()) {
            throw UsageError(fmt::format("empty privilege in \"{}\"", text),
                             "Separate privileges with single commas: SELECT,INSERT.");
        }
        std::string word = upper_ascii(element);
        if (word == "ALL" || word == "ALL PRIVILEGES") {
            list.all = true;
            continue;
        }
        if (word == "TEMP") word = "TEMPORARY";
        if (std::find(known.begin(), known.end(), word) == known.end()) {
            std::string kinds_taking;
            for (const KindInfo& other : kinds) {
                const auto& theirs = words_of(other.kind);
                if (std::find(theirs.begin(), theirs.end(), word) != theirs.end()) {
                    kinds_taking += fmt::format("{}--{}", kinds_taking.empty() ? "" : ", ",
                                                other.option);
                }
            }
            std::string hint = fmt::format("A {} takes {}, or ALL.", info.option,
                                           join_privileges(known));
            if (!kinds_taking.empty()) {
                hint += fmt::format(" {} is a privilege of {}.", word, kinds_taking);
            }
            throw UsageError(fmt::format("invalid privilege \"{}\" for a {}", element, info.option),
                             hint);
        }
        if (std::find(list.words.begin(), list.words.end(), word) == list.words.end()) {
            list.words.push_back(word);
        }
    }
    return list;
}

std::vector<std::string> resolve(const PrivilegeList& list, Kind kind, int server_version) {
    const std::vector<std::string> available = kind_privileges(kind, server_version);
    if (list.all) return available;
    std::vector<std::string> resolved;
    for (const std::string& word : available) {
        if (std::find(list.words.begin(), list.words.end(), word) != list.words.end()) {
            resolved.push_back(word);
        }
    }
    for (const std::string& word : list.words) {
        if (std::find(available.begin(), available.end(), word) == available.end()) {
            throw Error(Exit::usage,
                        fmt::format("privilege {} needs PostgreSQL 17 or later (the server is {})",
                                    word, server_version / 10000));
        }
    }
    return resolved;
}

Difference difference(const std::vector<std::string>& asked, const Held& held, Mode mode,
                      bool with_grant_option, const std::vector<std::string>& kind_privileges) {
    Difference result;
    const auto is_asked = [&](const std::string& p) {
        return std::find(asked.begin(), asked.end(), p) != asked.end();
    };
    for (const std::string& p : kind_privileges) {
        const bool has = held.privileges.count(p) > 0;
        const bool grantable = held.grantable.count(p) > 0;
        if (mode == Mode::revoke) {
            if (!is_asked(p)) continue;
            if (with_grant_option) {
                if (grantable) result.revoke_grant_option.push_back(p);
            } else if (has) {
                result.revoke.push_back(p);
            }
            continue;
        }
        if (is_asked(p)) {
            if (with_grant_option ? !grantable : !has) result.grant.push_back(p);
            if (mode == Mode::exact && !with_grant_option && grantable) {
                result.revoke_grant_option.push_back(p);
            }
        } else if (mode == Mode::exact && has) {
            result.revoke.push_back(p);
        }
    }
    return result;
}

std::string join_privileges(const std::vector<std::string>& privileges) {
    return fmt::format("{}", fmt::join(privileges, ", "));
}

}  // namespace pgkit::grant

#pragma once
/// psql's object-name patterns (\dt PATTERN), turned into anchored POSIX regular expressions
/// for the server's ~ operator: * and ? are wildcards, a dot outside double quotes separates
/// schema from name, unquoted letters fold to lower case, double quotes keep case and make
/// every character literal ("" stands for one quote). Outside quotes, other regular-expression
/// characters pass through, as in psql.

#include <optional>
#include <string>
#include <string_view>

namespace pgkit {

struct NamePattern {
    std::optional<std::string> schema_regex;  ///< nothing: any schema
    std::optional<std::string> name_regex;    ///< nothing: any name
    /// The part as a plain name (folded, unquoted) when it has no wildcard or regular-expression
    /// character outside quotes: what an error names when nothing matches.
    std::optional<std::string> schema_name, name;
    bool has_schema_part = false;  ///< written as schema.name ("*.x" too)
};

/// Translates PATTERN. A three-part pattern (database.schema.name) is accepted only when its
/// database part is `current_database` (not checked when that is not given yet). Throws
/// UsageError for four or more parts, or for a database part naming another database.
NamePattern parse_name_pattern(std::string_view pattern,
                               std::optional<std::string_view> current_database = std::nullopt);

/// Translates a one-part pattern (a schema name for -n and -N). Throws UsageError on a dot.
std::string parse_single_pattern(std::string_view pattern, std::string_view what);

/// A one-part pattern as a plain name, when it has no wildcard or regular-expression character
/// outside quotes; nothing otherwise. Throws UsageError on a dot, as parse_single_pattern.
std::optional<std::string> single_pattern_name(std::string_view pattern, std::string_view what);

}  // namespace pgkit

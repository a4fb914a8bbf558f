#pragma once
/// Checks on names and values given on the command line, made before anything is sent.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

/// PostgreSQL's NAMEDATALEN - 1: longer names would be truncated by the server without a word.
inline constexpr std::size_t max_identifier_bytes = 63;

/// Throws UsageError when `name` is empty or longer than 63 bytes. `what` names it in the
/// message ("database name").
void check_identifier(std::string_view what, std::string_view name);

/// Throws UsageError unless every element of a comma list of ports is a number 1 to 65535
/// (an empty element is allowed: libpq then takes the default port for that host).
void check_port_list(std::string_view ports);

/// Throws UsageError when `encoding` is not an encoding name libpq knows.
void check_encoding_name(std::string_view encoding);

/// Throws UsageError when more than `most` positional arguments were given.
void check_argument_count(const std::vector<std::string>& arguments, std::size_t most);

/// Throws UsageError for a connection limit below -1 (-1: no limit).
void check_connection_limit(const std::optional<int>& limit);

/// The name a tool uses when none is given, as PostgreSQL's tools choose it: the first of the
/// environment `variables` that is set and not empty, else the operating-system user's name.
/// `what` ("database", "role") names it in the error when even that is unknown.
std::string default_name(std::initializer_list<const char*> variables, std::string_view what);

}  // namespace pgkit

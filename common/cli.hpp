#pragma once
/// Command-line pieces every tool shares: the connection options, the behaviour options and
/// PostgreSQL-style --help.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common/connection.hpp"

namespace pgkit {

inline constexpr const char* connection_group = "Connection options";
inline constexpr const char* options_group = "Options";

/// Which database option a tool takes: --maintenance-db (pg-createdb, pg-createuser) or
/// -d/--dbname (pg-listtables, pg-seed).
enum class DatabaseOption { maintenance_db, dbname };

/// Adds the contract's connection options, in the "Connection options" group.
void add_connection_options(CLI::App& app, ConnectionOptions& options, DatabaseOption which);

/// --lock-timeout=SECONDS, for the tools that change something (in the "Options" group).
void add_lock_timeout_option(CLI::App& app, ConnectionOptions& options);

/// Checks what CLI11 cannot: port ranges. Throws UsageError.
void validate_connection_options(const ConnectionOptions& options);

/// Help in PostgreSQL's shape: the purpose, "Usage:", the options, "Connection options:",
/// then the closing lines. One option per line, "  -x, --long=ARG  text".
std::string format_help(const CLI::App& app, const std::string& purpose,
                        const std::vector<std::string>& usage, const std::string& closing);

/// The user-facing message for a CLI11 parse error, without CLI11's capitals.
std::string describe_parse_error(const CLI::ParseError& error);

}  // namespace pgkit

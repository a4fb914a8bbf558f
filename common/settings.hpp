#pragma once
/// Settings kept for a role, a database, or a role in one database (ALTER ROLE/DATABASE ...
/// SET, stored in pg_db_role_setting): pg-createuser's and pg-createdb's --set and --reset,
/// converged. A value is compared in the form the server stores it, learned by applying it in
/// a transaction that is rolled back and reading it back, so that no parser of ours decides
/// whether `"$user", public` and `"$user",public` are the same.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/converge.hpp"
#include "common/session.hpp"

namespace pgkit {

/// --set NAME=VALUE (in order) and --reset NAME, read from the command line.
struct SettingsRequest {
    std::vector<std::string> set_arguments;    ///< "NAME=VALUE" as typed
    std::vector<std::string> reset_arguments;  ///< NAME as typed
    /// After validate_settings: names folded to lower case, as unquoted SQL folds them.
    std::vector<std::pair<std::string, std::string>> set;
    std::vector<std::string> reset;

    bool empty() const { return set.empty() && reset.empty(); }
};

/// Adds --set and --reset to a tool's options; `object` is "role" or "database".
void add_settings_options(CLI::App& app, SettingsRequest& request, std::string_view object,
                          std::string_view statement);

/// Reads the arguments: NAME is a parameter name (letters, digits, underscores, with dots
/// between parts for an extension's parameter); a name set twice, or both set and reset, is
/// a usage error; a list value (search_path...) must split cleanly. Throws UsageError.
void validate_settings(SettingsRequest& request);

/// Whether the server reads the parameter as a list of values (search_path, DateStyle,
/// temp_tablespaces, the *_preload_libraries...), each element of which is sent on its own.
bool is_list_parameter(std::string_view name);

/// Splits a list value as the server splits one: at commas, spaces around elements dropped,
/// double quotes keeping commas, spaces and case ("" inside them is a quote), unquoted
/// elements folded to lower case with `fold_unquoted` (identifiers: search_path). Throws
/// UsageError on an unterminated quote or an empty element.
std::vector<std::string> split_list_value(std::string_view value, bool fold_unquoted = false);

/// Where settings are kept: `alter` is the statement's start ("ALTER ROLE \"app\"",
/// "ALTER ROLE \"app\" IN DATABASE \"shop\"", "ALTER DATABASE \"shop\""), `database_oid` and
/// `role_oid` the pg_db_role_setting key ("0" for none).
struct SettingsTarget {
    std::string alter;
    std::string database_oid = "0", role_oid = "0";
    std::string what;  ///< for reports: "" or "in database \"shop\""
};

/// `ALTER ... SET name TO 'value'` (each element a literal for a list parameter).
Statement set_statement(const Session& session, const SettingsTarget& target,
                        const std::string& name, const std::string& value);

/// Each --set as a session would take it (SELECT set_config(name, value, true)): proved in a
/// rolled-back transaction before an object that cannot be made in one (a database) is made,
/// so that an unknown parameter or a bad value stops the run before anything is created.
std::vector<Statement> settings_checks(const Session& session, const SettingsRequest& request);

/// The statements that give a new object the settings asked for (--reset has nothing to do).
std::vector<Statement> settings_statements(const Session& session, const SettingsTarget& target,
                                           const SettingsRequest& request);

/// The settings stored for the target, by lower-case name.
std::map<std::string, std::string> stored_settings(Session& session, const SettingsTarget& target);

/// Adds to `plan` what differs on an existing object: each --set whose stored form (learned
/// by applying them all in a transaction rolled back) differs from what is stored
/// (`set search_path = "$user", public`), each --reset of a setting that is stored
/// (`reset work_mem`).
void plan_settings(Session& session, const SettingsTarget& target, const SettingsRequest& request,
                   Plan& plan);

}  // namespace pgkit

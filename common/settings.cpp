#include "common/settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "common/errors.hpp"
#include "common/text.hpp"

namespace pgkit {

namespace {

bool valid_parameter_name(std::string_view name) {
    bool part_start = true;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '.') {
            if (part_start) return false;
            part_start = true;
            continue;
        }
        if (!(std::isalpha(u) || c == '_' || (!part_start && (std::isdigit(u) || c == '$')))) {
            return false;
        }
        part_start = false;
    }
    return !name.empty() && !part_start;
}

std::string checked_oid(const std::string& oid) {
    if (oid.empty() || oid.find_first_not_of("0123456789") != std::string::npos) {
        throw std::invalid_argument("not an OID: " + oid);
    }
    return oid;
}

std::string stored_query(const SettingsTarget& target) {
    return fmt::format(
        "SELECT s.entry FROM pg_catalog.pg_db_role_setting d,"
        " pg_catalog.unnest(d.setconfig) AS s(entry)"
        " WHERE d.setdatabase = {}::pg_catalog.oid AND d.setrole = {}::pg_catalog.oid",
        checked_oid(target.database_oid), checked_oid(target.role_oid));
}

std::map<std::string, std::string> entries_of(const Result& rows) {
    std::map<std::string, std::string> entries;
    for (int row = 0; row < rows.rows(); ++row) {
        const std::string_view entry = rows.text(row, 0);
        const std::size_t equals = entry.find('=');
        if (equals == std::string_view::npos) continue;
        entries[lower_ascii(entry.substr(0, equals))] = std::string(entry.substr(equals + 1));
    }
    return entries;
}

}  // namespace

void add_settings_options(CLI::App& app, SettingsRequest& request, std::string_view object,
                          std::string_view statement) {
    app.add_option("--set", request.set_arguments,
                   fmt::format("keep parameter NAME set to VALUE for the {} ({} ... SET)", object,
                               statement))
        ->type_name("NAME=VALUE")
        ->allow_extra_args(false);
    app.add_option("--reset", request.reset_arguments,
                   fmt::format("with --if-not-exists, take the {}'s setting NAME away", object))
        ->type_name("NAME")
        ->allow_extra_args(false);
}

void validate_settings(SettingsRequest& request) {
    request.set.clear();
    request.reset.clear();
    std::set<std::string> seen;
    const auto name_of = [&seen](std::string_view typed, std::string_view option) {
        const std::string name = lower_ascii(typed);
        if (!valid_parameter_name(name)) {
            throw UsageError(fmt::format("invalid parameter name \"{}\" for {}", typed, option),
                             "A parameter name is letters, digits and underscores, with dots "
                             "between the parts of an extension's parameter (plpgsql.extra_warnings).");
        }
        if (!seen.insert(name).second) {
            throw UsageError(fmt::format("parameter \"{}\" is named more than once", name));
        }
        return name;
    };
    for (const auto& argument : request.set_arguments) {
        const std::size_t equals = argument.find('=');
        if (equals == std::string::npos) {
            throw UsageError(fmt::format("--set needs NAME=VALUE, not \"{}\"", argument),
                             "Take a setting away with --reset NAME.");
        }
        const std::string name = name_of(argument.substr(0, equals), "--set");
        const std::string value = argument.substr(equals + 1);
        if (is_list_parameter(name)) split_list_value(value);  // refuses what will not split
        request.set.emplace_back(name, value);
    }
    for (const auto& argument : request.reset_arguments) {
        request.reset.push_back(name_of(argument, "--reset"));
    }
}

bool is_list_parameter(std::string_view name) {
    // The parameters a role or a database may keep whose server definition reads a list
    // (GUC_LIST_INPUT); the server does not publish that flag (pg_settings_get_flags does not
    // show it), so they are named here.
    // (An extension's list parameter, such as plpgsql.extra_warnings, is a one-value
    // placeholder until the extension is loaded: it is sent as one literal.)
    static constexpr std::array<std::string_view, 6> lists = {
        "search_path", "datestyle", "temp_tablespaces", "session_preload_libraries",
        "local_preload_libraries", "wal_consistency_checking"};
    return std::find(lists.begin(), lists.end(), lower_ascii(name)) != lists.end();
}

std::vector<std::string> split_list_value(std::string_view value, bool fold_unquoted) {
    std::vector<std::string> elements;
    std::size_t i = 0;
    const auto skip_spaces = [&] {
        while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i]))) ++i;
    };
    skip_spaces();
    if (i == value.size()) return elements;  // an empty list
    while (true) {
        std::string element;
        skip_spaces();
        if (i < value.size() && value[i] == '"') {
            ++i;
            while (true) {
                if (i == value.size()) {
                    throw UsageError(fmt::format("unterminated quote in list value \"{}\"", value));
                }
                if (value[i] == '"') {
                    if (i + 1 < value.size() && value[i + 1] == '"') {
                        element += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                element += value[i++];
            }
        } else {
            while (i < value.size() && value[i] != ',') element += value[i++];
            while (!element.empty() && std::isspace(static_cast<unsigned char>(element.back()))) {
                element.pop_back();
            }
            if (fold_unquoted) element = lower_ascii(element);
            if (element.empty()) {
                throw UsageError(fmt::format("empty element in list value \"{}\"", value));
            }
        }
        elements.push_back(std::move(element));
        skip_spaces();
        if (i == value.size()) break;
        if (value[i] != ',') {
            throw UsageError(fmt::format("expected a comma after an element in \"{}\"", value));
        }
        ++i;
    }
    return elements;
}

Statement set_statement(const Session& session, const SettingsTarget& target,
                        const std::string& name, const std::string& value) {
    std::string values;
    if (is_list_parameter(name)) {
        // Schema and tablespace names are identifiers: unquoted, they fold to lower case, as
        // the server folds them when it reads the list itself.
        const bool identifiers = name == "search_path" || name == "temp_tablespaces";
        const auto elements = split_list_value(value, identifiers);
        // An empty list is an empty string, as SET search_path TO '' stores it.
        if (elements.empty()) values = "''";
        for (const auto& element : elements) {
            values += (values.empty() ? "" : ", ") + session.quote_literal(element);
        }
    } else {
        values = session.quote_literal(value);
    }
    return Statement::plain(
        fmt::format("{} SET {} TO {}", target.alter, session.quote_ident(name), values));
}

std::vector<Statement> settings_checks(const Session& session, const SettingsRequest& request) {
    std::vector<Statement> checks;
    for (const auto& [name, value] : request.set) {
        checks.push_back(Statement::plain(fmt::format("SELECT pg_catalog.set_config({}, {}, true)",
                                                      session.quote_literal(name),
                                                      session.quote_literal(value))));
    }
    return checks;
}

std::vector<Statement> settings_statements(const Session& session, const SettingsTarget& target,
                                           const SettingsRequest& request) {
    std::vector<Statement> statements;
    for (const auto& [name, value] : request.set) {
        statements.push_back(set_statement(session, target, name, value));
    }
    return statements;
}

std::map<std::string, std::string> stored_settings(Session& session, const SettingsTarget& target) {
    return entries_of(session.query(stored_query(target)));
}

void plan_settings(Session& session, const SettingsTarget& target, const SettingsRequest& request,
                   Plan& plan) {
    if (request.empty()) return;
    const auto stored = stored_settings(session, target);
    const std::string where = target.what.empty() ? "" : " " + target.what;
    if (!request.set.empty()) {
        // What the server would store: every --set applied, read back, rolled back.
        const auto wanted = entries_of(
            session.probe(settings_statements(session, target, request), stored_query(target)));
        for (const auto& [name, value] : request.set) {
            const auto want = wanted.find(name);
            if (want == wanted.end()) continue;  // nothing stored (a placeholder reset)
            const auto have = stored.find(name);
            if (have != stored.end() && have->second == want->second) continue;
            plan.add(fmt::format("set {} = {}{}", name, want->second, where),
                     set_statement(session, target, name, value));
        }
    }
    for (const auto& name : request.reset) {
        if (stored.find(name) == stored.end()) continue;
        plan.add(fmt::format("reset {}{}", name, where),
                 Statement::plain(fmt::format("{} RESET {}", target.alter, session.quote_ident(name))));
    }
}

}  // namespace pgkit

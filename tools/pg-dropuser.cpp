/// pg-dropuser: dropuser's drop-in, safe to repeat, and able to clear the way.
///
/// The SQL is dropuser's: DROP ROLE [IF EXISTS] name. Added: --reassign-owned-to and
/// --drop-owned run REASSIGN OWNED / DROP OWNED in every database that allows connections and
/// holds something of the role's, each in its own transaction, before the DROP ROLE; what still depends on the role is named,
/// database by database, from pg_shdepend; --if-exists reports "absent"; --dry-run proves.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/password_prompt.hpp"
#include "common/text.hpp"
#include "common/tool.hpp"
#include "tools/pg-dropuser/dependents.hpp"

namespace {

using namespace pgkit;

struct Request {
    std::vector<std::string> arguments;  // [ROLENAME]
    std::string role;
    std::optional<std::string> reassign_to;
    bool drop_owned = false, interactive = false, if_exists = false;

    Cleanup cleanup() const { return {reassign_to.has_value(), drop_owned}; }
    bool cleans_up() const { return reassign_to.has_value() || drop_owned; }
};

void validate(Request& request) {
    check_argument_count(request.arguments, 1);
    if (!request.arguments.empty()) {
        request.role = request.arguments.front();
    } else if (request.interactive) {
        // As dropuser: -i without a name asks for one (on a terminal only).
        const auto typed = read_line_from_terminal("Enter name of role to drop: ", true);
        if (!typed) {
            throw UsageError("-i/--interactive needs a terminal to ask on",
                             "Leave -i out where nobody can answer (a script, a CI job).");
        }
        request.role = *typed;
    } else {
        throw UsageError("missing required argument role name");
    }
    check_identifier("role name", request.role);
    if (request.reassign_to) {
        check_identifier("role name", *request.reassign_to);
        if (*request.reassign_to == request.role) {
            throw UsageError("--reassign-owned-to names the role being dropped",
                             "Name the role that is to own its objects from now on.");
        }
    }
}

std::optional<std::string> role_oid(Session& session, const std::string& role) {
    const Result row =
        session.query("SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1", {role});
    if (row.rows() == 0) return std::nullopt;
    return std::string(row.text(0, 0));
}

Statement drop_statement(const Session& session, const Request& request) {
    return Statement::plain(fmt::format("DROP ROLE {}{}", request.if_exists ? "IF EXISTS " : "",
                                        session.quote_ident(request.role)));
}

/// One database's cleanup, one transaction. Its advisory lock (per database, on the role's
/// name) makes runs for the same role take turns, since two REASSIGN OWNED or DROP OWNED at
/// once fail with "tuple concurrently updated".
std::vector<Statement> cleanup_statements(const Session& session, const Request& request) {
    const std::string role = session.quote_ident(request.role);
    std::vector<Statement> statements = {Statement::plain(fmt::format(
        "SELECT pg_catalog.pg_advisory_xact_lock({}, pg_catalog.hashtext({}))",
        0x7067646f /* "pgdo" */, session.quote_literal(request.role)))};
    if (request.reassign_to) {
        statements.push_back(Statement::plain(fmt::format(
            "REASSIGN OWNED BY {} TO {}", role, session.quote_ident(*request.reassign_to))));
    }
    if (request.drop_owned) {
        statements.push_back(Statement::plain("DROP OWNED BY " + role));
    }
    return statements;
}

std::string plural(std::size_t count, const char* noun) {
    return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

/// What the cleanup did (or would do), from what depended on the role before it.
struct Cleaned {
    std::vector<std::string> changes;
    nlohmann::json databases = nlohmann::json::array();
    std::vector<std::string> statements;
};

void describe_cleanup(const std::vector<Dependent>& before, const Request& request,
                      const std::string& database, Cleaned& cleaned) {
    std::size_t reassigned = 0, dropped = 0, revoked = 0, defaults = 0;
    std::vector<std::string> shared_changes;
    for (const auto& dependent : before) {
        if (dependent.database != database || !removed_by(dependent, request.cleanup())) continue;
        const bool moved = request.reassign_to && dependent.dependency == Dependency::owner &&
                           !dependent.default_privileges;
        if (moved && database.empty()) {
            // A database or tablespace: named, since it outlives the role under another owner.
            shared_changes.push_back(fmt::format("reassigned {} \"{}\" to \"{}\"", dependent.kind,
                                                 dependent.identity, *request.reassign_to));
        }
        (moved                                                  ? reassigned
         : dependent.default_privileges                         ? defaults
         : dependent.dependency == Dependency::owner            ? dropped
                                                                : revoked) += 1;
    }
    nlohmann::json entry = {{"database", database.empty() ? nlohmann::json() : nlohmann::json(database)},
                            {"reassigned", reassigned},
                            {"dropped", dropped},
                            {"revoked", revoked},
                            {"default_privileges", defaults}};
    cleaned.databases.push_back(entry);
    if (database.empty()) {
        for (auto& change : shared_changes) cleaned.changes.push_back(std::move(change));
        if (revoked > 0) {
            cleaned.changes.push_back("revoked privileges on " + plural(revoked, "shared object"));
        }
        return;
    }
    std::vector<std::string> parts;
    if (reassigned > 0) {
        parts.push_back(fmt::format("reassigned {} to \"{}\"", plural(reassigned, "object"),
                                    *request.reassign_to));
    }
    if (dropped > 0) parts.push_back("dropped " + plural(dropped, "object"));
    if (revoked > 0) parts.push_back("revoked privileges on " + plural(revoked, "object"));
    if (defaults > 0) parts.push_back("removed " + plural(defaults, "default privileges setting"));
    if (!parts.empty()) {
        cleaned.changes.push_back(
            fmt::format("in database \"{}\" {}", database, join(parts, ", ")));
    }
}

/// Why the role cannot be dropped: every dependent left, named in its own database where it
/// can be reached, counted where not.
Error blocked(Connector& connector, Session& main, const Request& request, const std::string& oid,
              std::vector<Dependent> left, const Cleaned& cleaned) {
    name_dependents(main, oid, left);
    std::vector<std::string> visited = {PQdb(main.raw())};
    for (const auto& dependent : left) {
        const std::string& database = dependent.database;
        if (database.empty() || !dependent.connectable) continue;
        if (std::find(visited.begin(), visited.end(), database) != visited.end()) continue;
        visited.push_back(database);
        try {
            Session there = connector.connect_to_database(database);
            name_dependents(there, oid, left);
        } catch (const Error&) {
            // Not reachable (no CONNECT privilege...): its objects are counted, not named.
        }
    }
    const Cleanup cleanup = request.cleanup();
    std::vector<std::string> hints;
    bool unreachable = false, shared_owned = false, privileges = false, others = false;
    for (const auto& dependent : left) {
        if (!dependent.connectable) unreachable = true;
        else if (dependent.database.empty() && dependent.dependency == Dependency::owner &&
                 !cleanup.reassign) shared_owned = true;
        else if (dependent.dependency != Dependency::owner || dependent.default_privileges) privileges = true;
        else others = true;
    }
    if (!request.cleans_up()) {
        hints.push_back(
            "Pass --reassign-owned-to=ROLE to give what it owns to another role, and "
            "--drop-owned to revoke its privileges and drop what it still owns, in every "
            "database that allows connections.");
    } else {
        if (shared_owned) {
            hints.push_back("--drop-owned does not drop databases or tablespaces: give them away "
                            "with --reassign-owned-to=ROLE, or drop them first.");
        }
        if (privileges && !cleanup.drop) {
            hints.push_back("--reassign-owned-to gives away what it owns, not its privileges or "
                            "default privileges: pass --drop-owned too.");
        }
        if (unreachable) {
            hints.push_back("A database that does not allow connections cannot be cleaned: "
                            "ALTER DATABASE ... ALLOW_CONNECTIONS true for the run, or drop it.");
        }
        if (hints.empty() && (others || privileges)) {
            hints.push_back(
                "The cleanup did not take them away: a privilege granted by another role is "
                "revoked only by that role or a superuser (the server's warnings say which), or "
                "they were made while the run was cleaning up.");
        }
    }
    Error error(Exit::server,
                fmt::format("role \"{}\" cannot be dropped because some objects depend on it",
                            request.role),
                describe_all(left), join(hints, " "), "2BP01");
    nlohmann::json blockers = nlohmann::json::array();
    for (const auto& dependent : left) {
        blockers.push_back(
            {{"database", dependent.database.empty() ? nlohmann::json() : nlohmann::json(dependent.database)},
             {"dependency", dependency_name(dependent.dependency)},
             {"kind", dependent.kind.empty() ? nlohmann::json() : nlohmann::json(dependent.kind)},
             {"object", dependent.identity.empty() ? nlohmann::json() : nlohmann::json(dependent.identity)}});
    }
    error.report()["blockers"] = std::move(blockers);
    // What the run did before it stopped stays done (each database its own transaction).
    if (!main.options().dry_run) {
        error.report()["cleaned"] = cleaned.databases;
        error.report()["statements"] = cleaned.statements;
    }
    return error;
}

Outcome outcome_of(const Request& request, Action action, bool dry_run, const Cleaned& cleaned) {
    Outcome outcome;
    const std::string quoted = fmt::format("\"{}\"", request.role);
    outcome.text = action == Action::absent      ? fmt::format("role {} does not exist", quoted)
                   : action == Action::unchanged ? fmt::format("role {} kept", quoted)
                   : dry_run                     ? fmt::format("would drop role {}", quoted)
                                                 : fmt::format("dropped role {}", quoted);
    if (action == Action::dropped && !cleaned.changes.empty()) {
        outcome.text += ": " + join(cleaned.changes, "; ");
    }
    outcome.json = {{"role", request.role},
                    {"action", action_name(action)},
                    {"changes", cleaned.changes},
                    {"databases", cleaned.databases},
                    {"dry_run", dry_run},
                    {"statements", cleaned.statements}};
    return outcome;
}

/// The databases the cleanup visits: those that allow connections and hold something of the
/// role's by pg_shdepend (REASSIGN OWNED and DROP OWNED change nothing anywhere else). The one
/// `main` is on comes first when it does, or when the role has shared objects (a database,
/// a tablespace), which the first REASSIGN OWNED or DROP OWNED takes; then the others by name.
std::vector<std::string> databases_to_clean(const Session& main,
                                            const std::vector<Dependent>& before) {
    const std::string here = PQdb(main.raw());
    bool here_needed = false;
    std::set<std::string> others;
    for (const auto& dependent : before) {
        if (!dependent.connectable) continue;
        if (dependent.database.empty() || dependent.database == here) here_needed = true;
        else others.insert(dependent.database);
    }
    std::vector<std::string> names;
    if (here_needed) names.push_back(here);
    names.insert(names.end(), others.begin(), others.end());
    return names;
}

Outcome drop(Tool& tool, const Request& request) {
    Connector connector = tool.connector();
    Session main = connector.connect_maintenance();
    const bool dry_run = main.options().dry_run;
    const Statement drop_role = drop_statement(main, request);
    Cleaned cleaned;
    const std::optional<std::string> oid = role_oid(main, request.role);
    // Dropped meanwhile by a concurrent run (whatever the server's words for a role that went
    // in the middle of a statement): absent with --if-exists, else the server's refusal.
    const auto gone = [&](const SqlError&) {
        return request.if_exists && !role_oid(main, request.role);
    };

    if (oid && request.cleans_up()) {
        std::vector<Dependent> before = read_dependents(main, *oid);
        name_dependents(main, *oid, before);  // the shared objects, for the report
        // First, what DROP ROLE itself would refuse (not a superuser, the current user...),
        // before anything is changed: only what depends on the role may stand in its way.
        try {
            main.prove({drop_role});
        } catch (const SqlError& error) {
            if (gone(error)) return outcome_of(request, Action::absent, dry_run, {});
            if (error.sqlstate() != "2BP01") throw;
        }
        const bool has_shared = std::any_of(before.begin(), before.end(), [](const Dependent& d) {
            return d.database.empty();
        });
        for (const auto& database : databases_to_clean(main, before)) {
            std::optional<Session> other;
            if (database != PQdb(main.raw())) {
                if (tool.behaviour().echo) {
                    // psql's words for it, so that the echo reads as a script.
                    std::fprintf(stderr, "\\connect %s\n", main.quote_ident(database).c_str());
                }
                try {
                    other.emplace(connector.connect_to_database(database));
                } catch (ConnectionError& error) {
                    error.report()["cleaned"] = cleaned.databases;
                    error.report()["statements"] = cleaned.statements;
                    throw;
                }
            }
            Session& session = other ? *other : main;
            const std::size_t already = session.changes().size();
            try {
                session.execute(cleanup_statements(session, request));
            } catch (SqlError& error) {
                if (gone(error)) return outcome_of(request, Action::absent, dry_run, {});
                error.report()["cleaned"] = cleaned.databases;
                error.report()["statements"] = cleaned.statements;
                throw;
            }
            for (std::size_t i = already; i < session.changes().size(); ++i) {
                cleaned.statements.push_back(session.changes()[i]);
            }
            // The first database's REASSIGN OWNED also gave away the shared objects.
            if (cleaned.databases.empty() && has_shared) describe_cleanup(before, request, "", cleaned);
            describe_cleanup(before, request, database, cleaned);
        }
        if (dry_run) {
            // Nothing was kept: what would be left is what the cleanup does not reach.
            if (auto left = left_by(before, request.cleanup()); !left.empty()) {
                throw blocked(connector, main, request, *oid, std::move(left), cleaned);
            }
            // DROP ROLE was proved above, up to what the cleanup takes away.
            cleaned.statements.push_back(drop_role.shown);
            return outcome_of(request, Action::dropped, true, cleaned);
        }
    }

    main.take_notice_codes();
    const std::size_t already = main.changes().size();
    Action action = Action::dropped;
    try {
        main.execute({drop_role});
        // IF EXISTS on an absent role: the server's "does not exist, skipping" notice.
        const auto codes = main.take_notice_codes();
        if (request.if_exists && std::find(codes.begin(), codes.end(), "00000") != codes.end()) {
            action = Action::absent;
        }
    } catch (const SqlError& error) {
        // Dropped by a concurrent run between the server's lookup and its delete (16 says
        // "could not find tuple for role").
        if (oid && gone(error)) return outcome_of(request, Action::absent, dry_run, cleaned);
        if (error.sqlstate() != "2BP01" || !oid) throw;
        throw blocked(connector, main, request, *oid, read_dependents(main, *oid), cleaned);
    }
    for (std::size_t i = already; i < main.changes().size(); ++i) {
        cleaned.statements.push_back(main.changes()[i]);
    }
    return outcome_of(request, action, dry_run, cleaned);
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-dropuser",
               .purpose = "pg-dropuser removes a PostgreSQL role.",
               .usage = {"pg-dropuser [OPTION]... ROLENAME",
                         "pg-dropuser --reassign-owned-to=ROLE --drop-owned [OPTION]... ROLENAME"},
               .closing = "With --if-exists, a role that does not exist is not an error: a second "
                          "run exits 0.\nWith --reassign-owned-to and --drop-owned, what the role "
                          "owns and its privileges,\nin every database, are given away or dropped "
                          "first; what still depends on it is named.",
               .database_option = DatabaseOption::maintenance_db});
    Request request;
    CLI::App& app = tool.app();
    app.add_flag("-i,--interactive", request.interactive,
                 "prompt before deleting anything, and for a missing name");
    app.add_flag("--if-exists", request.if_exists, "don't report error if user doesn't exist");
    app.add_option("--reassign-owned-to", request.reassign_to,
                   "first give what it owns, in every database, to ROLE")
        ->type_name("ROLE");
    app.add_flag("--drop-owned", request.drop_owned,
                 "first drop what it owns and its privileges, everywhere");
    app.add_option("arguments", request.arguments)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        validate(request);
        if (request.interactive) {
            // Asked before connecting, as dropuser does; only on a terminal.
            // As dropuser asks; what becomes of what it owns is said too.
            const std::string owned =
                request.reassign_to
                    ? fmt::format("What it owns in every database will be given to \"{}\".\n",
                                  *request.reassign_to)
                : request.drop_owned ? "What it owns in every database will be dropped with it.\n"
                                     : "";
            const auto sure = ask_yes_no_on_terminal(fmt::format(
                "Role \"{}\" will be permanently removed.\n{}Are you sure?", request.role, owned));
            if (!sure) {
                throw UsageError("-i/--interactive needs a terminal to ask on",
                                 "Leave -i out where nobody can answer (a script, a CI job).");
            }
            if (!*sure) return outcome_of(request, Action::unchanged, false, {});
        }
        return drop(tool, request);
    });
}

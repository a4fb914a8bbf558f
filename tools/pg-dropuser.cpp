/// pg-dropuser: dropuser's drop-in, safe to repeat, and able to clear the way.
///
/// The SQL is dropuser's: DROP ROLE [IF EXISTS] name. Added: --reassign-owned-to and
/// --drop-owned run REASSIGN OWNED / DROP OWNED in every database that allows connections and
/// holds something of the role's, each in its own transaction, before the DROP ROLE; what
/// still depends on the role is named, database by database, from pg_shdepend; --if-exists
/// reports "absent"; --dry-run proves.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
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
        request.role = ask_for_interactive("Enter name of role to drop: ");
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

std::string current_database(Session& session) {
    return std::string(session.query("SELECT pg_catalog.current_database()").text(0, 0));
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

std::string plural(std::size_t count, std::string_view noun) {
    return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

/// What the cleanup did (or would do), from what depended on the role before it.
struct Cleaned {
    std::vector<std::string> changes;
    nlohmann::json databases = nlohmann::json::array();
    std::vector<std::string> statements;
    bool shared_described = false;
};

/// Adds to the report what the cleanup did to `dependents` in `database` ("" for the shared
/// objects): counts per effect, and each database or tablespace given away by name.
void describe_cleanup(const std::vector<Dependent>& dependents, const Request& request,
                      const std::string& database, Cleaned& cleaned) {
    std::map<Effect, std::size_t> counts;
    std::vector<std::string> named;
    for (const auto& dependent : dependents) {
        if (dependent.database != database) continue;
        const Effect effect = effect_of(dependent, request.cleanup());
        if (effect == Effect::none) continue;
        ++counts[effect];
        if (effect == Effect::reassigned && database.empty() &&
            dependent.dependency == Dependency::owner && !dependent.identity.empty()) {
            // A database or tablespace: named, since it outlives the role under another owner.
            named.push_back(fmt::format("reassigned {} \"{}\" to \"{}\"", dependent.kind,
                                        dependent.identity, *request.reassign_to));
        }
    }
    cleaned.databases.push_back(
        {{"database", database.empty() ? nlohmann::json() : nlohmann::json(database)},
         {"reassigned", counts[Effect::reassigned]},
         {"dropped", counts[Effect::dropped]},
         {"revoked", counts[Effect::revoked]},
         {"default_privileges", counts[Effect::default_privileges]},
         {"memberships", counts[Effect::membership]}});
    std::vector<std::string> parts;
    const std::string noun = database.empty() ? "shared object" : "object";
    if (database.empty()) {
        for (auto& change : named) cleaned.changes.push_back(std::move(change));
        // Initial privileges and the like that were given away but are not owned objects.
        const std::size_t unnamed = counts[Effect::reassigned] - named.size();
        if (unnamed > 0) {
            parts.push_back(fmt::format("reassigned {} to \"{}\"", plural(unnamed, noun),
                                        *request.reassign_to));
        }
    } else if (counts[Effect::reassigned] > 0) {
        parts.push_back(fmt::format("reassigned {} to \"{}\"",
                                    plural(counts[Effect::reassigned], noun), *request.reassign_to));
    }
    if (counts[Effect::dropped] > 0) parts.push_back("dropped " + plural(counts[Effect::dropped], noun));
    if (counts[Effect::revoked] > 0) {
        parts.push_back("revoked privileges on " + plural(counts[Effect::revoked], noun));
    }
    if (counts[Effect::default_privileges] > 0) {
        parts.push_back("removed " + plural(counts[Effect::default_privileges], "default privileges setting"));
    }
    if (counts[Effect::membership] > 0) {
        parts.push_back("revoked " + plural(counts[Effect::membership], "membership") + " it granted");
    }
    if (parts.empty()) return;
    cleaned.changes.push_back(database.empty()
                                  ? join(parts, ", ")
                                  : fmt::format("in database \"{}\" {}", database, join(parts, ", ")));
}

/// psql's words for moving to another database, so that --echo reads as a script.
void echo_connect(const Session& main, const std::string& database) {
    if (main.options().echo) {
        std::fprintf(stderr, "\\connect %s\n", main.quote_ident(database).c_str());
    }
}

/// Why the role cannot be dropped: every dependent left, named in its own database where it
/// can be reached, counted where not.
Error blocked(Connector& connector, Session& main, const Request& request, const std::string& oid,
              std::vector<Dependent> left, const Cleaned& cleaned) {
    name_dependents(main, oid, left);
    const std::string here = current_database(main);
    std::set<std::string> visited = {here};
    for (const auto& dependent : left) {
        const std::string& database = dependent.database;
        if (database.empty() || !dependent.connectable || !visited.insert(database).second) continue;
        try {
            echo_connect(main, database);
            Session there = connector.connect_to_database(database);
            name_dependents(there, oid, left);
        } catch (const Error&) {
            // Not reachable (no CONNECT privilege...): its objects are counted, not named.
        }
    }
    const Cleanup cleanup = request.cleanup();
    std::vector<std::string> hints;
    bool unreachable = false, shared_owned = false, not_reached = false, left_anyway = false;
    for (const auto& dependent : left) {
        if (!dependent.connectable) {
            unreachable = true;
        } else if (effect_of(dependent, cleanup) != Effect::none) {
            left_anyway = true;  // what the cleanup takes, it could not here
        } else if (dependent.database.empty() && dependent.dependency == Dependency::owner &&
                   !cleanup.reassign) {
            shared_owned = true;
        } else {
            not_reached = true;
        }
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
        if (not_reached && !cleanup.drop) {
            hints.push_back("--reassign-owned-to gives away what it owns, not its privileges, "
                            "default privileges or user mappings: pass --drop-owned too.");
        }
        if (unreachable) {
            hints.push_back("A database that does not allow connections cannot be cleaned: "
                            "ALTER DATABASE ... ALLOW_CONNECTIONS true for the run, or drop it.");
        }
        if (left_anyway) {
            hints.push_back(
                "The cleanup would not take some away: a privilege granted by another role is "
                "revoked only by that role or a superuser (the server's warnings say which).");
        }
    }
    Error error(Exit::server,
                fmt::format("role \"{}\" cannot be dropped because some objects depend on it",
                            request.role),
                describe_all(left), join(hints, " "), "2BP01");
    nlohmann::json blockers = nlohmann::json::array();
    const auto or_null = [](const std::string& text) {
        return text.empty() ? nlohmann::json() : nlohmann::json(text);
    };
    for (const auto& dependent : left) {
        blockers.push_back({{"database", or_null(dependent.database)},
                            {"dependency", dependency_name(dependent.dependency)},
                            {"kind", or_null(dependent.kind)},
                            {"object", or_null(dependent.identity)}});
    }
    error.report()["blockers"] = std::move(blockers);
    error.report()["cleaned"] = cleaned.databases;
    error.report()["statements"] = cleaned.statements;
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
/// `here` (the maintenance database) comes first when it does, or when the role has shared
/// objects (a database, a tablespace), which the first REASSIGN OWNED or DROP OWNED takes;
/// then the others by name.
std::vector<std::string> databases_to_clean(const std::string& here,
                                            const std::vector<Dependent>& before) {
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

/// A database to clean, and the session on it (the maintenance session for its own).
struct Target {
    std::string database;
    std::optional<Session> own;
    Session* session = nullptr;
};

/// One database's cleanup for real, in one transaction: the advisory lock, what depends on
/// the role there now (for the report, read under the lock), REASSIGN OWNED / DROP OWNED.
/// A concurrent change of a shared row by a run cleaning another database ("tuple
/// concurrently updated") is tried again.
std::vector<Dependent> clean_database(Session& session, const Request& request,
                                      const std::string& oid) {
    constexpr int attempts = 3;
    for (int attempt = 1;; ++attempt) {
        std::vector<Statement> statements = cleanup_statements(session, request);
        const Statement lock = statements.front();
        statements.erase(statements.begin());
        session.query("BEGIN");
        try {
            session.query(lock.sql);
            std::vector<Dependent> found = read_dependents(session, oid, /*here_only=*/true);
            session.execute(statements);
            session.query("COMMIT");
            return found;
        } catch (const SqlError& error) {
            PQclear(PQexec(session.raw(), "ROLLBACK"));
            if (attempt < attempts && is_concurrent_catalog_change(error)) continue;
            throw;
        } catch (...) {
            PQclear(PQexec(session.raw(), "ROLLBACK"));
            throw;
        }
    }
}

Outcome drop(Tool& tool, const Request& request) {
    Connector connector = tool.connector();
    Session main = connector.connect_maintenance();
    const bool dry_run = main.options().dry_run;
    const Statement drop_role = drop_statement(main, request);
    Cleaned cleaned;
    const std::optional<std::string> oid = role_oid(main, request.role);
    // The role went meanwhile (a concurrent run dropped it): absent with --if-exists, else
    // the server's refusal for an absent role, whatever its words were mid-statement.
    const auto gone = [&]() { return !role_oid(main, request.role).has_value(); };
    const auto went_away = [&]() -> Outcome {
        if (request.if_exists) return outcome_of(request, Action::absent, dry_run, cleaned);
        throw Error(Exit::server, fmt::format("role \"{}\" does not exist", request.role), {},
                    "Another session dropped it while this run was at work.", "42704");
    };

    if (oid && request.reassign_to && !role_oid(main, *request.reassign_to)) {
        throw Error(Exit::server, fmt::format("role \"{}\" does not exist", *request.reassign_to),
                    {}, "--reassign-owned-to names the role to own what it owns: check the name, "
                        "or create that role first (pg-createuser).",
                    "42704");
    }
    if (oid && request.cleans_up()) {
        const std::string here = current_database(main);
        const std::vector<Dependent> before = read_dependents(main, *oid);
        std::vector<Dependent> named = before;
        name_dependents(main, *oid, named);  // the shared objects, for the report
        // 1. What DROP ROLE itself would refuse (not a superuser, the current user...), before
        //    anything is changed: only what depends on the role may stand in its way.
        try {
            main.prove({drop_role});
        } catch (const SqlError& error) {
            if (error.sqlstate() == "2BP01") {
                // What depends on it: the cleanup's to take away, tried next.
            } else if (gone()) {
                return went_away();
            } else {
                throw;
            }
        }
        // 2. Every database to clean, connected first (a refusal changes nothing yet); each
        //    cleanup tried in a transaction that is rolled back, and what the server leaves
        //    there read back: what would still block DROP ROLE, as the server decides.
        std::vector<Target> targets;
        for (const auto& database : databases_to_clean(here, before)) {
            Target& target = targets.emplace_back();
            target.database = database;
            if (database == here) {
                target.session = &main;
            } else {
                echo_connect(main, database);
                target.own.emplace(connector.connect_to_database(database));
                target.session = &*target.own;
            }
        }
        std::vector<Dependent> left;
        for (std::size_t i = 0; i < targets.size(); ++i) {
            Session& session = *targets[i].session;
            if (i > 0) echo_connect(main, targets[i].database);
            std::optional<Result> rows;
            // A run cleaning another database may commit a change of the same shared row
            // first ("tuple concurrently updated"): looking again sees it done.
            for (int attempt = 1; !rows; ++attempt) {
                try {
                    rows.emplace(session.probe(cleanup_statements(session, request),
                                               dependents_here_query(*oid)));
                } catch (const SqlError& error) {
                    if (gone()) return went_away();
                    if (attempt < 3 && is_concurrent_catalog_change(error)) continue;
                    throw;
                }
            }
            // The shared objects are taken by the first database's cleanup: what it leaves.
            for (auto& dependent : dependents_from(*rows)) {
                if (!dependent.database.empty() || i == 0) left.push_back(std::move(dependent));
            }
        }
        for (const auto& dependent : before) {
            if (!dependent.connectable) left.push_back(dependent);
        }
        if (!left.empty()) throw blocked(connector, main, request, *oid, std::move(left), cleaned);
        if (dry_run) {
            // Proved above, up to the DROP ROLE, which nothing kept can show: it is listed.
            if (std::any_of(named.begin(), named.end(), [](const Dependent& d) { return d.database.empty(); })) {
                describe_cleanup(named, request, "", cleaned);
            }
            for (const auto& target : targets) {
                describe_cleanup(named, request, target.database, cleaned);
                // As a real run lists them: the changes, not the lock.
                const auto statements = cleanup_statements(main, request);
                for (std::size_t k = 1; k < statements.size(); ++k) {
                    cleaned.statements.push_back(statements[k].shown);
                }
            }
            cleaned.statements.push_back(drop_role.shown);
            return outcome_of(request, Action::dropped, true, cleaned);
        }
        // 3. Each database cleaned for real, in its own transaction, committed one by one.
        for (std::size_t i = 0; i < targets.size(); ++i) {
            Session& session = *targets[i].session;
            if (targets[i].own) echo_connect(main, targets[i].database);
            const std::size_t already = session.changes().size();
            std::vector<Dependent> found;
            try {
                found = clean_database(session, request, *oid);
            } catch (Error& error) {
                if (gone()) return went_away();
                error.report()["cleaned"] = cleaned.databases;
                error.report()["statements"] = cleaned.statements;
                throw;
            }
            for (std::size_t k = already; k < session.changes().size(); ++k) {
                cleaned.statements.push_back(session.changes()[k]);
            }
            // Named as they were before the cleanup (the role no longer owns them now).
            for (auto& dependent : found) {
                for (const auto& known : named) {
                    if (known.database == dependent.database && known.object == dependent.object) {
                        dependent.kind = known.kind;
                        dependent.identity = known.identity;
                    }
                }
            }
            if (!cleaned.shared_described &&
                std::any_of(found.begin(), found.end(), [](const Dependent& d) { return d.database.empty(); })) {
                describe_cleanup(found, request, "", cleaned);
                cleaned.shared_described = true;
            }
            describe_cleanup(found, request, targets[i].database, cleaned);
        }
    }

    // 4. The role itself.
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
        if (oid && error.sqlstate() != "2BP01" && gone()) return went_away();
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
            if (!confirm_for_interactive(fmt::format(
                    "Role \"{}\" will be permanently removed.\n{}Are you sure?", request.role, owned))) {
                return outcome_of(request, Action::unchanged, false, {});
            }
        }
        return drop(tool, request);
    });
}

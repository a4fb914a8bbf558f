/// pg-dropdb: dropdb's drop-in, safe to repeat.
///
/// The SQL is dropdb's: DROP DATABASE [IF EXISTS] name [WITH (FORCE)]. Added: a database in
/// use is refused naming who is connected, --if-exists reports "absent" (also when a
/// concurrent run dropped it first), and --dry-run checks what DROP DATABASE would.

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/activity.hpp"
#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/password_prompt.hpp"
#include "common/tool.hpp"

namespace {

using namespace pgkit;

struct Request {
    std::vector<std::string> arguments;  // DBNAME
    std::string dbname;
    bool interactive = false, if_exists = false, force = false;
};

void validate(Request& request) {
    check_argument_count(request.arguments, 1);
    if (request.arguments.empty()) {
        throw UsageError("missing required argument database name");
    }
    request.dbname = request.arguments.front();
    check_identifier("database name", request.dbname);
}

std::string drop_statement(const Session& session, const Request& request) {
    return fmt::format("DROP DATABASE {}{}{}", request.if_exists ? "IF EXISTS " : "",
                       session.quote_ident(request.dbname), request.force ? " WITH (FORCE)" : "");
}

/// A database in use: the server's words, and who is connected (`detail`: sessions_on()).
Error in_use(const Request& request, std::string detail, const SqlError* error) {
    if (detail.empty() && error != nullptr) detail = error->detail();  // they left meanwhile
    return Error(Exit::server,
                 fmt::format("database \"{}\" is being accessed by other users", request.dbname),
                 detail,
                 "Close those sessions (pg_terminate_backend(pid)), or pass --force to end them "
                 "and keep new ones out while the database is dropped.",
                 "55006");
}

/// What DROP DATABASE checks, in its order, for --dry-run (it cannot run in a transaction to
/// be rolled back). Returns whether the database exists.
bool check_drop(Session& session, const Request& request) {
    const Result row = session.query(
        "SELECT d.datistemplate, d.datname = pg_catalog.current_database() AS current,"
        " r.rolsuper OR pg_catalog.pg_has_role(d.datdba, 'USAGE') AS owner"
        " FROM pg_catalog.pg_database d, pg_catalog.pg_roles r"
        " WHERE d.datname = $1 AND r.rolname = CURRENT_USER",
        {request.dbname});
    if (row.rows() == 0) {
        if (request.if_exists) return false;
        throw Error(Exit::server, fmt::format("database \"{}\" does not exist", request.dbname), {},
                    {}, "3D000");
    }
    const auto flag = [&row](const char* column) { return row.text(0, row.column(column)) == "t"; };
    if (!flag("owner")) {
        throw Error(Exit::server, fmt::format("must be owner of database {}", request.dbname), {},
                    {}, "42501");
    }
    if (flag("datistemplate")) {
        throw Error(Exit::server, "cannot drop a template database", {}, {}, "42809");
    }
    if (flag("current")) {
        throw Error(Exit::server, "cannot drop the currently open database", {}, {}, "55006");
    }
    if (!request.force) {
        if (std::string sessions = sessions_on(session, request.dbname); !sessions.empty()) {
            throw in_use(request, std::move(sessions), nullptr);
        }
    }
    return true;
}

/// The report, as the other tools make theirs (common/converge's report()).
Outcome outcome_of(const Request& request, Action action, bool dry_run,
                   const std::vector<std::string>& statements) {
    Outcome outcome;
    const std::string quoted = fmt::format("\"{}\"", request.dbname);
    outcome.text = action == Action::absent      ? fmt::format("database {} does not exist", quoted)
                   : action == Action::unchanged ? fmt::format("database {} kept", quoted)
                   : dry_run                     ? fmt::format("would drop database {}", quoted)
                                                 : fmt::format("dropped database {}", quoted);
    outcome.json = {{"database", request.dbname},
                    {"action", action_name(action)},
                    {"changes", nlohmann::json::array()},
                    {"dry_run", dry_run},
                    {"statements", statements}};
    return outcome;
}

Outcome drop(Tool& tool, const Request& request) {
    // As dropdb: no point in connecting to "postgres" to drop it.
    Session session = tool.connector().connect_maintenance(request.dbname == "postgres");
    const std::string sql = drop_statement(session, request);
    const bool dry_run = session.options().dry_run;
    Action action = Action::dropped;
    if (dry_run) {
        if (!check_drop(session, request)) action = Action::absent;
        session.execute(sql);  // recorded and echoed, not sent
    } else {
        session.take_notice_codes();
        try {
            session.execute(sql);
            // IF EXISTS on an absent database: the server's "does not exist, skipping" notice.
            const auto codes = session.take_notice_codes();
            if (request.if_exists && std::find(codes.begin(), codes.end(), "00000") != codes.end()) {
                action = Action::absent;
            }
        } catch (const SqlError& error) {
            // In use (55006), unless it is the database this session is on (55006 too).
            if (error.is(SqlCondition::object_in_use) && !request.force &&
                request.dbname != PQdb(session.raw())) {
                throw in_use(request, sessions_on(session, request.dbname), &error);
            }
            // Dropped by a concurrent run between the server's lookup and its lock.
            if (request.if_exists && error.sqlstate() == "3D000") {
                action = Action::absent;
            } else {
                throw;
            }
        }
    }
    return outcome_of(request, action, dry_run, session.changes());
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-dropdb",
               .purpose = "pg-dropdb removes a PostgreSQL database.",
               .usage = {"pg-dropdb [OPTION]... DBNAME"},
               .closing = "With --if-exists, a database that does not exist is not an error: a "
                          "second run exits 0.\nWith --force, the server ends the sessions on the "
                          "database first.",
               .database_option = DatabaseOption::maintenance_db});
    Request request;
    CLI::App& app = tool.app();
    app.add_flag("-i,--interactive", request.interactive, "prompt before deleting anything");
    app.add_flag("--if-exists", request.if_exists, "don't report error if database doesn't exist");
    app.add_flag("-f,--force", request.force, "try to terminate other connections before dropping");
    app.add_option("arguments", request.arguments)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        validate(request);
        if (request.interactive) {
            // Asked before connecting, as dropdb does; only on a terminal.
            if (!confirm_for_interactive(fmt::format(
                    "Database \"{}\" will be permanently removed.\nAre you sure?", request.dbname))) {
                return outcome_of(request, Action::unchanged, false, {});
            }
        }
        return drop(tool, request);
    });
}

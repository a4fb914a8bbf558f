#define BOOST_TEST_MODULE pg-dropuser against a real server
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <cstdlib>
#include <memory>
#include <sstream>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

using namespace pgkit::test;

namespace {

Outcome dropuser(const std::vector<std::string>& args) { return run_tool("pg-dropuser", args); }

bool role_exists(const std::string& name) {
    return admin().value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {name}) == "1";
}

std::string make_role(const std::string& prefix, const std::string& options = "") {
    const std::string name = unique_name(prefix);
    admin().exec("CREATE ROLE " + quote_ident(name) + " " + options);
    return name;
}

std::string make_database(const std::string& prefix) {
    const std::string name = unique_name(prefix);
    admin().exec("CREATE DATABASE " + quote_ident(name));
    return name;
}

void drop_database(const std::string& name) {
    admin().exec("DROP DATABASE IF EXISTS " + quote_ident(name) + " WITH (FORCE)");
}

/// A role that owns things across the cluster: a database, a schema with a table and a
/// sequence in another database, privileges on a table of someone else's and on the
/// "postgres" database, and default privileges; and the role that is to inherit them.
struct Owner {
    std::string role = make_role("doomed", "LOGIN");
    std::string heir = make_role("heir");
    std::string database = make_database("owned_db");  // where its objects are
    std::string owned = make_database("its_db");        // a database it owns

    Owner() {
        const std::string r = quote_ident(role);
        admin().exec("ALTER DATABASE " + quote_ident(owned) + " OWNER TO " + r);
        admin().exec("GRANT CONNECT ON DATABASE postgres TO " + r);
        Database inside(shared_cluster().conninfo(database));
        inside.exec("CREATE SCHEMA app AUTHORIZATION " + r);
        inside.exec("CREATE TABLE app.orders (id serial)");
        inside.exec("ALTER TABLE app.orders OWNER TO " + r);
        inside.exec("CREATE TABLE public.shared_table (id int)");
        inside.exec("GRANT SELECT ON public.shared_table TO " + r);
        inside.exec("ALTER DEFAULT PRIVILEGES FOR ROLE " + r + " GRANT SELECT ON TABLES TO " +
                    quote_ident(heir));
    }
    ~Owner() {
        drop_database(database);
        drop_database(owned);
        for (const auto& name : {role, heir}) {
            if (role_exists(name)) {
                admin().exec("DROP OWNED BY " + quote_ident(name));
                admin().exec("DROP ROLE " + quote_ident(name));
            }
        }
    }
    /// The owner of an object in `database`, by a query that names it there.
    std::optional<std::string> owner_in_database(const std::string& query) const {
        Database inside(shared_cluster().conninfo(database));
        return inside.value(query);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_usage_errors) {
    const Outcome help = dropuser({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-dropuser removes a PostgreSQL role.", 0) == 0);
    BOOST_TEST(dropuser({"-V"}).out.rfind("pg-dropuser (pgkit) ", 0) == 0);
    BOOST_TEST(dropuser({"--bogus", "x"}).exit_code == 2);
    const Outcome missing = dropuser({});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(contains(missing.err, "missing required argument role name"), missing.err);
    BOOST_TEST(dropuser({"a", "b"}).exit_code == 2);
    BOOST_TEST(dropuser({std::string(64, 'x')}).exit_code == 2);
    BOOST_TEST(dropuser({""}).exit_code == 2);
    const Outcome itself = dropuser({"--reassign-owned-to", "same", "same"});
    BOOST_TEST(itself.exit_code == 2);
    BOOST_TEST(contains(itself.err, "--reassign-owned-to names the role being dropped"), itself.err);
}

BOOST_AUTO_TEST_CASE(interactive_asks_on_a_terminal_only) {
    const std::string name = make_role("asked");
    // No terminal (a script): a usage error, nothing sent.
    const Outcome no_terminal = dropuser({"-i", name});
    BOOST_TEST(no_terminal.exit_code == 2);
    BOOST_TEST(contains(no_terminal.err, "-i/--interactive needs a terminal"), no_terminal.err);
    BOOST_TEST(role_exists(name));
    Command command;
    command.argv = {tool_path("pg-dropuser"), "-i", name};
    command.env = tool_env(shared_cluster());
    const Outcome kept = run_on_terminal(command, {{"(y/n) ", "n\n"}});
    BOOST_TEST(kept.exit_code == 0, kept.out);
    BOOST_TEST(contains(kept.out, "Role \"" + name + "\" will be permanently removed."), kept.out);
    BOOST_TEST(contains(kept.out, "role \"" + name + "\" kept"), kept.out);
    BOOST_TEST(role_exists(name));
    // What becomes of what it owns is said before the question.
    command.argv = {tool_path("pg-dropuser"), "-i", "--drop-owned", name};
    const Outcome warned = run_on_terminal(command, {{"(y/n) ", "n\n"}});
    BOOST_TEST(contains(warned.out, "What it owns in every database will be dropped with it."),
               warned.out);
    BOOST_TEST(role_exists(name));
    // Without a name, -i asks for it first, as dropuser does.
    command.argv = {tool_path("pg-dropuser"), "-i"};
    const Outcome dropped =
        run_on_terminal(command, {{"Enter name of role to drop: ", name + "\n"}, {"(y/n) ", "y\n"}});
    BOOST_TEST(dropped.exit_code == 0, dropped.out);
    BOOST_TEST(contains(dropped.out, "dropped role \"" + name + "\""), dropped.out);
    BOOST_TEST(!role_exists(name));
}

BOOST_AUTO_TEST_CASE(sends_the_same_sql_and_says_the_same_as_postgresqls_dropuser) {
    for (const auto& options : std::vector<std::vector<std::string>>{{}, {"--if-exists"}}) {
        const std::string name = make_role("samesql");
        std::vector<std::string> args = {"-e"};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back(name);
        Command theirs;
        theirs.argv = {shared_cluster().client_tool("dropuser")};
        theirs.argv.insert(theirs.argv.end(), args.begin(), args.end());
        theirs.env = tool_env(shared_cluster());
        const Outcome reference = run(theirs);
        BOOST_TEST_REQUIRE(reference.exit_code == 0, reference.err);
        admin().exec("CREATE ROLE " + quote_ident(name));
        const Outcome ours = dropuser(args);
        BOOST_TEST(ours.exit_code == 0, ours.err);
        BOOST_TEST(echoed_statements(ours.err, "DROP ROLE") == echoed_statements(reference.out, "DROP ROLE"),
                   ours.err << "\nvs\n" << reference.out);
        BOOST_TEST(!role_exists(name));
        // An absent role: both refuse with the server's words, exit 1.
        if (options.empty()) {
            const Outcome their_refusal = run(theirs);
            const Outcome our_refusal = dropuser(args);
            BOOST_TEST(their_refusal.exit_code == 1);
            BOOST_TEST(our_refusal.exit_code == 1);
            const std::string words = "role \"" + name + "\" does not exist";
            BOOST_TEST(contains(their_refusal.err, words), their_refusal.err);
            BOOST_TEST(first_error_line(our_refusal.err) == "error: " + words, our_refusal.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(takes_every_option_of_postgresqls_dropuser_with_the_same_letters) {
    Command theirs;
    theirs.argv = {shared_cluster().client_tool("dropuser"), "--help"};
    const Outcome reference = run(theirs);
    BOOST_TEST_REQUIRE(reference.exit_code == 0, reference.err);
    const auto their_options = options_in_help(reference.out);
    BOOST_TEST_REQUIRE(their_options.count("-e/--echo") == 1U, reference.out);
    const auto our_options = options_in_help(dropuser({"--help"}).out);
    for (const auto& option : their_options) {
        BOOST_TEST(our_options.count(option) == 1U, option);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dropping)

BOOST_AUTO_TEST_CASE(drops_then_a_second_run_says_it_is_absent) {
    const std::string name = make_role("gone");
    const Outcome first = dropuser({name});
    BOOST_TEST(first.exit_code == 0, first.err);
    BOOST_TEST(first.out == "dropped role \"" + name + "\"\n");
    BOOST_TEST(!role_exists(name));
    const Outcome again = dropuser({name});
    BOOST_TEST(again.exit_code == 1);
    BOOST_TEST(contains(again.err, "role \"" + name + "\" does not exist"), again.err);
    const Outcome absent = dropuser({"--if-exists", name});
    BOOST_TEST(absent.exit_code == 0, absent.err);
    BOOST_TEST(absent.out == "role \"" + name + "\" does not exist\n");
    for (const auto& cleanup : std::vector<std::string>{"--drop-owned", "--reassign-owned-to=postgres"}) {
        const Outcome json = dropuser({"--if-exists", cleanup, "--format", "json", name});
        BOOST_TEST(json.exit_code == 0, json.err);
        const auto document = nlohmann::json::parse(json.out);
        BOOST_TEST(document["action"] == "absent");
        BOOST_TEST(document["ok"] == true);
    }
}

BOOST_AUTO_TEST_CASE(hostile_names_are_dropped_exactly) {
    const std::string decoy = make_role("we");
    const std::string name = decoy + "\" OR \"x; DROP";
    const std::string heir = decoy + "'; DROP ROLE postgres; --";
    admin().exec("CREATE ROLE " + quote_ident(name));
    admin().exec("CREATE ROLE " + quote_ident(heir));
    const std::string database = make_database("hostile_owned");
    admin().exec("ALTER DATABASE " + quote_ident(database) + " OWNER TO " + quote_ident(name));
    const Outcome result = dropuser({"--reassign-owned-to", heir, "--drop-owned", name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(!role_exists(name));
    BOOST_TEST(role_exists(decoy));
    BOOST_TEST(admin().value("SELECT datdba::regrole::text FROM pg_database WHERE datname = $1",
                             {database}) == quote_ident(heir));
    drop_database(database);
    BOOST_TEST(dropuser({heir}).exit_code == 0);
    BOOST_TEST(dropuser({decoy}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(what_blocks_the_drop_is_named_per_database_and_nothing_is_changed) {
    const Owner owner;
    const Outcome refused = dropuser({owner.role});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(contains(refused.err, "role \"" + owner.role +
                                         "\" cannot be dropped because some objects depend on it"),
               refused.err);
    BOOST_TEST(contains(refused.err, "detail: shared: privileges on database postgres"), refused.err);
    BOOST_TEST(contains(refused.err, "owner of database " + owner.owned), refused.err);
    BOOST_TEST(contains(refused.err, "in database \"" + owner.database + "\": "), refused.err);
    for (const auto& object : {"owner of schema app", "owner of table app.orders",
                               "privileges on table public.shared_table",
                               "owner of default acl for role "}) {
        BOOST_TEST(contains(refused.err, object), object << " in " << refused.err);
    }
    BOOST_TEST(contains(refused.err, "hint: Pass --reassign-owned-to=ROLE"), refused.err);
    BOOST_TEST(role_exists(owner.role));
    // JSON lists every blocker with its database and kind.
    const Outcome json = dropuser({"--format", "json", owner.role});
    const auto document = nlohmann::json::parse(json.out);
    BOOST_TEST(document["ok"] == false);
    BOOST_TEST(document["sqlstate"] == "2BP01");
    bool table_found = false;
    for (const auto& blocker : document["blockers"]) {
        if (blocker["kind"] == "table" && blocker["object"] == "app.orders") {
            table_found = blocker["database"] == owner.database && blocker["dependency"] == "owner";
        }
    }
    BOOST_TEST(table_found, json.out);
    BOOST_TEST(owner.owner_in_database("SELECT relowner::regrole::text FROM pg_class WHERE oid = "
                                       "'app.orders'::regclass") == owner.role);
}

BOOST_AUTO_TEST_CASE(reassign_and_drop_owned_clear_every_database_then_drop) {
    const Owner owner;
    const Outcome result = dropuser({"--reassign-owned-to", owner.heir, "--drop-owned", owner.role});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(!role_exists(owner.role));
    BOOST_TEST(contains(result.out, "dropped role \"" + owner.role + "\": "), result.out);
    BOOST_TEST(contains(result.out, "reassigned database \"" + owner.owned + "\" to \"" + owner.heir + "\""),
               result.out);
    BOOST_TEST(contains(result.out, "in database \"" + owner.database + "\" reassigned 3 objects to \"" +
                                        owner.heir + "\", revoked privileges on 1 object, removed 1 "
                                        "default privileges setting"),
               result.out);
    // The catalog: the shared database and the objects are the heir's now.
    BOOST_TEST(admin().value("SELECT datdba::regrole::text FROM pg_database WHERE datname = $1",
                             {owner.owned}) == owner.heir);
    BOOST_TEST(owner.owner_in_database("SELECT nspowner::regrole::text FROM pg_namespace WHERE "
                                       "nspname = 'app'") == owner.heir);
    BOOST_TEST(owner.owner_in_database("SELECT relowner::regrole::text FROM pg_class WHERE oid = "
                                       "'app.orders'::regclass") == owner.heir);
    BOOST_TEST(owner.owner_in_database("SELECT count(*) FROM pg_default_acl") == "0");
}

BOOST_AUTO_TEST_CASE(a_tablespace_it_owns_is_reassigned_and_reported) {
    const std::string role = make_role("spaceowner"), heir = make_role("spaceheir");
    const std::string space = unique_name("space");
    // A directory of its own, owned as the cluster's tablespace directory is (by the server's
    // OS user).
    const std::string parent = shared_cluster().var("PGKIT_CLUSTER_TABLESPACE_DIR");
    const std::string dir = parent + "/" + space;
    BOOST_TEST_REQUIRE(std::system(("mkdir '" + dir + "' && chown --reference='" + parent + "' '" +
                                    dir + "'").c_str()) == 0);
    admin().exec("CREATE TABLESPACE " + quote_ident(space) + " OWNER " + quote_ident(role) +
                 " LOCATION '" + dir + "'");
    const Outcome json = dropuser({"--reassign-owned-to", heir, "--format", "json", role});
    BOOST_TEST(json.exit_code == 0, json.err);
    const auto document = nlohmann::json::parse(json.out);
    BOOST_TEST(document["action"] == "dropped");
    BOOST_TEST(contains(document["changes"].dump(),
                        "reassigned tablespace \\\"" + space + "\\\" to \\\"" + heir + "\\\""),
               json.out);
    BOOST_TEST(admin().value("SELECT spcowner::regrole::text FROM pg_tablespace WHERE spcname = $1",
                             {space}) == heir);
    admin().exec("DROP TABLESPACE " + quote_ident(space));
    admin().exec("DROP ROLE " + quote_ident(heir));
}

BOOST_AUTO_TEST_CASE(drop_owned_alone_drops_its_objects_but_not_a_database_it_owns) {
    const Owner owner;
    const Outcome result = dropuser({"--drop-owned", owner.role});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "detail: shared: owner of database " + owner.owned), result.err);
    BOOST_TEST(contains(result.err, "--drop-owned does not drop databases or tablespaces"), result.err);
    BOOST_TEST(role_exists(owner.role));
    // Known before anything was changed: nothing was dropped.
    BOOST_TEST(owner.owner_in_database("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'") == "1");
    BOOST_TEST(owner.owner_in_database("SELECT count(*) FROM pg_default_acl") == "1");
    // With the heir named too, what is left goes and the role with it.
    const Outcome again = dropuser({"--drop-owned", "--reassign-owned-to", owner.heir, owner.role});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(!role_exists(owner.role));
}

BOOST_AUTO_TEST_CASE(reassign_alone_leaves_its_privileges_and_says_so) {
    const Owner owner;
    const Outcome result = dropuser({"--reassign-owned-to", owner.heir, owner.role});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "privileges on table public.shared_table"), result.err);
    BOOST_TEST(contains(result.err, "pass --drop-owned too"), result.err);
    BOOST_TEST(!contains(result.err, "owner of table"), result.err);
    // Known before anything was changed: nothing was given away.
    BOOST_TEST(owner.owner_in_database("SELECT relowner::regrole::text FROM pg_class WHERE oid = "
                                       "'app.orders'::regclass") == owner.role);
    BOOST_TEST(role_exists(owner.role));
}

BOOST_AUTO_TEST_CASE(a_database_without_connections_is_named_and_left_alone) {
    const Owner owner;
    admin().exec("ALTER DATABASE " + quote_ident(owner.database) + " ALLOW_CONNECTIONS false");
    const Outcome result = dropuser({"--reassign-owned-to", owner.heir, "--drop-owned",
                                     "--format", "json", owner.role});
    BOOST_TEST(result.exit_code == 1);
    const auto document = nlohmann::json::parse(result.out);
    BOOST_TEST(contains(document["detail"].get<std::string>(),
                        "in database \"" + owner.database + "\" (does not allow connections): owner of 4 objects, privileges on 1 object"),
               result.out);
    BOOST_TEST(contains(document["hint"].get<std::string>(), "does not allow connections"), result.out);
    // Known before anything was changed: nothing was given away.
    BOOST_TEST(admin().value("SELECT datdba::regrole::text FROM pg_database WHERE datname = $1",
                             {owner.owned}) == owner.role);
    BOOST_TEST(document["cleaned"].empty());
    BOOST_TEST(role_exists(owner.role));
    admin().exec("ALTER DATABASE " + quote_ident(owner.database) + " ALLOW_CONNECTIONS true");
}

BOOST_AUTO_TEST_CASE(a_refusal_of_drop_role_itself_comes_before_any_change) {
    // A role with CREATEROLE may not drop a superuser: nothing is reassigned first.
    const std::string manager = make_role("manager", "LOGIN CREATEROLE");
    const std::string boss = make_role("boss", "SUPERUSER");
    const std::string database = make_database("boss_db");
    admin().exec("ALTER DATABASE " + quote_ident(database) + " OWNER TO " + quote_ident(boss));
    const Outcome result = dropuser({"-e", "-U", manager, "--reassign-owned-to", manager,
                                     "--drop-owned", boss});
    BOOST_TEST(result.exit_code == 1, result.err);
    BOOST_TEST(!contains(result.err, "REASSIGN OWNED"), result.err);
    BOOST_TEST(admin().value("SELECT datdba::regrole::text FROM pg_database WHERE datname = $1",
                             {database}) == boss);
    BOOST_TEST(role_exists(boss));
    drop_database(database);
    admin().exec("DROP ROLE " + quote_ident(boss));
    admin().exec("DROP ROLE " + quote_ident(manager));
}

BOOST_AUTO_TEST_CASE(only_databases_that_hold_something_of_the_role_are_visited) {
    // A manager (CREATEROLE, a member of the role, as REASSIGN/DROP OWNED ask) that may not
    // connect to one database, where the role has nothing: it is not visited at all.
    const std::string manager = make_role("manager", "LOGIN CREATEROLE");
    Database as_manager(shared_cluster().conninfo() + " user=" + manager);
    const std::string victim = unique_name("victim");
    as_manager.exec("CREATE ROLE " + quote_ident(victim));
    as_manager.exec("GRANT " + quote_ident(victim) + " TO " + quote_ident(manager));
    const std::string closed = make_database("closed");
    admin().exec("REVOKE CONNECT ON DATABASE " + quote_ident(closed) + " FROM PUBLIC");
    const std::string database = make_database("victims");
    Database inside(shared_cluster().conninfo(database));
    inside.exec("CREATE TABLE granted (id int)");
    inside.exec("GRANT SELECT ON granted TO " + quote_ident(victim));
    // A privilege the superuser granted: DROP OWNED run by the manager cannot revoke it, and
    // the error says why.
    const Outcome dry = dropuser({"--dry-run", "-U", manager, "--drop-owned", victim});
    const Outcome refused = dropuser({"-U", manager, "--drop-owned", victim});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(dry.exit_code == 1);
    BOOST_TEST(first_error_line(dry.err) == first_error_line(refused.err));
    BOOST_TEST(contains(refused.err, "warning: no privileges could be revoked for \"granted\""),
               refused.err);
    BOOST_TEST(contains(refused.err, "detail: in database \"" + database +
                                         "\": privileges on table public.granted"),
               refused.err);
    BOOST_TEST(contains(refused.err, "a privilege granted by another role is revoked only by that "
                                     "role or a superuser"),
               refused.err);
    BOOST_TEST(inside.value("SELECT count(*) FROM pg_class WHERE relname = 'granted'") == "1");
    inside.exec("REVOKE SELECT ON granted FROM " + quote_ident(victim));
    // What the role owns there, the manager may drop.
    inside.exec("CREATE TABLE owned (id int)");
    inside.exec("ALTER TABLE owned OWNER TO " + quote_ident(victim));
    const Outcome result = dropuser({"-e", "-U", manager, "--drop-owned", victim});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(contains(result.err, "\\connect \"" + database + "\"\n"), result.err);
    BOOST_TEST(!contains(result.err, "\\connect \"" + closed + "\""), result.err);
    BOOST_TEST(!contains(result.err, "\\connect \"template1\""), result.err);
    BOOST_TEST(!contains(result.err, "warning"), result.err);
    BOOST_TEST(!role_exists(victim));
    BOOST_TEST(inside.value("SELECT count(*) FROM pg_class WHERE relname = 'owned'") == "0");
    drop_database(closed);
    drop_database(database);
    admin().exec("DROP ROLE " + quote_ident(manager));
}

BOOST_AUTO_TEST_CASE(eight_runs_at_once_all_exit_0_and_one_drops) {
    for (const bool cleanup : {false, true}) {
        std::unique_ptr<Owner> owner;
        std::string name;
        std::vector<std::string> args = {"--if-exists", "--format", "json"};
        if (cleanup) {
            owner = std::make_unique<Owner>();
            name = owner->role;
            args.insert(args.end(), {"--reassign-owned-to", owner->heir, "--drop-owned"});
        } else {
            name = make_role("raced");
        }
        args.push_back(name);
        std::vector<Running> runs;
        for (int i = 0; i < 8; ++i) runs.push_back(start_tool("pg-dropuser", args));
        int dropped = 0;
        for (auto& run : runs) {
            const Outcome result = wait_at_most(run, 120);
            BOOST_TEST(result.exit_code == 0, result.err);
            const auto json = nlohmann::json::parse(result.out);
            if (json["action"] == "dropped") ++dropped;
            else BOOST_TEST(json["action"] == "absent");
        }
        BOOST_TEST(dropped == 1, "cleanup: " << cleanup);
        BOOST_TEST(!role_exists(name));
        if (owner) {
            BOOST_TEST(owner->owner_in_database("SELECT relowner::regrole::text FROM pg_class "
                                                "WHERE oid = 'app.orders'::regclass") == owner->heir);
        }
    }
}

BOOST_AUTO_TEST_CASE(ctrl_c_while_waiting_for_a_lock_keeps_the_role_and_its_objects) {
    const Owner owner;
    Database holder(shared_cluster().conninfo(owner.database));
    holder.exec("BEGIN");
    holder.exec("LOCK TABLE app.orders IN ACCESS EXCLUSIVE MODE");
    // A name of its own: other suites' runs (through the pooler, whose server connections
    // keep the tool's name) are not this run's sessions.
    const std::string application = unique_name("dropuser_interrupted");
    Running run = start_tool("pg-dropuser", {"--reassign-owned-to", owner.heir, owner.role},
                             {{"PGAPPNAME", application}});
    const std::string sessions =
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1";
    BOOST_TEST_REQUIRE(eventually([&] {
        return admin().value(sessions + " AND wait_event_type = 'Lock'", {application}) == "1";
    }));
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130, result.err);
    holder.exec("ROLLBACK");
    BOOST_TEST(role_exists(owner.role));
    BOOST_TEST(owner.owner_in_database("SELECT relowner::regrole::text FROM pg_class WHERE oid = "
                                       "'app.orders'::regclass") == owner.role);
    BOOST_TEST(eventually([&] { return admin().value(sessions, {application}) == "0"; }));
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_is_exit_3) {
    const Outcome result = dropuser({"-h", "127.0.0.1", "-p", unused_port(), "whatever"});
    BOOST_TEST(result.exit_code == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dry_run)

BOOST_AUTO_TEST_CASE(a_dry_run_fails_where_the_real_run_fails_and_changes_nothing) {
    const std::string plain = make_role("plain", "LOGIN");
    const std::vector<std::pair<std::string, std::vector<std::string>>> faults = {
        {"absent", {unique_name("nosuch")}},
        {"owns things", {}},
        {"owns a database", {"--drop-owned"}},
        {"has privileges", {"--reassign-owned-to", "HEIR"}},
        {"no such heir", {"--reassign-owned-to", unique_name("nobody"), "--drop-owned"}},
        {"not allowed", {"-U", plain, "--drop-owned"}},
    };
    for (const auto& [what, options] : faults) {
        const Owner owner;
        std::vector<std::string> args;
        for (const auto& option : options) args.push_back(option == "HEIR" ? owner.heir : option);
        if (what != "absent") args.push_back(owner.role);
        std::vector<std::string> dry_args = args;
        dry_args.insert(dry_args.begin(), "--dry-run");
        const Outcome dry = dropuser(dry_args);
        BOOST_TEST(owner.owner_in_database("SELECT relowner::regrole::text FROM pg_class WHERE "
                                           "oid = 'app.orders'::regclass") == owner.role, what);
        const Outcome real = dropuser(args);
        BOOST_TEST(real.exit_code == 1, what << ": " << real.err);
        BOOST_TEST(dry.exit_code == real.exit_code, what << ": " << dry.err);
        BOOST_TEST(first_line(dry.err) == first_line(real.err), what);
    }
    // What can be dropped: "would drop", the statements listed, nothing changed.
    const Owner owner;
    const Outcome would = dropuser({"--dry-run", "--format", "json", "--reassign-owned-to",
                                    owner.heir, "--drop-owned", owner.role});
    BOOST_TEST(would.exit_code == 0, would.err);
    const auto json = nlohmann::json::parse(would.out);
    BOOST_TEST(json["action"] == "dropped");
    BOOST_TEST(json["dry_run"] == true);
    BOOST_TEST(json["statements"].back() == "DROP ROLE \"" + owner.role + "\"");
    BOOST_TEST(role_exists(owner.role));
    BOOST_TEST(admin().value("SELECT datdba::regrole::text FROM pg_database WHERE datname = $1",
                             {owner.owned}) == owner.role);
    BOOST_TEST(owner.owner_in_database("SELECT count(*) FROM pg_default_acl") == "1");
    BOOST_TEST(dropuser({"--dry-run", "--if-exists", unique_name("nosuch")}).exit_code == 0);
    admin().exec("DROP ROLE " + quote_ident(plain));
}

BOOST_AUTO_TEST_SUITE_END()

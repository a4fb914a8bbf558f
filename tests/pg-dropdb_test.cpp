#define BOOST_TEST_MODULE pg-dropdb against a real server
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <sstream>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

using namespace pgkit::test;

namespace {

Outcome dropdb(const std::vector<std::string>& args) { return run_tool("pg-dropdb", args); }

bool database_exists(const std::string& name) {
    return admin().value("SELECT count(*) FROM pg_database WHERE datname = $1", {name}) == "1";
}

std::string make_database(const std::string& prefix) {
    const std::string name = unique_name(prefix);
    admin().exec("CREATE DATABASE " + quote_ident(name));
    return name;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_usage_errors) {
    const Outcome help = dropdb({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-dropdb removes a PostgreSQL database.", 0) == 0);
    BOOST_TEST(dropdb({"-V"}).out.rfind("pg-dropdb (pgkit) ", 0) == 0);
    BOOST_TEST(dropdb({"--bogus", "x"}).exit_code == 2);
    const Outcome missing = dropdb({});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(contains(missing.err, "missing required argument database name"), missing.err);
    BOOST_TEST(dropdb({"a", "b"}).exit_code == 2);
    BOOST_TEST(dropdb({std::string(64, 'x')}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(interactive_asks_on_a_terminal_only) {
    const std::string name = make_database("asked");
    // No terminal (a script): a usage error, nothing sent.
    const Outcome no_terminal = dropdb({"-i", name});
    BOOST_TEST(no_terminal.exit_code == 2);
    BOOST_TEST(contains(no_terminal.err, "-i/--interactive needs a terminal"), no_terminal.err);
    BOOST_TEST(database_exists(name));
    Command command;
    command.argv = {tool_path("pg-dropdb"), "-i", name};
    command.env = tool_env(shared_cluster());
    const Outcome kept = run_on_terminal(command, {{"(y/n) ", "n\n"}});
    BOOST_TEST(kept.exit_code == 0, kept.out);
    BOOST_TEST(contains(kept.out, "Database \"" + name + "\" will be permanently removed."), kept.out);
    BOOST_TEST(contains(kept.out, "database \"" + name + "\" kept"), kept.out);
    BOOST_TEST(database_exists(name));
    const Outcome dropped = run_on_terminal(command, {{"(y/n) ", "y\n"}});
    BOOST_TEST(dropped.exit_code == 0, dropped.out);
    BOOST_TEST(contains(dropped.out, "dropped database \"" + name + "\""), dropped.out);
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(sends_the_same_sql_and_says_the_same_as_postgresqls_dropdb) {
    for (const auto& options : std::vector<std::vector<std::string>>{{}, {"--if-exists", "-f"}}) {
        const std::string name = make_database("samesql");
        std::vector<std::string> args = {"-e"};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back(name);
        Command theirs;
        theirs.argv = {shared_cluster().client_tool("dropdb")};
        theirs.argv.insert(theirs.argv.end(), args.begin(), args.end());
        theirs.env = tool_env(shared_cluster());
        const Outcome reference = run(theirs);
        BOOST_TEST_REQUIRE(reference.exit_code == 0, reference.err);
        admin().exec("CREATE DATABASE " + quote_ident(name));
        const Outcome ours = dropdb(args);
        BOOST_TEST(ours.exit_code == 0, ours.err);
        BOOST_TEST(echoed_statements(ours.err, "DROP DATABASE") == echoed_statements(reference.out, "DROP DATABASE"),
                   ours.err << "\nvs\n" << reference.out);
        BOOST_TEST(!database_exists(name));
        // An absent database: both refuse with the server's words, exit 1.
        if (options.empty()) {
            const Outcome their_refusal = run(theirs);
            const Outcome our_refusal = dropdb(args);
            BOOST_TEST(their_refusal.exit_code == 1);
            BOOST_TEST(our_refusal.exit_code == 1);
            const std::string words = "database \"" + name + "\" does not exist";
            BOOST_TEST(contains(their_refusal.err, words), their_refusal.err);
            BOOST_TEST(first_error_line(our_refusal.err) == "error: " + words, our_refusal.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(takes_every_option_of_postgresqls_dropdb_with_the_same_letters) {
    Command theirs;
    theirs.argv = {shared_cluster().client_tool("dropdb"), "--help"};
    const Outcome reference = run(theirs);
    BOOST_TEST_REQUIRE(reference.exit_code == 0, reference.err);
    const auto their_options = options_in_help(reference.out);
    BOOST_TEST_REQUIRE(their_options.count("-e/--echo") == 1U, reference.out);
    const auto our_options = options_in_help(dropdb({"--help"}).out);
    for (const auto& option : their_options) {
        BOOST_TEST(our_options.count(option) == 1U, option);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dropping)

BOOST_AUTO_TEST_CASE(drops_then_a_second_run_says_it_is_absent) {
    const std::string name = make_database("gone");
    const Outcome first = dropdb({name});
    BOOST_TEST(first.exit_code == 0, first.err);
    BOOST_TEST(first.out == "dropped database \"" + name + "\"\n");
    BOOST_TEST(!database_exists(name));
    // As dropdb: an absent database is the server's refusal, exit 1.
    const Outcome again = dropdb({name});
    BOOST_TEST(again.exit_code == 1);
    BOOST_TEST(contains(again.err, "database \"" + name + "\" does not exist"), again.err);
    // With --if-exists: exit 0, and it says so, in text and JSON.
    const Outcome absent = dropdb({"--if-exists", name});
    BOOST_TEST(absent.exit_code == 0, absent.err);
    BOOST_TEST(absent.out == "database \"" + name + "\" does not exist\n");
    const auto json = nlohmann::json::parse(dropdb({"--if-exists", "--format", "json", name}).out);
    BOOST_TEST(json["action"] == "absent");
    BOOST_TEST(json["ok"] == true);
}

BOOST_AUTO_TEST_CASE(hostile_names_are_dropped_exactly) {
    const std::string decoy = unique_name("we");
    const std::string name = decoy + "\" OR \"x; DROP";
    admin().exec("CREATE DATABASE " + quote_ident(decoy));
    admin().exec("CREATE DATABASE " + quote_ident(name));
    BOOST_TEST(dropdb({name}).exit_code == 0);
    BOOST_TEST(!database_exists(name));
    BOOST_TEST(database_exists(decoy));
    BOOST_TEST(dropdb({decoy}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(a_database_in_use_is_refused_naming_its_sessions_and_force_ends_them) {
    const std::string name = make_database("busy");
    Database user(shared_cluster().conninfo(name));
    const std::string pid = *user.value("SELECT pg_backend_pid()");
    const Outcome refused = dropdb({name});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(contains(refused.err, "database \"" + name + "\" is being accessed by other users"),
               refused.err);
    BOOST_TEST(contains(refused.err, "detail: Connected to it: pid " + pid + " (user postgres"),
               refused.err);
    BOOST_TEST(contains(refused.err, "hint: "), refused.err);
    BOOST_TEST(database_exists(name));
    const Outcome forced = dropdb({"--force", name});
    BOOST_TEST(forced.exit_code == 0, forced.err);
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(eight_runs_at_once_all_exit_0_and_one_drops) {
    const std::string name = make_database("raced");
    std::vector<Running> runs;
    for (int i = 0; i < 8; ++i) {
        runs.push_back(start_tool("pg-dropdb", {"--if-exists", "--format", "json", name}));
    }
    int dropped = 0;
    for (auto& run : runs) {
        const Outcome result = run.wait();
        BOOST_TEST(result.exit_code == 0, result.err);
        const auto json = nlohmann::json::parse(result.out);
        if (json["action"] == "dropped") ++dropped;
        else BOOST_TEST(json["action"] == "absent");
    }
    BOOST_TEST(dropped == 1);
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(ctrl_c_while_the_server_waits_for_sessions_to_leave_keeps_the_database) {
    const std::string name = make_database("interrupted");
    Database user(shared_cluster().conninfo(name));
    // A name of its own: other suites' runs (through the pooler, whose server connections
    // keep the tool's name) are not this run's sessions.
    const std::string application = unique_name("dropdb_interrupted");
    const std::string sessions =
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1";
    // DROP DATABASE waits up to 5 s for the other sessions to leave: interrupt it then.
    Running run = start_tool("pg-dropdb", {name}, {{"PGAPPNAME", application}});
    BOOST_TEST_REQUIRE(eventually([&] {
        return admin().value(sessions + " AND query LIKE 'DROP DATABASE%' AND state = 'active'",
                             {application}) == "1";
    }));
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130, result.err);
    BOOST_TEST(database_exists(name));
    BOOST_TEST(eventually([&] { return admin().value(sessions, {application}) == "0"; }));
    BOOST_TEST(dropdb({"--force", name}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_is_exit_3) {
    const Outcome result = dropdb({"-h", "127.0.0.1", "-p", unused_port(), "whatever"});
    BOOST_TEST(result.exit_code == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dry_run)

BOOST_AUTO_TEST_CASE(a_dry_run_fails_where_the_real_run_fails_and_drops_nothing) {
    const std::string plain = unique_name("dropper");
    admin().exec("CREATE ROLE " + plain + " LOGIN");
    const std::string owned = make_database("notmine");
    const std::string templ = make_database("istemplate");
    admin().exec("ALTER DATABASE " + templ + " IS_TEMPLATE true");
    const std::string busy = make_database("dryruns_busy");
    Database user(shared_cluster().conninfo(busy));
    const std::vector<std::vector<std::string>> faults = {
        {unique_name("nosuch")},
        {"-U", plain, owned},
        {templ},
        {"--maintenance-db", owned, owned},
        {busy},
    };
    for (const auto& fault : faults) {
        std::vector<std::string> dry_args = fault;
        dry_args.insert(dry_args.begin(), "--dry-run");
        const Outcome dry = dropdb(dry_args);
        const Outcome real = dropdb(fault);
        BOOST_TEST(real.exit_code == 1, fault.back());
        BOOST_TEST(dry.exit_code == real.exit_code, fault.back() << ": " << dry.err);
        BOOST_TEST(first_line(dry.err) == first_line(real.err), fault.back());
    }
    BOOST_TEST(database_exists(owned));
    BOOST_TEST(database_exists(templ));
    BOOST_TEST(database_exists(busy));
    // What can be dropped: "would drop", the statement listed, nothing dropped.
    const Outcome would = dropdb({"--dry-run", "--format", "json", "--force", busy});
    BOOST_TEST(would.exit_code == 0, would.err);
    const auto json = nlohmann::json::parse(would.out);
    BOOST_TEST(json["action"] == "dropped");
    BOOST_TEST(json["dry_run"] == true);
    BOOST_TEST(json["statements"][0] == "DROP DATABASE \"" + busy + "\" WITH (FORCE)");
    BOOST_TEST(database_exists(busy));
    BOOST_TEST(dropdb({"--dry-run", "--if-exists", unique_name("nosuch")}).exit_code == 0);
    admin().exec("ALTER DATABASE " + templ + " IS_TEMPLATE false");
    for (const auto& name : {owned, templ}) BOOST_TEST(dropdb({name}).exit_code == 0);
    BOOST_TEST(dropdb({"--force", busy}).exit_code == 0);
    admin().exec("DROP ROLE " + plain);
}

BOOST_AUTO_TEST_SUITE_END()

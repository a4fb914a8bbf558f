#define BOOST_TEST_MODULE pg-createschema against a real server
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <memory>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

using namespace pgkit::test;

namespace {

/// A database of its own for each test, dropped after it.
struct Scratch {
    std::string name = unique_name("schemas");
    std::unique_ptr<Database> db;
    Scratch() {
        admin().exec("CREATE DATABASE " + name);
        db = std::make_unique<Database>(shared_cluster().conninfo(name));
    }
    ~Scratch() {
        db.reset();
        admin().exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
    Outcome run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"-d", name});
        return run_tool("pg-createschema", args);
    }
    /// The schema's owner and comment, from this database's catalog; nothing when absent.
    std::optional<std::string> owner(const std::string& schema) const {
        return db->value("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1",
                         {schema});
    }
    std::optional<std::string> comment(const std::string& schema) const {
        return db->value("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                         "WHERE nspname = $1",
                         {schema});
    }
};

std::string make_role(const std::string& prefix, const std::string& options = "") {
    const std::string name = unique_name(prefix);
    admin().exec("CREATE ROLE " + quote_ident(name) + " " + options);
    return name;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_usage_errors) {
    const Outcome help = run_tool("pg-createschema", {"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-createschema creates schemas in a PostgreSQL database.", 0) == 0);
    BOOST_TEST(run_tool("pg-createschema", {"--version"}).out.rfind("pg-createschema (pgkit) ", 0) == 0);
    const Outcome missing = run_tool("pg-createschema", {"-d", "postgres"});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(contains(missing.err, "missing required argument schema name"), missing.err);
    BOOST_TEST(run_tool("pg-createschema", {std::string(64, 's')}).exit_code == 2);
    BOOST_TEST(run_tool("pg-createschema", {""}).exit_code == 2);
    BOOST_TEST(run_tool("pg-createschema", {"-O", "", "app"}).exit_code == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(creating)

BOOST_AUTO_TEST_CASE(creates_in_the_database_named_and_nowhere_else) {
    const Scratch scratch;
    const std::string name = unique_name("landed");
    const Outcome result = scratch.run({name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "created schema \"" + name + "\"\n");
    BOOST_TEST(scratch.owner(name) == "postgres");
    BOOST_TEST(!admin().value("SELECT 1 FROM pg_namespace WHERE nspname = $1", {name}));
    // Names as typed: a dash, capitals, quotes and a semicolon (Ansible's module broke on the
    // first).
    const std::vector<std::string> hostile = {"my-app", "MixedCase", "we\"ird; DROP SCHEMA public", "säule"};
    const Outcome many = scratch.run({"--format", "json", hostile[0], hostile[1], hostile[2], hostile[3]});
    BOOST_TEST(many.exit_code == 0, many.err);
    const auto json = nlohmann::json::parse(many.out);
    BOOST_TEST(json["schemas"].size() == 4U);
    for (std::size_t i = 0; i < hostile.size(); ++i) {
        BOOST_TEST(json["schemas"][i]["schema"] == hostile[i]);
        BOOST_TEST(json["schemas"][i]["action"] == "created");
        BOOST_TEST(scratch.owner(hostile[i]).has_value(), hostile[i]);
    }
    BOOST_TEST(scratch.owner("public").has_value());
}

BOOST_AUTO_TEST_CASE(owner_and_comment_are_set_and_an_existing_schema_is_exit_5) {
    const Scratch scratch;
    const std::string owner = make_role("schema_owner");
    const Outcome made = scratch.run({"-O", owner, "--comment", "the app's tables", "app"});
    BOOST_TEST(made.exit_code == 0, made.err);
    BOOST_TEST(scratch.owner("app") == owner);
    BOOST_TEST(scratch.comment("app") == "the app's tables");
    const Outcome again = scratch.run({"--format", "json", "app"});
    BOOST_TEST(again.exit_code == 5);
    const auto json = nlohmann::json::parse(again.out);
    BOOST_TEST(json["sqlstate"] == "42P06");
    BOOST_TEST(contains(again.err, "schema \"app\" already exists"), again.err);
    BOOST_TEST(contains(again.err, "--if-not-exists"), again.err);
    scratch.db->exec("DROP SCHEMA app");
    admin().exec("DROP ROLE " + quote_ident(owner));
}

BOOST_AUTO_TEST_CASE(if_not_exists_converges_only_what_was_named) {
    const Scratch scratch;
    const std::string first = make_role("first_owner"), second = make_role("second_owner");
    BOOST_TEST(scratch.run({"-O", first, "--comment", "kept", "app"}).exit_code == 0);
    // The owner named: altered; the comment, not named, stays.
    const Outcome altered = scratch.run({"--if-not-exists", "-O", second, "app"});
    BOOST_TEST(altered.exit_code == 0, altered.err);
    BOOST_TEST(altered.out == "altered schema \"app\": owner \"" + first + "\" -> \"" + second + "\"\n");
    BOOST_TEST(scratch.owner("app") == second);
    BOOST_TEST(scratch.comment("app") == "kept");
    // A second run changes nothing and says so.
    const Outcome same = scratch.run({"--if-not-exists", "--format", "json", "-O", second, "app"});
    const auto json = nlohmann::json::parse(same.out);
    BOOST_TEST(json["schemas"][0]["action"] == "unchanged");
    BOOST_TEST(json["statements"].empty());
    // An empty comment removes it.
    const Outcome cleared = scratch.run({"--if-not-exists", "--comment=", "app"});
    BOOST_TEST(cleared.out == "altered schema \"app\": comment\n");
    BOOST_TEST(!scratch.comment("app").has_value());
    scratch.db->exec("DROP SCHEMA app");
    for (const auto& role : {first, second}) admin().exec("DROP ROLE " + quote_ident(role));
}

BOOST_AUTO_TEST_CASE(a_failure_stops_the_run_and_what_came_before_stays) {
    const Scratch scratch;
    const Outcome text = scratch.run({"early", "early"});
    BOOST_TEST(text.exit_code == 5);
    BOOST_TEST(text.out == "created schema \"early\"\n");  // what was done, then the error
    const Outcome result = scratch.run({"--format", "json", "one", "one", "two"});
    BOOST_TEST(result.exit_code == 5);
    const auto json = nlohmann::json::parse(result.out);
    BOOST_TEST(json["schemas"].size() == 1U);
    BOOST_TEST(json["schemas"][0]["schema"] == "one");
    BOOST_TEST(scratch.owner("one").has_value());
    BOOST_TEST(!scratch.owner("two").has_value());
    // An owner that does not exist: the server's refusal, exit 1, nothing made.
    const Outcome no_owner = scratch.run({"-O", unique_name("nobody"), "three"});
    BOOST_TEST(no_owner.exit_code == 1);
    BOOST_TEST(contains(no_owner.err, "does not exist"), no_owner.err);
    BOOST_TEST(!scratch.owner("three").has_value());
}

BOOST_AUTO_TEST_CASE(eight_runs_at_once_make_one_schema_and_all_exit_0) {
    const Scratch scratch;
    const std::string owner = make_role("raced_owner");
    std::vector<Running> runs;
    for (int i = 0; i < 8; ++i) {
        runs.push_back(start_tool("pg-createschema", {"-d", scratch.name, "--if-not-exists", "-O",
                                                      owner, "--format", "json", "raced"}));
    }
    int created = 0;
    for (auto& run : runs) {
        const Outcome result = wait_at_most(run, 120);
        BOOST_TEST(result.exit_code == 0, result.err);
        const auto json = nlohmann::json::parse(result.out);
        if (json["schemas"][0]["action"] == "created") ++created;
        else BOOST_TEST(json["schemas"][0]["action"] == "unchanged", result.out);
    }
    BOOST_TEST(created == 1);
    BOOST_TEST(scratch.owner("raced") == owner);
    scratch.db->exec("DROP SCHEMA raced");
    admin().exec("DROP ROLE " + quote_ident(owner));
}

BOOST_AUTO_TEST_CASE(ctrl_c_while_waiting_for_a_lock_changes_nothing) {
    const Scratch scratch;
    const std::string first = make_role("held_owner"), second = make_role("wanted_owner");
    scratch.db->exec("CREATE SCHEMA held AUTHORIZATION " + quote_ident(first));
    Database holder(shared_cluster().conninfo(scratch.name));
    holder.exec("BEGIN");
    holder.exec("COMMENT ON SCHEMA held IS 'being changed'");
    const std::string application = unique_name("createschema_interrupted");
    Running run = start_tool("pg-createschema", {"-d", scratch.name, "--if-not-exists", "-O", second,
                                                 "--comment", "mine", "held"},
                             {{"PGAPPNAME", application}});
    BOOST_TEST_REQUIRE(eventually([&] {
        return sessions_waiting_for_lock(application) == 1;
    }));
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130, result.err);
    holder.exec("ROLLBACK");
    BOOST_TEST(scratch.owner("held") == first);
    BOOST_TEST(!scratch.comment("held").has_value());
    scratch.db->exec("DROP SCHEMA held");
    for (const auto& role : {first, second}) admin().exec("DROP ROLE " + quote_ident(role));
}

BOOST_AUTO_TEST_CASE(connection_failures_have_their_exit_codes) {
    BOOST_TEST(run_tool("pg-createschema", {"-h", "127.0.0.1", "-p", unused_port(), "app"}).exit_code == 3);
    const Outcome no_database = run_tool("pg-createschema", {"-d", unique_name("nosuchdb"), "app"});
    BOOST_TEST(no_database.exit_code == 4);
    BOOST_TEST(contains(no_database.err, "does not exist"), no_database.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dry_run)

BOOST_AUTO_TEST_CASE(a_dry_run_fails_where_the_real_run_fails_and_makes_nothing) {
    const Scratch scratch;
    const std::string plain = make_role("no_create", "LOGIN");  // no CREATE on the database
    const std::vector<std::vector<std::string>> faults = {
        {"-O", unique_name("nobody"), "x1"},
        {"-U", plain, "x2"},
    };
    for (const auto& fault : faults) {
        std::vector<std::string> dry_args = fault;
        dry_args.insert(dry_args.begin(), "--dry-run");
        const Outcome dry = scratch.run(dry_args);
        const Outcome real = scratch.run(fault);
        BOOST_TEST(real.exit_code == 1, real.err);
        BOOST_TEST(dry.exit_code == real.exit_code, dry.err);
        BOOST_TEST(first_error_line(dry.err) == first_error_line(real.err));
    }
    const Outcome would = scratch.run({"--dry-run", "--format", "json", "--comment", "c", "fine"});
    BOOST_TEST(would.exit_code == 0, would.err);
    const auto json = nlohmann::json::parse(would.out);
    BOOST_TEST(json["dry_run"] == true);
    BOOST_TEST(json["schemas"][0]["action"] == "created");
    BOOST_TEST(json["statements"][0] == "CREATE SCHEMA \"fine\"");
    BOOST_TEST(!scratch.owner("fine").has_value());
    const Outcome text = scratch.run({"--dry-run", "fine"});
    BOOST_TEST(text.out == "would create schema \"fine\"\n");
    // Several at once: the second of two of a name is refused, as in the real run.
    BOOST_TEST(scratch.run({"--dry-run", "twice", "twice"}).exit_code == 5);
    BOOST_TEST(!scratch.owner("twice").has_value());
    admin().exec("DROP ROLE " + quote_ident(plain));
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE pg-createextension against a real server
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
    std::string name = unique_name("extensions");
    std::unique_ptr<Database> db;
    explicit Scratch(const std::string& owner = "postgres") {
        admin().exec("CREATE DATABASE " + name + " OWNER " + quote_ident(owner));
        db = std::make_unique<Database>(shared_cluster().conninfo(name));
    }
    ~Scratch() {
        db.reset();
        admin().exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
    Outcome run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"-d", name});
        return run_tool("pg-createextension", args);
    }
    /// "version schema" of an installed extension, from this database's catalog.
    std::optional<std::string> installed(const std::string& extension) const {
        return db->value("SELECT e.extversion || ' ' || n.nspname FROM pg_extension e "
                         "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
                         {extension});
    }
};

std::string default_version(const std::string& extension) {
    return *admin().value("SELECT default_version FROM pg_available_extensions WHERE name = $1",
                          {extension});
}

/// The oldest version of pg_trgm this server can install and update to its default (1.0 has
/// an update path but no installation script): for the update tests
/// on every server version (13 has 1.5 as its default, 14 and later 1.6).
std::string older_trgm_version() {
    return *admin().value(
        "SELECT p.source FROM pg_extension_update_paths('pg_trgm') p"
        " JOIN pg_available_extension_versions v ON v.name = 'pg_trgm' AND v.version = p.source"
        " WHERE p.target = $1 AND p.path IS NOT NULL AND p.source <> p.target"
        " ORDER BY string_to_array(p.source, '.')::int[] LIMIT 1",
        {default_version("pg_trgm")});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_usage_errors) {
    const Outcome help = run_tool("pg-createextension", {"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-createextension installs extensions in a PostgreSQL database.", 0) == 0);
    // --version is the extension's version; alone, or -V, it is still the kit's.
    BOOST_TEST(contains(help.out, "--version=VERSION"), help.out);
    BOOST_TEST(run_tool("pg-createextension", {"--version"}).out.rfind("pg-createextension (pgkit) ", 0) == 0);
    BOOST_TEST(run_tool("pg-createextension", {"-V"}).out.rfind("pg-createextension (pgkit) ", 0) == 0);
    const Outcome missing = run_tool("pg-createextension", {"-d", "postgres"});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(contains(missing.err, "missing required argument extension name"), missing.err);
    BOOST_TEST(run_tool("pg-createextension", {"--version", ""}).exit_code == 2);
    // "--version -d app x" would take "-d" for the extension's version.
    const Outcome swallowed = run_tool("pg-createextension", {"--version", "-d", "app", "x"});
    BOOST_TEST(swallowed.exit_code == 2);
    BOOST_TEST(contains(swallowed.err, "--version needs a version"), swallowed.err);
    BOOST_TEST(run_tool("pg-createextension", {"--schema", std::string(64, 's'), "x"}).exit_code == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(creating)

BOOST_AUTO_TEST_CASE(installs_in_the_database_named_in_the_default_schema_or_the_one_asked) {
    const Scratch scratch;
    const Outcome result = scratch.run({"pg_trgm"});
    BOOST_TEST(result.exit_code == 0, result.err);
    const std::string version = default_version("pg_trgm");
    BOOST_TEST(result.out == "created extension \"pg_trgm\" (version " + version + ", schema \"public\")\n");
    BOOST_TEST(scratch.installed("pg_trgm") == version + " public");
    BOOST_TEST(!admin().value("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"));
    // In a schema of its own, with a name that needs quoting.
    const std::string schema = "ext \"schema\"; x";
    scratch.db->exec("CREATE SCHEMA " + quote_ident(schema));
    const Outcome placed = scratch.run({"--schema", schema, "--format", "json", "citext"});
    BOOST_TEST(placed.exit_code == 0, placed.err);
    const auto json = nlohmann::json::parse(placed.out);
    BOOST_TEST(json["extensions"][0]["schema"] == schema);
    BOOST_TEST(scratch.installed("citext") == default_version("citext") + " " + schema);
    // Already there: exit 5 without --if-not-exists.
    const Outcome again = scratch.run({"pg_trgm"});
    BOOST_TEST(again.exit_code == 5);
    BOOST_TEST(contains(again.err, "extension \"pg_trgm\" already exists"), again.err);
}

BOOST_AUTO_TEST_CASE(versions_are_updated_never_downgraded_and_latest_is_no_false_change) {
    const Scratch scratch;
    const std::string older = older_trgm_version(), latest = default_version("pg_trgm");
    BOOST_TEST(scratch.run({"--version", older, "pg_trgm"}).exit_code == 0);
    BOOST_TEST(scratch.installed("pg_trgm") == older + " public");
    // Without --version an installed extension's version is left alone.
    const Outcome alone = scratch.run({"--if-not-exists", "pg_trgm"});
    BOOST_TEST(alone.out == "extension \"pg_trgm\" already exists\n");
    BOOST_TEST(scratch.installed("pg_trgm") == older + " public");
    // latest: updated along the server's path, then unchanged.
    const Outcome updated = scratch.run({"--if-not-exists", "--version=latest", "pg_trgm"});
    BOOST_TEST(updated.exit_code == 0, updated.err);
    BOOST_TEST(updated.out == "altered extension \"pg_trgm\": version " + older + " -> " + latest + "\n");
    BOOST_TEST(scratch.installed("pg_trgm") == latest + " public");
    const Outcome same = scratch.run({"--if-not-exists", "--version=latest", "--format", "json", "pg_trgm"});
    const auto json = nlohmann::json::parse(same.out);
    BOOST_TEST(json["extensions"][0]["action"] == "unchanged");
    BOOST_TEST(json["extensions"][0]["version"] == latest);
    BOOST_TEST(json["statements"].empty());
    // An older version than installed: exit 5, no downgrade.
    const Outcome down = scratch.run({"--if-not-exists", "--version", older, "pg_trgm"});
    BOOST_TEST(down.exit_code == 5);
    BOOST_TEST(contains(down.err, "is at version " + latest + ", newer than " + older), down.err);
    // A version the server does not have: its refusal, with the versions it has.
    const Outcome unknown = scratch.run({"--if-not-exists", "--version", "9.9", "pg_trgm"});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(contains(unknown.err, "has no version 9.9"), unknown.err);
    BOOST_TEST(contains(unknown.err, older), unknown.err);
    BOOST_TEST(scratch.installed("pg_trgm") == latest + " public");
}

BOOST_AUTO_TEST_CASE(a_relocatable_extension_is_moved_a_fixed_one_is_exit_5) {
    const Scratch scratch;
    scratch.db->exec("CREATE SCHEMA ext");
    BOOST_TEST(scratch.run({"pg_trgm"}).exit_code == 0);
    const Outcome moved = scratch.run({"--if-not-exists", "--schema", "ext", "pg_trgm"});
    BOOST_TEST(moved.exit_code == 0, moved.err);
    BOOST_TEST(moved.out == "altered extension \"pg_trgm\": schema \"public\" -> \"ext\"\n");
    BOOST_TEST(scratch.installed("pg_trgm") == default_version("pg_trgm") + " ext");
    const Outcome fixed = scratch.run({"--if-not-exists", "--schema", "ext", "plpgsql"});
    BOOST_TEST(fixed.exit_code == 5);
    BOOST_TEST(contains(fixed.err, "extension \"plpgsql\" is in schema \"pg_catalog\", not \"ext\""),
               fixed.err);
}

BOOST_AUTO_TEST_CASE(cascade_reports_what_it_brought) {
    const Scratch scratch;
    // Without --cascade: the server's refusal, nothing installed.
    const Outcome refused = scratch.run({"earthdistance"});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(contains(refused.err, "cube"), refused.err);
    BOOST_TEST(!scratch.installed("earthdistance"));
    const Outcome result = scratch.run({"--cascade", "--format", "json", "earthdistance"});
    BOOST_TEST(result.exit_code == 0, result.err);
    const auto json = nlohmann::json::parse(result.out);
    BOOST_TEST(json["extensions"][0]["cascaded"] == nlohmann::json::array({"cube"}));
    BOOST_TEST(scratch.installed("cube").has_value());
    BOOST_TEST(scratch.installed("earthdistance").has_value());
    const Outcome text = scratch.run({"--cascade", "--if-not-exists", "earthdistance"});
    BOOST_TEST(text.out == "extension \"earthdistance\" already exists\n");
}

BOOST_AUTO_TEST_CASE(an_extension_the_server_lacks_is_refused_with_close_names) {
    const Scratch scratch;
    const Outcome typo = scratch.run({"--format", "json", "pg_tgrm"});
    BOOST_TEST(typo.exit_code == 1);
    const auto json = nlohmann::json::parse(typo.out);
    BOOST_TEST(contains(json["message"].get<std::string>(), "pg_tgrm"), typo.out);
    BOOST_TEST(contains(json["hint"].get<std::string>(), "Close names the server has: pg_trgm"), typo.out);
    // Names are kept as typed: other letters get the name the server has.
    const Outcome capitals = scratch.run({"CITEXT"});
    BOOST_TEST(capitals.exit_code == 1);
    BOOST_TEST(contains(capitals.err, "Close names the server has: citext"), capitals.err);
    const Outcome far = scratch.run({"no_such_extension_at_all"});
    BOOST_TEST(far.exit_code == 1);
    BOOST_TEST(!contains(far.err, "Close names"), far.err);
}

BOOST_AUTO_TEST_CASE(a_database_owner_may_install_trusted_extensions_only) {
    const std::string owner = unique_name("db_owner");
    admin().exec("CREATE ROLE " + owner + " LOGIN");
    {
        const Scratch scratch(owner);
        const Outcome trusted = scratch.run({"-U", owner, "pg_trgm"});
        BOOST_TEST(trusted.exit_code == 0, trusted.err);
        BOOST_TEST(scratch.installed("pg_trgm").has_value());
        BOOST_TEST_REQUIRE(admin().value("SELECT bool_or(trusted)::text FROM pg_available_extension_versions "
                                         "WHERE name = 'dblink'") == "false");
        const Outcome untrusted = scratch.run({"-U", owner, "dblink"});
        BOOST_TEST(untrusted.exit_code == 1);
        BOOST_TEST(contains(untrusted.err, "permission denied to create extension \"dblink\""), untrusted.err);
        BOOST_TEST(!scratch.installed("dblink"));
        scratch.db->exec("DROP EXTENSION pg_trgm");
    }
    admin().exec("DROP ROLE " + owner);
}

BOOST_AUTO_TEST_CASE(template1_passes_it_on_to_every_later_database) {
    // template1 is the shared cluster's: the extension stays there for as short a time as
    // can be, and goes whatever happens.
    struct Cleanup {
        ~Cleanup() {
            Database(shared_cluster().conninfo("template1")).exec("DROP EXTENSION IF EXISTS tablefunc");
        }
    } cleanup;
    const Outcome result = run_tool("pg-createextension", {"-d", "template1", "tablefunc"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    BOOST_TEST(contains(result.out, "created extension \"tablefunc\""), result.out);
    const std::string later = unique_name("from_template1");
    admin().exec("CREATE DATABASE " + later);
    Database(shared_cluster().conninfo("template1")).exec("DROP EXTENSION tablefunc");
    {
        Database inside(shared_cluster().conninfo(later));
        BOOST_TEST(inside.value("SELECT count(*) FROM pg_extension WHERE extname = 'tablefunc'") == "1");
    }
    admin().exec("DROP DATABASE " + later);
}

BOOST_AUTO_TEST_CASE(eight_runs_at_once_install_once_and_all_exit_0) {
    const Scratch scratch;
    std::vector<Running> runs;
    for (int i = 0; i < 8; ++i) {
        runs.push_back(start_tool("pg-createextension", {"-d", scratch.name, "--if-not-exists",
                                                         "--cascade", "--format", "json", "earthdistance"}));
    }
    int created = 0;
    for (auto& run : runs) {
        const Outcome result = wait_at_most(run, 120);
        BOOST_TEST(result.exit_code == 0, result.err);
        const auto json = nlohmann::json::parse(result.out);
        if (json["extensions"][0]["action"] == "created") ++created;
        else BOOST_TEST(json["extensions"][0]["action"] == "unchanged", result.out);
    }
    BOOST_TEST(created == 1);
    BOOST_TEST(scratch.db->value("SELECT count(*) FROM pg_extension WHERE extname IN ('cube', 'earthdistance')") == "2");
}

BOOST_AUTO_TEST_CASE(eight_updates_at_once_report_one_change) {
    const Scratch scratch;
    const std::string older = older_trgm_version();
    BOOST_TEST_REQUIRE(scratch.run({"--version", older, "pg_trgm"}).exit_code == 0);
    std::vector<Running> runs;
    for (int i = 0; i < 8; ++i) {
        runs.push_back(start_tool("pg-createextension", {"-d", scratch.name, "--if-not-exists",
                                                         "--version=latest", "--format", "json", "pg_trgm"}));
    }
    int altered = 0;
    for (auto& run : runs) {
        const Outcome result = wait_at_most(run, 120);
        BOOST_TEST(result.exit_code == 0, result.err);
        const auto json = nlohmann::json::parse(result.out);
        if (json["extensions"][0]["action"] == "altered") ++altered;
        else BOOST_TEST(json["extensions"][0]["action"] == "unchanged", result.out);
    }
    BOOST_TEST(altered == 1);
    BOOST_TEST(scratch.installed("pg_trgm") == default_version("pg_trgm") + " public");
}

BOOST_AUTO_TEST_CASE(a_failure_stops_the_run_and_says_what_was_done) {
    const Scratch scratch;
    const Outcome text = scratch.run({"pg_trgm", "pg_tgrm", "citext"});
    BOOST_TEST(text.exit_code == 1);
    BOOST_TEST(text.out == "created extension \"pg_trgm\" (version " + default_version("pg_trgm") +
                               ", schema \"public\")\n");
    BOOST_TEST(!scratch.installed("citext"));
    // JSON: the same shape as on success, whatever failed.
    const Outcome first = scratch.run({"--format", "json", "pg_tgrm"});
    const auto json = nlohmann::json::parse(first.out);
    BOOST_TEST(json["extensions"].is_array());
    BOOST_TEST(json["extensions"].empty());
    BOOST_TEST(json["dry_run"] == false);
}

BOOST_AUTO_TEST_CASE(ctrl_c_while_another_session_installs_it_leaves_nothing) {
    const Scratch scratch;
    Database other(shared_cluster().conninfo(scratch.name));
    other.exec("BEGIN");
    other.exec("CREATE EXTENSION pg_trgm");  // not committed: the tool's CREATE waits for it
    const std::string application = unique_name("createextension_interrupted");
    Running run = start_tool("pg-createextension", {"-d", scratch.name, "pg_trgm"},
                             {{"PGAPPNAME", application}});
    BOOST_TEST_REQUIRE(eventually([&] {
        return sessions_waiting_for_lock(application) == 1;
    }));
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130, result.err);
    BOOST_TEST(contains(result.err, "canceled by signal 2"), result.err);
    other.exec("ROLLBACK");
    BOOST_TEST(!scratch.installed("pg_trgm"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dry_run)

BOOST_AUTO_TEST_CASE(a_dry_run_fails_where_the_real_run_fails_and_installs_nothing) {
    const Scratch scratch;
    const std::vector<std::vector<std::string>> faults = {
        {"pg_tgrm"},
        {"--schema", "no_such_schema", "pg_trgm"},
        {"earthdistance"},
        {"--version", "9.9", "pg_trgm"},
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
    // Several at once: each sees what the ones before it would have done.
    const Outcome in_order = scratch.run({"--dry-run", "cube", "earthdistance"});
    BOOST_TEST(in_order.exit_code == 0, in_order.err);
    BOOST_TEST(in_order.out == "would create extension \"cube\" (version " + default_version("cube") +
                                   ", schema \"public\")\nwould create extension \"earthdistance\" (version " +
                                   default_version("earthdistance") + ", schema \"public\")\n");
    BOOST_TEST(scratch.run({"--dry-run", "cube", "cube"}).exit_code == 5);
    BOOST_TEST(!scratch.installed("cube"));
    const Outcome would = scratch.run({"--dry-run", "--format", "json", "--cascade", "earthdistance"});
    BOOST_TEST(would.exit_code == 0, would.err);
    const auto json = nlohmann::json::parse(would.out);
    BOOST_TEST(json["dry_run"] == true);
    BOOST_TEST(json["extensions"][0]["action"] == "created");
    BOOST_TEST(json["extensions"][0]["cascaded"] == nlohmann::json::array({"cube"}));
    BOOST_TEST(json["extensions"][0]["version"] == default_version("earthdistance"));  // read in the dry run's transaction
    BOOST_TEST(!scratch.installed("cube"));
    // An update, proved and rolled back.
    const std::string older = older_trgm_version();
    BOOST_TEST(scratch.run({"--version", older, "pg_trgm"}).exit_code == 0);
    const Outcome update = scratch.run({"--dry-run", "--if-not-exists", "--version=latest", "pg_trgm"});
    BOOST_TEST(update.exit_code == 0, update.err);
    BOOST_TEST(update.out == "would alter extension \"pg_trgm\": version " + older + " -> " +
                                 default_version("pg_trgm") + "\n");
    BOOST_TEST(scratch.installed("pg_trgm") == older + " public");
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE every tool through PgBouncer
/// Every tool, run through Debian's PgBouncer in front of the shared cluster, in session and in
/// transaction pooling: the work done, a second run that changes nothing, --once runs at the
/// same moment, --lock-timeout, and Ctrl-C, whose cancel request goes through the pooler.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace data = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace pgkit::test;
using namespace std::chrono_literals;

namespace {

/// A PgBouncer (scripts/throwaway-pooler) in front of the shared cluster, for one test.
struct Pooler {
    std::string env_file;
    Cluster described;  ///< its env file's lines: PGHOST, PGPORT, PGKIT_POOLER_*

    explicit Pooler(const std::string& mode)
        : env_file((fs::temp_directory_path() / unique_name("pgkit-pooler")).string() + ".env") {
        Command command;
        command.argv = {std::string(PGKIT_SOURCE_DIR) + "/scripts/throwaway-pooler", "create",
                        "--env-file", env_file, "--cluster-env-file", shared_cluster().env_file,
                        "--mode", mode};
        const Outcome made = pgkit::test::run(command);
        if (made.exit_code != 0) throw std::runtime_error("throwaway-pooler: " + made.err);
        described = Cluster::load(env_file);
    }
    ~Pooler() {
        Command command;
        command.argv = {std::string(PGKIT_SOURCE_DIR) + "/scripts/throwaway-pooler", "destroy",
                        "--env-file", env_file};
        pgkit::test::run(command);
    }

    /// A tool's environment through the pooler: its address and the password it asks for.
    std::map<std::string, std::optional<std::string>> env() const {
        auto variables = tool_env(shared_cluster());
        variables["PGHOST"] = described.var("PGHOST");
        variables["PGPORT"] = described.var("PGPORT");
        variables["PGPASSWORD"] = described.var("PGKIT_POOLER_PASSWORD");
        return variables;
    }
    /// Opens `count` server connections to `dbname` in the pool (transactions open at once
    /// each take one), so that with the pooler's round robin, a client's next transaction runs
    /// on another server connection than its last.
    void warm_up(const std::string& dbname, int count = 3) const {
        const std::string conninfo = "host=" + described.var("PGHOST") + " port=" +
                                     described.var("PGPORT") + " user=postgres password=" +
                                     described.var("PGKIT_POOLER_PASSWORD") + " dbname=" + dbname;
        std::vector<std::unique_ptr<Database>> open;
        for (int i = 0; i < count; ++i) {
            open.push_back(std::make_unique<Database>(conninfo));
            open.back()->exec("BEGIN");
            open.back()->exec("SELECT 1");
        }
        for (auto& connection : open) connection->exec("COMMIT");
    }
    Running start(const std::string& tool, const std::vector<std::string>& args) const {
        Command command;
        command.argv = {tool_path(tool)};
        command.argv.insert(command.argv.end(), args.begin(), args.end());
        command.env = env();
        return pgkit::test::start(command);
    }
    Outcome run(const std::string& tool, const std::vector<std::string>& args) const {
        return start(tool, args).wait();
    }
};

/// A directory of seed files, removed with it.
struct SeedDir {
    fs::path path = fs::temp_directory_path() / unique_name("pgkit-pooled-seeds");
    SeedDir() { fs::create_directories(path); }
    ~SeedDir() { fs::remove_all(path); }
    std::string write(const std::string& name, const std::string& content) const {
        std::ofstream(path / name) << content;
        return (path / name).string();
    }
};

const char* const modes[] = {"session", "transaction"};

}  // namespace

BOOST_DATA_TEST_CASE(every_tool_does_its_job_and_a_second_run_changes_nothing, data::make(modes),
                     mode) {
    const Pooler pooler(mode);
    const std::string db = unique_name("pooled_db"), role = unique_name("pooled_role");
    // pg-createdb and pg-createuser: created, then already so.
    BOOST_TEST(pooler.run("pg-createdb", {"--if-not-exists", db}).out == "created database \"" + db + "\"\n");
    BOOST_TEST(pooler.run("pg-createdb", {"--if-not-exists", db}).out ==
               "database \"" + db + "\" already exists\n");
    pooler.warm_up(db);
    pooler.warm_up("postgres");
    for (int run = 0; run < 2; ++run) {
        Command command;
        command.argv = {tool_path("pg-createuser"), "--if-not-exists", "--password-env", "APP_PW",
                        "--lock-timeout", "5", role};
        command.env = pooler.env();
        command.env["APP_PW"] = "pooled secret";
        const Outcome result = pgkit::test::run(command);
        BOOST_TEST(result.exit_code == 0, result.err);
        BOOST_TEST(contains(result.out, run == 0 ? "created role" : "already exists"), result.out);
    }
    BOOST_TEST(admin().value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {role}) == "1");
    // pg-seed: SQL with its own SET, CSV over two connections, a file outside a transaction,
    // --once; then nothing left to do.
    const SeedDir seeds;
    seeds.write("010_schema.sql", "SET search_path = public;\nCREATE TABLE items (id int, name text);\n");
    seeds.write("020_items.csv", "id,name\n1,one\n2,two\n");
    seeds.write("030_index.sql", "-- transaction: false\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n");
    const Outcome seeded = pooler.run("pg-seed", {"-d", db, "--once", "--per-file", seeds.path.string()});
    BOOST_TEST(seeded.exit_code == 0, seeded.err);
    const Outcome again = pooler.run("pg-seed", {"-d", db, "--once", "--per-file", seeds.path.string()});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(contains(again.out, "3 files already applied"), again.out);
    // CSV files over two connections at once.
    const SeedDir more;
    more.write("1_items.csv", "id,name\n3,three\n");
    more.write("2_items.csv", "id,name\n4,four\n");
    const Outcome parallel = pooler.run("pg-seed", {"-d", db, "--per-file", "--jobs", "2", more.path.string()});
    BOOST_TEST(parallel.exit_code == 0, parallel.err);
    {
        Database inside(shared_cluster().conninfo(db));
        BOOST_TEST(inside.value("SELECT string_agg(name, ',' ORDER BY id) FROM items") == "one,two,three,four");
        BOOST_TEST(inside.value("SELECT count(*) FROM pg_seed_history") == "3");
        BOOST_TEST(inside.value("SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_id'::regclass") == "t");
    }
    // pg-createschema and pg-createextension in that database: made, then already so.
    for (int run = 0; run < 2; ++run) {
        const Outcome schema = pooler.run("pg-createschema", {"-d", db, "--if-not-exists", "--comment", "pooled", "extensions"});
        BOOST_TEST(schema.exit_code == 0, schema.err);
        BOOST_TEST(contains(schema.out, run == 0 ? "created schema" : "already exists"), schema.out);
        const Outcome extension = pooler.run("pg-createextension", {"-d", db, "--if-not-exists", "--schema", "extensions",
                                                                    "--version=latest", "pg_trgm"});
        BOOST_TEST(extension.exit_code == 0, extension.err);
        BOOST_TEST(contains(extension.out, run == 0 ? "created extension" : "already exists"), extension.out);
    }
    {
        Database inside(shared_cluster().conninfo(db));
        BOOST_TEST(inside.value("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = "
                                "e.extnamespace WHERE e.extname = 'pg_trgm'") == "extensions");
    }
    // pg-listtables reads it back.
    const Outcome listed = pooler.run("pg-listtables", {"-d", db, "--format", "names"});
    BOOST_TEST(listed.exit_code == 0, listed.err);
    BOOST_TEST(contains(listed.out, "public.items\n"), listed.out);
    // pg-grant: privileges on what exists and on what comes later, then nothing left to do;
    // runs at once take turns on the lock in their transactions.
    for (int run = 0; run < 2; ++run) {
        const Outcome granted = pooler.run("pg-grant", {"-d", db, "SELECT", "--table", "public.*",
                                                        "--for-future=postgres", role});
        BOOST_TEST(granted.exit_code == 0, granted.err);
        BOOST_TEST(contains(granted.out, run == 0 ? "granted SELECT on 2 tables in schema \"public\"" : "already has SELECT"),
                   granted.out);
    }
    {
        std::vector<Running> runs;
        for (int i = 0; i < 6; ++i) {
            runs.push_back(pooler.start("pg-grant", {"-d", db, "--format", "json", "INSERT,UPDATE", "--table",
                                                     "public.items", role}));
        }
        int altered = 0;
        for (auto& run : runs) {
            const Outcome result = wait_at_most(run, 120);
            BOOST_TEST(result.exit_code == 0, result.err);
            if (result.exit_code == 0 && nlohmann::json::parse(result.out)["action"] == "altered") ++altered;
        }
        BOOST_TEST(altered == 1);
        Database inside(shared_cluster().conninfo(db));
        BOOST_TEST(inside.value("SELECT has_table_privilege($1, 'public.items', 'SELECT, UPDATE')", {role}) == "t");
        inside.exec("CREATE TABLE later (id int)");
        BOOST_TEST(inside.value("SELECT has_table_privilege($1, 'public.later', 'SELECT')", {role}) == "t");
    }
    // pg-dropuser: a role owning a table there; the cleanup runs in every database through
    // the pooler, each database one transaction.
    const std::string owner = unique_name("pooled_owner");
    admin().exec("CREATE ROLE " + quote_ident(owner));
    {
        Database inside(shared_cluster().conninfo(db));
        inside.exec("CREATE TABLE owned_by (id int)");
        inside.exec("ALTER TABLE owned_by OWNER TO " + quote_ident(owner));
    }
    const Outcome dropped_user =
        pooler.run("pg-dropuser", {"--reassign-owned-to", "postgres", "--drop-owned", owner});
    BOOST_TEST(dropped_user.exit_code == 0, dropped_user.err);
    BOOST_TEST(contains(dropped_user.out, "in database \"" + db + "\" reassigned 1 object to \"postgres\""),
               dropped_user.out);
    BOOST_TEST(admin().value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {owner}) == "0");
    BOOST_TEST(pooler.run("pg-dropuser", {"--if-exists", owner}).out ==
               "role \"" + owner + "\" does not exist\n");
    // pg-dropdb: the pooler's own idle server connections are sessions on the database, which
    // --force ends; then a second run finds nothing to drop.
    const Outcome dropped = pooler.run("pg-dropdb", {"--force", db});
    BOOST_TEST(dropped.exit_code == 0, dropped.err);
    BOOST_TEST(admin().value("SELECT count(*) FROM pg_database WHERE datname = $1", {db}) == "0");
    BOOST_TEST(pooler.run("pg-dropdb", {"--if-exists", db}).out == "database \"" + db + "\" does not exist\n");
    admin().exec("DROP ROLE " + quote_ident(role));
}

BOOST_DATA_TEST_CASE(waiting_for_a_missing_database_names_it_through_the_pooler, data::make(modes), mode) {
    // The pooler answers the first attempt with "does not exist", then holds the next ones
    // until they time out: the error still names the database the wait was for.
    const Pooler pooler(mode);
    const std::string name = unique_name("pooled_missing");
    const Outcome missing = pooler.run("pg-listtables", {"-d", name, "--wait", "3", "--connect-timeout", "2"});
    BOOST_TEST(missing.exit_code == 4, missing.err);
    BOOST_TEST(contains(missing.err, "database \"" + name + "\" does not exist"), missing.err);
    BOOST_TEST(contains(missing.err, "--wait=3"), missing.err);
}

BOOST_DATA_TEST_CASE(once_runs_at_the_same_moment_apply_each_file_once, data::make(modes), mode) {
    const Pooler pooler(mode);
    const std::string db = unique_name("pooled_once");
    admin().exec("CREATE DATABASE " + db);
    {
        Database inside(shared_cluster().conninfo(db));
        inside.exec("CREATE TABLE hits (n int)");
    }
    pooler.warm_up(db);
    const SeedDir seeds;
    seeds.write("1.sql", "INSERT INTO hits VALUES (1);\nSELECT pg_sleep(0.1);\n");
    seeds.write("2.sql", "-- transaction: false\nINSERT INTO hits VALUES (2);\n");
    seeds.write("3.sql", "INSERT INTO hits VALUES (3);\n");
    std::vector<Running> runs;
    for (int i = 0; i < 6; ++i) {
        runs.push_back(pooler.start("pg-seed", {"-d", db, "--once", "--per-file", seeds.path.string()}));
    }
    for (auto& run : runs) {
        const Outcome result = wait_at_most(run, 120);
        BOOST_TEST(result.exit_code == 0, result.err);
    }
    Database inside(shared_cluster().conninfo(db));
    BOOST_TEST(inside.value("SELECT string_agg(n::text, ',' ORDER BY n) FROM hits") == "1,2,3");
    admin().exec("DROP DATABASE " + db + " WITH (FORCE)");
}

BOOST_DATA_TEST_CASE(lock_timeout_holds_in_every_transaction, data::make(modes), mode) {
    const Pooler pooler(mode);
    const std::string db = unique_name("pooled_lock");
    admin().exec("CREATE DATABASE " + db);
    Database holder(shared_cluster().conninfo(db));
    holder.exec("CREATE TABLE busy (id int)");
    holder.exec("BEGIN");
    holder.exec("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
    const SeedDir seeds;
    const std::string file = seeds.write("busy.sql", "INSERT INTO busy VALUES (1);\n");
    // In transaction pooling, the session setting and the transaction then run on different
    // server connections.
    pooler.warm_up(db);
    for (int i = 0; i < 3; ++i) {
        Running run = pooler.start("pg-seed", {"-d", db, "--lock-timeout", "1", file});
        const Outcome result = wait_at_most(run, 60);
        BOOST_TEST(result.exit_code == 1, result.err);
        BOOST_TEST(contains(result.err, "lock timeout"), result.err);
    }
    holder.exec("ROLLBACK");
    admin().exec("DROP DATABASE " + db + " WITH (FORCE)");
}

BOOST_DATA_TEST_CASE(ctrl_c_cancels_the_statement_through_the_pooler, data::make(modes), mode) {
    const Pooler pooler(mode);
    const std::string db = unique_name("pooled_cancel");
    admin().exec("CREATE DATABASE " + db);
    const SeedDir seeds;
    const std::string marker = unique_name("slow");
    const std::string file = seeds.write("slow.sql", "SELECT pg_sleep(60) AS " + marker + ";\n");
    Running run = pooler.start("pg-seed", {"-d", db, file});
    const std::string sleeping = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND "
                                 "query LIKE '%AS " + marker + "%' AND pid <> pg_backend_pid()";
    BOOST_TEST_REQUIRE(eventually([&] { return admin().value(sleeping) == "1"; }));
    run.send_signal(SIGINT);
    const Outcome result = wait_at_most(run, 30);
    BOOST_TEST(result.exit_code == 130, result.err);
    // The statement was cancelled on the server, not left sleeping behind the pooler.
    BOOST_TEST(eventually([&] { return admin().value(sleeping) == "0"; }, 10s));
    admin().exec("DROP DATABASE " + db + " WITH (FORCE)");
}

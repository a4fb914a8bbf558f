#define BOOST_TEST_MODULE pg-seed against a real server
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace data = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace pgkit::test;

namespace {

/// A fresh database and a fresh directory for one test.
struct Scratch {
    std::string dbname = unique_name("seed");
    fs::path dir = fs::temp_directory_path() / unique_name("pgkit-seeds");
    Database* db = nullptr;
    std::unique_ptr<Database> connection;

    Scratch() {
        admin().exec("CREATE DATABASE " + dbname);
        fs::create_directories(dir);
        connection = std::make_unique<Database>(shared_cluster().conninfo(dbname));
        db = connection.get();
    }
    ~Scratch() {
        connection.reset();
        fs::remove_all(dir);
        try {
            admin().exec("DROP DATABASE IF EXISTS " + dbname + " WITH (FORCE)");
        } catch (...) {
        }
    }
    std::string write(const std::string& name, const std::string& content) const {
        const fs::path path = dir / name;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
        return path.string();
    }
    Outcome seed(std::vector<std::string> args) const {
        args.insert(args.begin(), {"-d", dbname});
        return run_tool("pg-seed", args);
    }
    std::string value(const std::string& sql) const { return db->value(sql).value_or("(null)"); }
    bool table_exists(const std::string& name) const {
        return db->value("SELECT to_regclass($1) IS NOT NULL", {name}) == "t";
    }
};

std::string compress(const std::string& path, const std::string& tool) {
    Command command;
    command.argv = {"/bin/sh", "-c", tool + " -k -f \"$0\"", path};
    const Outcome result = run(command);
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    return path + (tool == "gzip" ? ".gz" : tool == "xz" ? ".xz" : ".zst");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_bad_option_and_no_path) {
    const Outcome help = run_tool("pg-seed", {"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-seed loads", 0) == 0);
    BOOST_TEST(run_tool("pg-seed", {"-V"}).out.rfind("pg-seed (pgkit) ", 0) == 0);
    BOOST_TEST(run_tool("pg-seed", {"--bogus"}).exit_code == 2);
    const Outcome none = run_tool("pg-seed", {});
    BOOST_TEST(none.exit_code == 2);
    BOOST_TEST(contains(none.err, "no file or directory to load"));
    BOOST_TEST(run_tool("pg-seed", {"--reapply-changed", "x.sql"}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(table_names_over_63_bytes_are_refused_before_connecting) {
    const std::string port = unused_port();  // reaching the server would be exit 3
    Scratch s;
    const std::string csv = s.write("t.csv", "id\n1\n");
    const Outcome table = run_tool("pg-seed", {"-h", tcp_host(), "-p", port, "--table",
                                               "public." + std::string(64, 't'), csv});
    BOOST_TEST(table.exit_code == 2);
    BOOST_TEST(contains(table.err, "table name \"" + std::string(64, 't') + "\" is too long"));
    const Outcome history = run_tool("pg-seed", {"-h", tcp_host(), "-p", port, "--once",
                                                 "--history-table", std::string(64, 'h'), csv});
    BOOST_TEST(history.exit_code == 2);
    BOOST_TEST(contains(history.err, "history table name"));
}

BOOST_AUTO_TEST_CASE(missing_or_unknown_files_are_exit_6_before_connecting) {
    // An unreachable port: reaching "could not connect" would mean the files were not checked first.
    const std::string port = unused_port();
    const Outcome missing = run_tool("pg-seed", {"-p", port, "-h", tcp_host(), "/nonexistent/seed.sql"});
    BOOST_TEST(missing.exit_code == 6);
    BOOST_TEST(contains(missing.err, "could not open \"/nonexistent/seed.sql\""));
    Scratch scratch;
    const std::string notes = scratch.write("notes.txt", "hello\n");
    const Outcome unknown = run_tool("pg-seed", {"-p", port, "-h", tcp_host(), notes});
    BOOST_TEST(unknown.exit_code == 6);
    BOOST_TEST(contains(unknown.err, "is not an .sql, .csv or .tsv file"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(loading)

BOOST_AUTO_TEST_CASE(a_directory_of_schema_csv_and_inserts_loads_in_name_order) {
    Scratch s;
    s.write("010_schema.sql",
            "CREATE TABLE users (id int PRIMARY KEY, name text, email text);\n"
            "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, total numeric);\n");
    s.write("020_users.csv", "name,id\nalice,1\n\"bob, jr\",2\n");
    s.write("030_orders.sql", "INSERT INTO orders VALUES (1, 1, 9.5);\nINSERT INTO orders VALUES (2, 2, 3);\n");
    s.write(".hidden.sql", "this is not SQL;\n");
    s.write("README.md", "skipped with a warning\n");
    const Outcome result = s.seed({s.dir.string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out.rfind("seeded 3 files: 5 statements, 4 rows in ", 0) == 0, result.out);
    BOOST_TEST(contains(result.err, "warning: skipping"));
    BOOST_TEST(s.value("SELECT string_agg(name, '|' ORDER BY id) FROM users") == "alice|bob, jr");
    BOOST_TEST(s.value("SELECT sum(total) FROM orders") == "12.5");
}

BOOST_AUTO_TEST_CASE(the_splitter_cases_load_as_psql_would) {
    Scratch s;
    const std::string script =
        "\xEF\xBB\xBF-- a header comment; with a semicolon\r\n"
        "CREATE TABLE t (id int, v text);\r\n"
        "INSERT INTO t VALUES (1, 'semi;colon'), (2, E'it\\'s; escaped'), (3, $$dollar; 'quoted'$$);\r\n"
        "/* nested /* comment; */ still; */ INSERT INTO t VALUES (4, $tag$a $$ b;$tag$);\r\n"
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE plpgsql AS $body$\r\n"
        "BEGIN\r\n  RETURN x + 1;\r\nEND;\r\n$body$;\r\n"
        "PREPARE p AS SELECT $1::int;\r\n"
        "INSERT INTO t VALUES (f(4), \"right\"('x;y', 1))";  // no final newline, no ";"
    s.write("cases.sql", script);
    const Outcome result = s.seed({(s.dir / "cases.sql").string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT string_agg(v, '|' ORDER BY id) FROM t") ==
               "semi;colon|it's; escaped|dollar; 'quoted'|a $$ b;|y");
}

BOOST_AUTO_TEST_CASE(csv_header_maps_columns_in_any_order) {
    Scratch s;
    s.db->exec("CREATE TABLE people (id int, \"Full Name\" text, note text DEFAULT 'none')");
    s.write("people.csv", "\"Full Name\",id\r\n\"Smith, \"\"J\"\"\",7\r\nLee,8\r\n");
    BOOST_TEST(s.seed({(s.dir / "people.csv").string()}).exit_code == 0);
    BOOST_TEST(s.value("SELECT string_agg(id || ':' || \"Full Name\" || ':' || note, '|' ORDER BY id) FROM people") ==
               "7:Smith, \"J\":none|8:Lee:none");
}

BOOST_AUTO_TEST_CASE(no_header_table_option_tsv_and_truncate) {
    Scratch s;
    s.db->exec("CREATE SCHEMA sales; CREATE TABLE sales.orders (id int, what text); "
               "CREATE TABLE target (id int, what text)");
    s.write("010_sales.orders.tsv", "id\twhat\n1\ttab\tbed\n");  // a bad row: three fields
    s.write("clean.tsv", "id\twhat\n1\tplain\n");
    s.write("raw.csv", "5,five\n6,six\n");
    BOOST_TEST(s.seed({"--no-header", "--table", "target", (s.dir / "raw.csv").string()}).exit_code == 0);
    BOOST_TEST(s.value("SELECT count(*) FROM target") == "2");
    BOOST_TEST(s.seed({"--truncate", "--no-header", "--table", "target", (s.dir / "raw.csv").string()})
                   .exit_code == 0);
    BOOST_TEST(s.value("SELECT count(*) FROM target") == "2");
    const Outcome bad = s.seed({(s.dir / "010_sales.orders.tsv").string()});
    BOOST_TEST(bad.exit_code == 6);
    BOOST_TEST(contains(bad.err, "010_sales.orders.tsv:2: "), bad.err);
    BOOST_TEST(s.seed({"--table", "sales.orders", (s.dir / "clean.tsv").string()}).exit_code == 0);
    BOOST_TEST(s.value("SELECT what FROM sales.orders") == "plain");
    const Outcome two = s.seed({"--table", "target", s.dir.string()});
    BOOST_TEST(two.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(compressed_files_stream_in) {
    Scratch s;
    const std::string schema = s.write("schema.sql", "CREATE TABLE t (id int);\n");
    std::string many = "id\n";
    for (int i = 0; i < 20000; ++i) many += std::to_string(i) + "\n";
    const std::string csv = s.write("t.csv", many);
    const std::string inserts = s.write("more.sql", "INSERT INTO t VALUES (-1), (-2);\n");
    const std::string gz = compress(schema, "gzip");
    const std::string xz = compress(csv, "xz");
    const std::string zst = compress(inserts, "zstd");
    const Outcome result = s.seed({gz, xz, zst});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "20002");
    // A damaged file is bad input, named.
    std::ofstream(s.dir / "broken.sql.gz", std::ios::binary) << "\x1f\x8b\x08 not really gzip";
    const Outcome broken = s.seed({(s.dir / "broken.sql.gz").string()});
    BOOST_TEST(broken.exit_code == 6);
    BOOST_TEST(contains(broken.err, "broken.sql.gz"));
}

BOOST_AUTO_TEST_CASE(progress_only_when_asked_or_on_a_terminal) {
    Scratch s;
    s.db->exec("CREATE TABLE t (id int)");
    std::string rows = "id\n";
    for (int i = 0; i < 1000; ++i) rows += std::to_string(i) + "\n";
    const std::string file = s.write("t.csv", rows);
    const Outcome quiet = s.seed({file});
    BOOST_TEST(!contains(quiet.err, "rows/s"));  // stderr is not a terminal here
    const Outcome shown = s.seed({"--progress", file});
    BOOST_TEST(shown.exit_code == 0);
    BOOST_TEST(contains(shown.err, "[1/1] " + file));
    BOOST_TEST(contains(shown.err, "rows/s"));
    BOOST_TEST(contains(shown.err, "\r\033[K"));  // redrawn in place, erased at the end
}

BOOST_AUTO_TEST_CASE(server_warnings_and_notices_speak_as_the_tool) {
    Scratch s;
    const std::string file = s.write(
        "talk.sql", "DO $$ BEGIN RAISE WARNING 'careful'; RAISE NOTICE 'by the way'; END $$;\n");
    const Outcome plain = s.seed({file});
    BOOST_TEST(plain.exit_code == 0, plain.err);
    BOOST_TEST(contains(plain.err, "pg-seed: warning: careful\n"), plain.err);
    BOOST_TEST(!contains(plain.err, "by the way"));  // notices only with --echo
    const Outcome echoed = s.seed({"--echo", file});
    BOOST_TEST(contains(echoed.err, "pg-seed: notice: by the way\n"), echoed.err);
}

BOOST_AUTO_TEST_CASE(a_files_settings_end_with_it) {
    // pg_dump output empties search_path; the next file must still find public's tables.
    Scratch s;
    s.write("010_dump.sql", "SELECT pg_catalog.set_config('search_path', '', false);\n"
                            "CREATE TABLE public.users (id int, name text);\n");
    s.write("020_users.csv", "id,name\n1,ada\n");
    s.write("030_more.sql", "INSERT INTO users VALUES (2, 'grace');\n");
    const Outcome result = s.seed({s.dir.string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT count(*) FROM users") == "2");
}

BOOST_AUTO_TEST_CASE(set_client_encoding_applies_to_the_statements_after_it) {
    Scratch s;
    s.write("latin1.sql", "SET client_encoding = 'LATIN1';\nCREATE TABLE l (v text);\n"
                          "INSERT INTO l VALUES ('na\xefve');\n");
    const Outcome result = s.seed({(s.dir / "latin1.sql").string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT v FROM l") == "na\xc3\xafve");
}

BOOST_AUTO_TEST_CASE(a_csv_line_holding_only_backslash_dot_is_data) {
    Scratch s;
    s.db->exec("CREATE TABLE t (a text)");
    s.write("t.csv", "a\nfirst\n\\.\nafter1\n\"multi\n\\.\nline\"\nlast");
    const Outcome result = s.seed({(s.dir / "t.csv").string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT string_agg(a, '|' ORDER BY a) FROM t") ==
               "\\.|after1|first|last|multi\n\\.\nline");
}

BOOST_AUTO_TEST_CASE(empty_statements_rules_and_lookalike_copies) {
    Scratch s;
    s.write("a.sql",
            "-- nothing but a stray semicolon\n;\n"
            "CREATE TABLE r (id int); CREATE TABLE log (id int);;\n"
            "CREATE RULE twice AS ON INSERT TO r DO ALSO (INSERT INTO log VALUES (NEW.id);\n"
            "  INSERT INTO log VALUES (NEW.id + 1));\n"
            "INSERT INTO r VALUES (10);\n"
            "CREATE TABLE stdinfo (id int);\n"
            "COPY (SELECT * FROM stdinfo) TO '/dev/null';\n");
    const Outcome result = s.seed({"--format", "json", (s.dir / "a.sql").string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT count(*) FROM log") == "2");
    // Rows written, not rows returned.
    BOOST_TEST(nlohmann::json::parse(result.out)["rows"] == 1);
}

BOOST_AUTO_TEST_CASE(duplicate_names_under_once_are_refused) {
    Scratch s;
    s.write("d1/001_init.sql", "SELECT 1;\n");
    s.write("d2/001_init.sql", "SELECT 2;\n");
    const Outcome result = s.seed({"--once", (s.dir / "d1").string(), (s.dir / "d2").string()});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, "would be recorded under one name"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(empty_statements_do_not_shift_the_line) {
    Scratch s;
    s.write("semi.sql", "CREATE TABLE t (id int PRIMARY KEY);\n;;\n;\nINSERT INTO t VALUES (1);\n"
                        "INSERT INTO t VALUES (1);\n");
    const Outcome result = s.seed({(s.dir / "semi.sql").string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "semi.sql:5: duplicate key"), result.err);
}

BOOST_AUTO_TEST_CASE(a_deferred_constraint_failure_names_the_file) {
    Scratch s;
    s.write("deferred.sql",
            "CREATE TABLE p (id int PRIMARY KEY);\n"
            "CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
            "INSERT INTO c VALUES (42);\n");
    const Outcome result = s.seed({(s.dir / "deferred.sql").string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "deferred.sql: insert or update on table \"c\""), result.err);
    BOOST_TEST(!s.table_exists("p"));
}

struct BadCase {
    std::string file, content, where, message;
};

const BadCase bad_cases[] = {
    {"values.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n\nINSERT INTO t VALUES ('oops');\n",
     "values.sql:4: ", "invalid input syntax for type integer: \"oops\""},
    {"dupes.sql", "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\n",
     "dupes.sql:3: ", "duplicate key value violates unique constraint"},
    {"syntax.sql", "CREATE TABLE t (id int);\nSELECT 1;\nSELEC 2;\n", "syntax.sql:3: ",
     "syntax error at or near \"SELEC\""},
    {"position.sql", "CREATE TABLE t (id int);\nINSERT INTO t\n  VALUES\n  (1 +);\n", "position.sql:4: ",
     "syntax error"},
    {"copy.sql", "CREATE TABLE t (id int, v text);\nCOPY t (id, v) FROM stdin;\n1\ta\n2\tb\nthree\tc\n\\.\n",
     "copy.sql:5: ", "invalid input syntax for type integer: \"three\""},
    {"t.csv", "id\n1\n2\nthree\n", "t.csv:4: ", "invalid input syntax for type integer: \"three\""},
    {"meta.sql", "CREATE TABLE t (id int);\n\\set x 1\n", "meta.sql:2: ", "psql meta-command not supported"},
    {"open.sql", "CREATE TABLE t (id int);\nSELECT 'never closed;\n", "open.sql:2: ", "unterminated quoted string"},
    {"endless.sql", "CREATE TABLE t (id int);\nCOPY t FROM stdin;\n1\n2\n", "endless.sql:4: ", "no end marker"},
    {"tail.sql", "CREATE TABLE t (id int);\nCOPY t FROM stdin; 1\n2\n\\.\n", "tail.sql:2: ",
     "text after COPY ... FROM stdin; on the same line"},
    {"out.sql", "CREATE TABLE t (id int);\nCOPY t TO STDOUT;\n", "out.sql:2: ", "COPY ... TO STDOUT is not supported"},
};

std::ostream& operator<<(std::ostream& out, const BadCase& bad) { return out << bad.file; }

BOOST_DATA_TEST_CASE(bad_input_is_exit_6_naming_file_and_line_and_nothing_is_left,
                     data::make(bad_cases), bad) {
    Scratch s;
    if (bad.file == "t.csv") s.db->exec("CREATE TABLE t (id int)");
    s.write("000_first.sql", "CREATE TABLE earlier (id int);\n");
    s.write(bad.file, bad.content);
    const Outcome result = s.seed({s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "pg-seed: error: " + (s.dir / bad.where).string()), result.err);
    BOOST_TEST(contains(result.err, bad.message), result.err);
    if (bad.file == "values.sql") BOOST_TEST(contains(result.err, "(SQLSTATE 22P02)"));
    BOOST_TEST(!s.table_exists("earlier"));  // one transaction: the first file is gone too
    if (bad.file != "t.csv") BOOST_TEST(!s.table_exists("t"));
}

// With --per-file an earlier file commits on its own: what pg-seed can find itself must stop
// the run before that, so a broken later file leaves even the earlier one out.
BOOST_DATA_TEST_CASE(per_file_checks_every_sql_file_before_the_first_commit,
                     data::make(std::vector<std::string>{"meta.sql", "open.sql", "endless.sql",
                                                         "tail.sql", "out.sql"}),
                     name) {
    const auto bad = std::find_if(std::begin(bad_cases), std::end(bad_cases),
                                  [&](const BadCase& c) { return c.file == name; });
    BOOST_TEST_REQUIRE((bad != std::end(bad_cases)));
    Scratch s;
    s.write("000_first.sql", "CREATE TABLE earlier (id int);\n");
    s.write(bad->file, bad->content);
    const Outcome result = s.seed({"--per-file", s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, (s.dir / bad->where).string()), result.err);
    BOOST_TEST(!s.table_exists("earlier"));
}

BOOST_AUTO_TEST_CASE(per_file_keeps_earlier_files_and_nothing_of_the_failing_one) {
    Scratch s;
    s.write("1.sql", "CREATE TABLE one (id int);\n");
    s.write("2.sql", "CREATE TABLE two (id int);\nINSERT INTO two VALUES ('x');\n");
    const Outcome result = s.seed({"--per-file", s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(s.table_exists("one"));
    BOOST_TEST(!s.table_exists("two"));
}

BOOST_AUTO_TEST_CASE(dry_run_with_per_file_still_sees_earlier_files) {
    Scratch s;
    s.write("1.sql", "CREATE TABLE one (id int);\n");
    s.write("2.sql", "INSERT INTO one VALUES (1);\n");
    const Outcome result = s.seed({"--per-file", "--dry-run", s.dir.string()});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(!s.table_exists("one"));
}

BOOST_AUTO_TEST_CASE(dry_run_validates_everything_and_changes_nothing) {
    Scratch s;
    s.write("1.sql", "CREATE TABLE one (id int);\nINSERT INTO one VALUES (1), (2);\n");
    const Outcome ok = s.seed({"--dry-run", s.dir.string()});
    BOOST_TEST(ok.exit_code == 0, ok.err);
    BOOST_TEST(contains(ok.out, "rolled back: --dry-run"));
    BOOST_TEST(!s.table_exists("one"));
    s.write("2.sql", "INSERT INTO one VALUES ('bad');\n");
    const Outcome bad = s.seed({"--dry-run", s.dir.string()});
    BOOST_TEST(bad.exit_code == 6);  // found against the real schema
    BOOST_TEST(contains(bad.err, "2.sql:1: "));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(once)

BOOST_AUTO_TEST_CASE(applies_new_files_skips_applied_ones_and_refuses_changed_ones) {
    Scratch s;
    s.write("1.sql", "CREATE TABLE t (id int);\r\nINSERT INTO t VALUES (1);\r\n");
    BOOST_TEST(s.seed({"--once", s.dir.string()}).exit_code == 0);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "1");
    BOOST_TEST(s.value("SELECT path FROM pg_seed_history") == "1.sql");

    // Again: skipped. Line ends changed to LF: still the same file.
    s.write("1.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n");
    const Outcome again = s.seed({"--once", "--format", "json", s.dir.string()});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(nlohmann::json::parse(again.out)["files"][0]["action"] == "skipped");

    // A new file is applied; the old one still skipped.
    s.write("2.sql", "INSERT INTO t VALUES (2);\n");
    BOOST_TEST(s.seed({"--once", s.dir.string()}).exit_code == 0);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "2");

    // A changed file: exit 5 naming it, and nothing of the run committed.
    s.write("1.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (100);\n");
    s.write("3.sql", "INSERT INTO t VALUES (3);\n");
    const Outcome changed = s.seed({"--once", s.dir.string()});
    BOOST_TEST(changed.exit_code == 5);
    BOOST_TEST(contains(changed.err, "1.sql\" has changed since it was applied"));
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "2");

    // --reapply-changed applies it again (it fails here: the table exists) -> nothing kept.
    s.write("1.sql", "INSERT INTO t VALUES (100);\n");
    const Outcome reapplied = s.seed({"--once", "--reapply-changed", s.dir.string()});
    BOOST_TEST(reapplied.exit_code == 0, reapplied.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "4");
    BOOST_TEST(s.value("SELECT count(*) FROM pg_seed_history") == "3");
}

const bool per_file_modes[] = {false, true};

BOOST_DATA_TEST_CASE(concurrent_once_runs_apply_each_file_once, data::make(per_file_modes),
                     per_file) {
    Scratch s;
    s.db->exec("CREATE TABLE hits (n int)");
    s.write("1.sql", "INSERT INTO hits VALUES (1);\n");
    s.write("2.sql", "INSERT INTO hits VALUES (2);\n");
    std::vector<Running> runs;
    for (int i = 0; i < 6; ++i) {
        std::vector<std::string> args = {"-d", s.dbname, "--once", "--history-table", "seed_log",
                                         s.dir.string()};
        if (per_file) args.push_back("--per-file");
        runs.push_back(start_tool("pg-seed", args));
    }
    for (auto& run : runs) {
        const Outcome result = run.wait();
        BOOST_TEST(result.exit_code == 0, result.err);
    }
    BOOST_TEST(s.value("SELECT count(*) FROM hits") == "2");
    BOOST_TEST(s.value("SELECT count(*) FROM public.seed_log") == "2");
}

BOOST_AUTO_TEST_CASE(concurrent_once_runs_apply_a_file_marked_transaction_false_once) {
    Scratch s;
    s.db->exec("CREATE TABLE hits (n int)");
    // An index built CONCURRENTLY waits for every older snapshot: a run waiting for the
    // history's lock must hold none, or neither ever ends.
    s.write("1.sql", "-- transaction: false\nINSERT INTO hits VALUES (1);\nSELECT pg_sleep(0.2);\n"
                     "CREATE INDEX CONCURRENTLY IF NOT EXISTS hits_n ON hits (n);\n"
                     "INSERT INTO hits VALUES (2);\n");
    s.write("2.sql", "INSERT INTO hits VALUES (3);\n");
    std::vector<Running> runs;
    for (int i = 0; i < 6; ++i) {
        runs.push_back(start_tool("pg-seed", {"-d", s.dbname, "--once", "--per-file", s.dir.string()}));
    }
    for (auto& run : runs) {
        const Outcome result = wait_at_most(run, 120);
        BOOST_TEST(result.exit_code == 0, result.err);
    }
    BOOST_TEST(s.value("SELECT string_agg(n::text, ',' ORDER BY n) FROM hits") == "1,2,3");
    BOOST_TEST(s.value("SELECT count(*) FROM pg_seed_history") == "2");
}

BOOST_AUTO_TEST_CASE(a_history_table_of_an_older_version_gets_applied_by) {
    Scratch s;
    // The table as pg-seed made it before applied_by, with a record in it.
    s.db->exec("CREATE TABLE pg_seed_history (path text PRIMARY KEY, sha256 text NOT NULL, "
               "applied_at timestamptz NOT NULL DEFAULT now(), rows bigint NOT NULL)");
    s.db->exec("INSERT INTO pg_seed_history VALUES ('old.sql', 'x', now(), 0)");
    const std::string file = s.write("new.sql", "CREATE TABLE n (id int);\n");
    const Outcome result = s.seed({"--once", file});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT applied_by FROM pg_seed_history WHERE path = 'new.sql'") ==
               s.value("SELECT current_user"));
    BOOST_TEST(s.value("SELECT applied_by IS NULL FROM pg_seed_history WHERE path = 'old.sql'") == "t");
    // A role that does not own an old table still loads; it is told what is not recorded.
    const std::string role = unique_name("seed_other");
    admin().exec("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
    s.db->exec("ALTER TABLE pg_seed_history DROP COLUMN applied_by");
    s.db->exec("GRANT SELECT, INSERT, UPDATE ON pg_seed_history TO " + role);
    s.db->exec("GRANT CREATE ON SCHEMA public TO " + role);
    const std::string other = s.write("other.sql", "CREATE TABLE o (id int);\n");
    const Outcome as_other = s.seed({"-U", role, "--once", other});
    BOOST_TEST(as_other.exit_code == 0, as_other.err);
    BOOST_TEST(contains(as_other.err, "has no applied_by column, and only its owner can add it"),
               as_other.err);
    BOOST_TEST(s.value("SELECT count(*) FROM pg_seed_history WHERE path = 'other.sql'") == "1");
    s.db->exec("DROP OWNED BY " + role);
    admin().exec("DROP ROLE " + role);
}

BOOST_AUTO_TEST_CASE(a_files_set_role_ends_with_the_file_and_once_still_records_it) {
    Scratch s;
    const std::string role = unique_name("seed_role");
    admin().exec("DROP ROLE IF EXISTS " + role);
    admin().exec("CREATE ROLE " + role);
    s.db->exec("GRANT CREATE ON SCHEMA public TO " + role);
    // pg_dump --role output, and many migrations, start with SET ROLE.
    const std::string first = s.write("010_as_role.sql", "SET ROLE " + role + ";\nCREATE TABLE owned (id int);\n");
    const std::string authorization = s.write(
        "020_authorization.sql", "SET SESSION AUTHORIZATION " + role + ";\nCREATE TABLE also_owned (id int);\n");
    const std::string after = s.write("030_after.sql", "CREATE TABLE mine (id int);\n");
    for (const auto& options : std::vector<std::vector<std::string>>{{"--once"}, {"--once", "--per-file"}}) {
        std::vector<std::string> args = options;
        args.insert(args.end(), {first, authorization, after});
        const Outcome result = s.seed(args);
        BOOST_TEST(result.exit_code == 0, result.err);
        BOOST_TEST(s.value("SELECT tableowner FROM pg_tables WHERE tablename = 'owned'") == role);
        BOOST_TEST(s.value("SELECT tableowner FROM pg_tables WHERE tablename = 'also_owned'") == role);
        // The next file runs as the role that connected.
        BOOST_TEST(s.value("SELECT tableowner FROM pg_tables WHERE tablename = 'mine'") != role);
        BOOST_TEST(s.value("SELECT count(*) FROM pg_seed_history") == "3");
        // Each record names the role that connected, not the one a file set.
        BOOST_TEST(s.value("SELECT string_agg(DISTINCT applied_by, ',') FROM pg_seed_history") ==
                   s.value("SELECT current_user"));
        s.db->exec("DROP TABLE owned, also_owned, mine, pg_seed_history");
    }
    s.db->exec("REVOKE CREATE ON SCHEMA public FROM " + role);
    admin().exec("DROP OWNED BY " + role + " CASCADE");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(locks)

BOOST_AUTO_TEST_CASE(lock_timeout_gives_up_and_loads_nothing) {
    Scratch s;
    s.db->exec("CREATE TABLE t (id int)");
    s.write("1_first.sql", "CREATE TABLE first (id int);\n");
    s.write("2_t.csv", "id\n1\n");
    Database blocker(shared_cluster().conninfo(s.dbname));
    blocker.exec("BEGIN");
    blocker.exec("LOCK TABLE t");
    const Outcome result = s.seed({"--lock-timeout", "0.5", s.dir.string()});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "2_t.csv:1: canceling statement due to lock timeout"), result.err);
    BOOST_TEST(contains(result.err, "(SQLSTATE 55P03)"), result.err);
    blocker.exec("ROLLBACK");
    BOOST_TEST(!s.table_exists("first"));
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "0");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memory)

// Not timed: what it asserts is pg-seed's peak memory on a 1 GiB CSV file (the benchmark holds
// the tighter target). The rows are thrown away by a trigger, so the server stores nothing.
BOOST_AUTO_TEST_CASE(a_1_gib_csv_loads_in_flat_memory) {
#ifdef PGKIT_SANITIZE
    BOOST_TEST_MESSAGE("skipped under the sanitizers: their own memory is what /usr/bin/time sees");
    return;
#endif
    if (::access("/usr/bin/time", X_OK) != 0) {
        BOOST_TEST_MESSAGE("skipped: /usr/bin/time is not installed");
        return;
    }
    Scratch s;
    s.db->exec("CREATE TABLE t (id int, v text)");
    s.db->exec("CREATE FUNCTION discard() RETURNS trigger LANGUAGE plpgsql AS "
               "$$ BEGIN RETURN NULL; END $$");
    s.db->exec("CREATE TRIGGER discard BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION discard()");
    const fs::path csv = s.dir / "big.csv";
    const std::size_t rows = 1024 * 1024;
    {
        std::ofstream out(csv, std::ios::binary);
        out << "id,v\n";
        const std::string filler(1016, 'x');  // with the id and the line end: 1 KiB a row
        for (std::size_t id = 0; id < rows; ++id) out << (id % 10000000) + 1000000 << ',' << filler << '\n';
    }
    BOOST_TEST_REQUIRE(fs::file_size(csv) > 1024u * 1024 * 1024);
    const std::string rss_file = (s.dir / "rss").string();
    Command command;
    command.argv = {"/usr/bin/time", "-f", "%M", "-o", rss_file, tool_path("pg-seed"),
                    "-d", s.dbname, "--table", "t", csv.string()};
    command.env = tool_env(shared_cluster());
    const Outcome result = run(command);
    fs::remove(csv);
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    const long peak_kb = std::stol(read_file(rss_file));
    BOOST_TEST_MESSAGE("pg-seed peak RSS on 1 GiB: " << peak_kb << " KB");
    BOOST_TEST(peak_kb < 32 * 1024);
    BOOST_TEST(peak_kb > 1024);  // the measurement is of the tool, not nothing
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(jobs)

BOOST_AUTO_TEST_CASE(jobs_is_refused_where_it_cannot_keep_its_promise) {
    const std::string port = unused_port();  // reaching the server would be exit 3
    Scratch s;
    const std::string csv = s.write("t.csv", "id\n1\n");
    const std::vector<std::string> connection = {"-h", tcp_host(), "-p", port};
    auto seed = [&](std::vector<std::string> args) {
        args.insert(args.begin(), connection.begin(), connection.end());
        return run_tool("pg-seed", args);
    };
    const Outcome one_transaction = seed({"--jobs", "2", csv});
    BOOST_TEST(one_transaction.exit_code == 2);
    BOOST_TEST(contains(one_transaction.err, "--jobs needs --per-file"), one_transaction.err);
    const Outcome once = seed({"--jobs=2", "--per-file", "--once", csv});
    BOOST_TEST(once.exit_code == 2);
    BOOST_TEST(contains(once.err, "--jobs cannot be combined with --once"), once.err);
    for (const std::string bad : {"0", "-1", "65", "two", ""}) {
        const Outcome result = seed({"--per-file", "--jobs", bad, csv});
        BOOST_TEST(result.exit_code == 2, "--jobs " << bad << ": " << result.err);
    }
    BOOST_TEST(seed({"-j", "1", csv}).exit_code == 3);  // one job needs no --per-file
}

/// A CSV file past the size from which pg-seed splits it over connections (16 MiB): rows of
/// ids 1..rows, with a quoted line break and a "\." line inside a quoted field in every
/// 1000th row, so that some fall near any cut.
std::string big_csv(const Scratch& s, const std::string& name, long rows, long bad_row = 0) {
    std::string text = "id,note\n";
    text.reserve(static_cast<std::size_t>(rows) * 60);
    for (long id = 1; id <= rows; ++id) {
        text += std::to_string(id == bad_row ? -1 : id).insert(0, id == bad_row ? "x" : "");
        if (id % 1000 == 0) {
            text += ",\"two\nlines, \"\"quoted\"\"\n\\.\n\"\n";
        } else {
            text += ",plain row number " + std::to_string(id) + " with some padding text\n";
        }
    }
    return s.write(name, text);
}

BOOST_AUTO_TEST_CASE(a_big_file_splits_over_connections_at_row_boundaries) {
    Scratch s;
    s.db->exec("CREATE TABLE big (id int PRIMARY KEY, note text)");
    s.db->exec("CREATE TABLE small1 (id int)");
    s.db->exec("CREATE TABLE small2 (id int)");
    const long rows = 350000;
    big_csv(s, "010_big.csv", rows);
    s.write("020_small1.csv", "id\n1\n2\n");
    s.write("030_small2.csv", "id\n3\n");
    const Outcome result = s.seed({"--per-file", "--jobs", "3", "--format", "json", s.dir.string()});
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    BOOST_TEST(fs::file_size(s.dir / "010_big.csv") > 16u * 1024 * 1024);
    const auto report = nlohmann::json::parse(result.out);
    BOOST_TEST(report["files"][0]["statements"] == 3);  // one COPY per connection
    BOOST_TEST(report["files"][0]["rows"] == rows);
    BOOST_TEST(report["rows"] == rows + 3);
    BOOST_TEST(s.value("SELECT count(*) FROM big") == std::to_string(rows));
    BOOST_TEST(s.value("SELECT sum(id) FROM big") == std::to_string(rows * (rows + 1) / 2));
    BOOST_TEST(s.value("SELECT count(*) FROM big WHERE note = E'two\\nlines, \"quoted\"\\n\\\\.\\n'") ==
               std::to_string(rows / 1000));
    BOOST_TEST(s.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM small1") == "1,2");
    BOOST_TEST(s.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM small2") == "3");
}

BOOST_AUTO_TEST_CASE(a_failing_part_leaves_nothing_of_its_file_and_names_the_line) {
    Scratch s;
    s.db->exec("CREATE TABLE big (id int PRIMARY KEY, note text)");
    s.db->exec("CREATE TABLE first (id int)");
    s.write("010_first.sql", "INSERT INTO first VALUES (1);\n");
    const long rows = 350000, bad_row = 300001;  // in the second half
    big_csv(s, "020_big.csv", rows, bad_row);
    const Outcome result = s.seed({"--per-file", "--jobs", "2", s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    // Header line 1, one extra line per 1000th row before it (each such row spans 4 lines).
    const long line = bad_row + 1 + 3 * ((bad_row - 1) / 1000);
    BOOST_TEST(contains(result.err, (s.dir / "020_big.csv").string() + ":" + std::to_string(line) + ": "),
               result.err);
    BOOST_TEST(contains(result.err, "invalid input syntax for type integer: \"x-1\""), result.err);
    BOOST_TEST(contains(result.err, "Nothing was committed by the files loading in parallel"), result.err);
    BOOST_TEST(s.value("SELECT count(*) FROM big") == "0");
    BOOST_TEST(s.value("SELECT count(*) FROM first") == "1");  // --per-file: the earlier file stays
}

BOOST_AUTO_TEST_CASE(small_files_load_side_by_side_each_in_its_own_transaction) {
    Scratch s;
    for (int i = 1; i <= 5; ++i) s.db->exec("CREATE TABLE t" + std::to_string(i) + " (id int)");
    for (int i = 1; i <= 5; ++i) {
        s.write("0" + std::to_string(i) + "_t" + std::to_string(i) + ".csv",
                i == 4 ? "id\n1\nbad\n" : "id\n" + std::to_string(i) + "\n");
    }
    const Outcome result = s.seed({"--per-file", "--jobs", "2", s.dir.string()});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "04_t4.csv:3: "), result.err);
    BOOST_TEST(contains(result.err, "Committed: "), result.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t4") == "0");
    // The files before it are in, and named as committed.
    for (int i = 1; i <= 3; ++i) {
        const std::string table = "t" + std::to_string(i);
        if (s.value("SELECT count(*) FROM " + table) == "1") {
            BOOST_TEST(contains(result.err, "0" + std::to_string(i) + "_" + table + ".csv"), result.err);
        }
    }
    BOOST_TEST(s.value("SELECT count(*) FROM t1") == "1");
    BOOST_TEST(s.value("SELECT count(*) FROM t5") == "0");  // not started after the failure
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(csv_files)

BOOST_AUTO_TEST_CASE(an_empty_csv_file_has_no_header_line) {
    Scratch s;
    s.db->exec("CREATE TABLE t (id int)");
    const std::string empty = s.write("t.csv", "");
    const Outcome result = s.seed({empty});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "t.csv:1: no header line: the file is empty"), result.err);
    BOOST_TEST(contains(result.err, "--no-header"), result.err);
    const std::string blank = s.write("blank/t.csv", "\r\n1\n");
    const Outcome blank_header = s.seed({blank});
    BOOST_TEST(blank_header.exit_code == 6);
    BOOST_TEST(contains(blank_header.err, "t.csv:1: the header line is empty"), blank_header.err);
    // Without a header line, an empty file is no rows.
    const Outcome no_header = s.seed({"--no-header", empty});
    BOOST_TEST(no_header.exit_code == 0, no_header.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "0");
}

BOOST_AUTO_TEST_CASE(a_bad_row_after_a_multi_line_first_row_is_named_at_its_own_line) {
    Scratch s;
    s.db->exec("CREATE TABLE t (id int, note text)");
    // The bad row is on line 6; the first data row spans lines 2 to 4.
    const std::string header = s.write("t.csv", "id,note\n1,\"a\nb\nc\"\n2,ok\nbad,row\n");
    const Outcome with_header = s.seed({header});
    BOOST_TEST(with_header.exit_code == 6);
    BOOST_TEST(contains(with_header.err, "t.csv:6: invalid input syntax for type integer"),
               with_header.err);
    const std::string bare = s.write("bare/t.csv", "1,\"a\nb\nc\"\n2,ok\nbad,row\n");
    const Outcome without_header = s.seed({"--no-header", bare});
    BOOST_TEST(without_header.exit_code == 6);
    BOOST_TEST(contains(without_header.err, "t.csv:5: invalid input syntax for type integer"),
               without_header.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "0");
    // And loads whole when it is right.
    s.write("good/t.csv", "id,note\n1,\"a\nb\"\n2,ok\n");
    BOOST_TEST(s.seed({(s.dir / "good" / "t.csv").string()}).exit_code == 0);
    BOOST_TEST(s.value("SELECT string_agg(note, '|' ORDER BY id) FROM t") == "a\nb|ok");
}

BOOST_AUTO_TEST_CASE(a_csv_copy_block_in_an_sql_file_names_the_files_own_line) {
    Scratch s;
    s.db->exec("CREATE TABLE t (id int, note text)");
    // The block's data starts on line 3; its first record spans lines 3 to 5; the bad row is on
    // line 7 (the server says "line 5").
    const std::string file = s.write("block.sql",
                                     "-- data\nCOPY t FROM stdin (FORMAT csv);\n1,\"a\nb\nc\"\n"
                                     "2,ok\nbad,row\n\\.\n");
    const Outcome result = s.seed({file});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "block.sql:7: invalid input syntax for type integer"), result.err);
    // The same with a header of two lines, its own quote character and the old syntax.
    const std::string quoted = s.write("quoted.sql",
                                       "COPY t FROM stdin WITH CSV HEADER QUOTE AS '|';\n|i\nd|,note\n"
                                       "1,|x\"\ny|\nbad,row\n\\.\n");
    const Outcome other = s.seed({quoted});
    BOOST_TEST(other.exit_code == 6);
    BOOST_TEST(contains(other.err, "quoted.sql:6: invalid input syntax for type integer"), other.err);
    // Text format is counted as it is (no record spans lines there).
    const std::string text = s.write("text.sql", "COPY t FROM stdin;\n1\ta\\nb\nbad\tx\n\\.\n");
    const Outcome plain = s.seed({text});
    BOOST_TEST(plain.exit_code == 6);
    BOOST_TEST(contains(plain.err, "text.sql:3: invalid input syntax for type integer"), plain.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "0");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transactions_in_files)

BOOST_AUTO_TEST_CASE(a_per_file_failure_names_the_files_already_committed) {
    Scratch s;
    const std::string first = s.write("010_a.sql", "CREATE TABLE a (id int);\n");
    const std::string second = s.write("020_b.csv", "id\n1\n");
    const std::string third = s.write("030_c.sql", "CREATE TABLE c (id int);\nINSERT INTO c VALUES ('x');\n");
    s.db->exec("CREATE TABLE b (id int)");
    const Outcome result = s.seed({"--per-file", "--format", "json", first, second, third});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "detail: Committed before it: " + first + ", " + second + "."),
               result.err);
    const auto document = nlohmann::json::parse(result.out);
    BOOST_TEST(document["ok"] == false);
    BOOST_TEST((document["committed"] == nlohmann::json::array({first, second})), result.out);
    BOOST_TEST(s.table_exists("a"));
    BOOST_TEST(!s.table_exists("c"));
    // The first file failing: nothing committed, and the JSON says so too.
    const std::string broken = s.write("000_broken.sql", "SELECT 1/0;\n");
    const Outcome early = s.seed({"--per-file", "--format", "json", broken, first});
    BOOST_TEST(early.exit_code == 6);
    BOOST_TEST(contains(early.err, "detail: Nothing was committed."), early.err);
    BOOST_TEST(nlohmann::json::parse(early.out)["committed"].empty());
}

/// pg_dump writes BEGIN; ... COMMIT; around large objects: that pair must not commit the run.
BOOST_AUTO_TEST_CASE(a_dump_with_a_large_object_loads_and_a_later_failure_leaves_nothing) {
    const Cluster& cluster = shared_cluster();
    if (!possible_here(cluster.server_major() <= cluster.client_major(),
                       "pg_dump refuses a server newer than itself")) {
        return;
    }
    Scratch source;
    source.db->exec("CREATE TABLE docs (id int, blob oid); "
                    "INSERT INTO docs VALUES (1, lo_from_bytea(0, '\\x00ff41'::bytea))");
    Command command;
    command.argv = {shared_cluster().client_tool("pg_dump"), "--no-owner",
                    "-d", source.dbname};
    command.env = tool_env(shared_cluster());
    const Outcome dump = run(command);
    BOOST_TEST_REQUIRE(dump.exit_code == 0, dump.err);
    BOOST_TEST_REQUIRE(contains(dump.out, "\nBEGIN;\n"));  // the pair this is about
    Scratch target;
    const std::string file = target.write("010_dump.sql", dump.out);
    const std::string broken = target.write("020_broken.sql", "SELECT 1/0;\n");
    const Outcome failed = target.seed({file, broken});
    BOOST_TEST(failed.exit_code == 6, failed.err);
    BOOST_TEST(!target.table_exists("public.docs"));
    BOOST_TEST(target.value("SELECT count(*) FROM pg_largeobject_metadata") == "0");
    const Outcome loaded = target.seed({file});
    BOOST_TEST(loaded.exit_code == 0, loaded.err);
    BOOST_TEST(target.value("SELECT encode(lo_get(blob), 'hex') FROM docs") == "00ff41");
}

BOOST_AUTO_TEST_CASE(a_files_begin_commit_pair_is_rolled_back_with_the_run) {
    Scratch s;
    const std::string first = s.write("010_a.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n");
    const std::string second = s.write("020_b.sql", "CREATE TABLE b (id int);\nSELECT 1/0;\n");
    const Outcome failed = s.seed({first, second});
    BOOST_TEST(failed.exit_code == 6);
    BOOST_TEST(contains(failed.err, "020_b.sql:2: division by zero"), failed.err);
    BOOST_TEST(!s.table_exists("a"));
    BOOST_TEST(!s.table_exists("b"));
    // --dry-run changes nothing, whatever the file says.
    const Outcome dry = s.seed({"--dry-run", first});
    BOOST_TEST(dry.exit_code == 0, dry.err);
    BOOST_TEST(!s.table_exists("a"));
    // --echo shows what is sent instead: a savepoint inside the run's transaction.
    const Outcome echoed = s.seed({"--echo", first});
    BOOST_TEST(echoed.exit_code == 0, echoed.err);
    BOOST_TEST(contains(echoed.err, "SAVEPOINT pg_seed_block;"), echoed.err);
    BOOST_TEST(s.table_exists("a"));
}

BOOST_AUTO_TEST_CASE(a_rollback_inside_the_files_block_undoes_that_block_only) {
    Scratch s;
    const std::string file = s.write("undo.sql",
                                     "CREATE TABLE t (v int);\nBEGIN;\nINSERT INTO t VALUES (1);\n"
                                     "ROLLBACK;\nINSERT INTO t VALUES (2);\n");
    const Outcome result = s.seed({file});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.value("SELECT string_agg(v::text, ',') FROM t") == "2");
}

BOOST_AUTO_TEST_CASE(a_commit_or_rollback_of_the_runs_transaction_is_exit_6_before_it_runs) {
    Scratch s;
    const std::string good = s.write("010_good.sql", "CREATE TABLE good (id int);\n");
    const std::string commit = s.write("020_commit.sql", "CREATE TABLE c (id int);\n\nCOMMIT;\n");
    for (const auto& options : std::vector<std::vector<std::string>>{{}, {"--per-file"}}) {
        std::vector<std::string> args = options;
        args.insert(args.end(), {good, commit});
        const Outcome result = s.seed(args);
        BOOST_TEST(result.exit_code == 6);
        BOOST_TEST(contains(result.err, "020_commit.sql:3: COMMIT would end pg-seed's transaction"),
                   result.err);
        BOOST_TEST(contains(result.err, "hint: "));
        BOOST_TEST(!s.table_exists("good"));  // --per-file checks every file before the first commits
        BOOST_TEST(!s.table_exists("c"));
    }
    // With --once, the history's row would have failed after the ROLLBACK; now nothing runs.
    const std::string rollback = s.write("rollback.sql", "CREATE TABLE r (id int);\nROLLBACK;\n");
    const Outcome once = s.seed({"--once", rollback});
    BOOST_TEST(once.exit_code == 6);
    BOOST_TEST(contains(once.err, "rollback.sql:2: ROLLBACK would end pg-seed's transaction"), once.err);
    BOOST_TEST(!s.table_exists("r"));
    BOOST_TEST(!s.table_exists("public.pg_seed_history"));
    const std::string prepared = s.write("2pc.sql", "BEGIN;\nPREPARE TRANSACTION 'x';\n");
    const Outcome two_phase = s.seed({prepared});
    BOOST_TEST(two_phase.exit_code == 6);
    BOOST_TEST(contains(two_phase.err, "2pc.sql:2: PREPARE TRANSACTION is not supported"), two_phase.err);
    const std::string open = s.write("open.sql", "CREATE TABLE o (id int);\nBEGIN;\nCREATE TABLE p (id int);\n");
    const Outcome unclosed = s.seed({open});
    BOOST_TEST(unclosed.exit_code == 6);
    BOOST_TEST(contains(unclosed.err, "open.sql:2: BEGIN without COMMIT or ROLLBACK"), unclosed.err);
    BOOST_TEST(!s.table_exists("o"));
}

BOOST_AUTO_TEST_CASE(a_statement_that_cannot_run_in_a_transaction_is_exit_6_with_a_hint) {
    Scratch s;
    const std::string file = s.write("vacuum.sql", "CREATE TABLE v (id int);\nVACUUM v;\n");
    const Outcome result = s.seed({file});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "vacuum.sql:2: VACUUM cannot run inside a transaction block"),
               result.err);
    BOOST_TEST(contains(result.err, "hint: pg-seed runs every file inside a transaction"), result.err);
    BOOST_TEST(contains(result.err, "\"-- transaction: false\""), result.err);
    BOOST_TEST(!s.table_exists("v"));
}

BOOST_AUTO_TEST_CASE(a_file_marked_transaction_false_runs_outside_one_with_per_file_only) {
    Scratch s;
    const std::string first = s.write("010_table.sql", "CREATE TABLE t (id int);\n");
    const std::string marked = s.write("020_index.sql",
                                       "-- Builds without locking writers out.\n--  Transaction:False\n\n"
                                       "CREATE INDEX CONCURRENTLY t_id ON t (id);\nVACUUM t;\n"
                                       "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n");
    // Without --per-file: refused before anything is sent, naming the marker's line.
    const Outcome refused = s.seed({first, marked});
    BOOST_TEST(refused.exit_code == 6);
    BOOST_TEST(contains(refused.err, "020_index.sql:2: a file marked \"transaction: false\" needs --per-file"),
               refused.err);
    BOOST_TEST(!s.table_exists("t"));
    // A dry run checks it but cannot run it: it says so.
    const Outcome dry = s.seed({"--per-file", "--dry-run", first, marked});
    BOOST_TEST(dry.exit_code == 0, dry.err);
    BOOST_TEST(contains(dry.err, "020_index.sql: not run: it is marked \"transaction: false\""), dry.err);
    BOOST_TEST(!s.table_exists("t"));
    // With --per-file it runs, statement by statement; --once records it and skips it next time.
    const Outcome applied = s.seed({"--per-file", "--once", first, marked});
    BOOST_TEST(applied.exit_code == 0, applied.err);
    BOOST_TEST(s.value("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass") == "t");
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "1");
    BOOST_TEST(s.value("SELECT count(*) FROM pg_seed_history") == "2");
    const Outcome again = s.seed({"--per-file", "--once", first, marked});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(s.value("SELECT count(*) FROM t") == "1");
    // Not atomic, as documented: what ran before a failure stays, and the error says so.
    const std::string failing = s.write("030_fails.sql",
                                        "-- transaction: false\nCREATE TABLE kept (id int);\n"
                                        "SELECT 1/0;\nCREATE TABLE never (id int);\n");
    const Outcome failed = s.seed({"--per-file", failing});
    BOOST_TEST(failed.exit_code == 6);
    BOOST_TEST(contains(failed.err, "030_fails.sql:3: division by zero"), failed.err);
    BOOST_TEST(contains(failed.err, "before the one that failed stay committed"), failed.err);
    BOOST_TEST(!contains(failed.err, "Nothing was committed"), failed.err);
    BOOST_TEST(s.table_exists("kept"));
    BOOST_TEST(!s.table_exists("never"));
    s.db->exec("DROP TABLE kept");
    const Outcome as_json = s.seed({"--per-file", "--format", "json", failing});
    BOOST_TEST(as_json.exit_code == 6);
    const auto report = nlohmann::json::parse(as_json.out);
    BOOST_TEST(report["partly_committed"] == failing);
    BOOST_TEST(report["committed"].empty());
}

BOOST_AUTO_TEST_CASE(text_is_read_as_the_session_reads_it) {
    Scratch s;
    // standard_conforming_strings off: 'a\'; b' is one string, as psql and the server read it;
    // set_config() turns it on again.
    const std::string escapes =
        s.write("escapes.sql",
                "SET standard_conforming_strings = off;\nCREATE TABLE e (v text);\n"
                "INSERT INTO e VALUES ('a\\'; b');\n"
                "SELECT pg_catalog.set_config('standard_conforming_strings', 'on', false);\n"
                "INSERT INTO e VALUES ('c\\');\n");
    // SJIS: 0x95 0x5C is one character (U+8868), whose second byte is the ASCII backslash.
    const std::string sjis = s.write("sjis.sql",
                                     "SET client_encoding = 'SJIS';\nCREATE TABLE j (v text);\n"
                                     "INSERT INTO j VALUES (E'\x95\x5C'), ('\x95\x5C;');\n");
    // Loading only (the server reports the settings), checking first (--once, --per-file: the
    // file's own SET commands are followed), and in a dry run.
    for (const auto& option : {"--quiet", "--once", "--per-file", "--dry-run"}) {
        s.db->exec("DROP TABLE IF EXISTS e, j, pg_seed_history");
        const Outcome result = s.seed({option, escapes, sjis});
        BOOST_TEST(result.exit_code == 0, option << ": " << result.err);
        if (std::string(option) == "--dry-run") {
            BOOST_TEST(!s.table_exists("e"));
            continue;
        }
        BOOST_TEST(s.value("SELECT string_agg(v, '|' ORDER BY v) FROM e") == "a'; b|c\\", option);
        BOOST_TEST(s.value("SELECT string_agg(v, '|' ORDER BY v) FROM j") ==
                       "\xE8\xA1\xA8|\xE8\xA1\xA8;", option);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dumps)

/// pg_dump of a database with awkward values, loaded into an empty one, dumps back the same.
BOOST_AUTO_TEST_CASE(pg_dump_plain_output_loads_and_dumps_back_identical) {
    const Cluster& cluster = shared_cluster();
    if (!possible_here(cluster.server_major() <= cluster.client_major(),
                       "pg_dump refuses a server newer than itself")) {
        return;
    }
    Scratch source;
    source.db->exec(R"sql(
        CREATE TABLE awkward (id serial PRIMARY KEY, t text, b bytea, a int[], j jsonb,
                              ts timestamptz, f float8, n numeric);
        INSERT INTO awkward (t, b, a, j, ts, f, n) VALUES
          (E'tab\there\nnewline \\ backslash', '\x00ff'::bytea, '{1,NULL,3}', '{"k": "v;"}',
           'infinity', 'NaN', 1.5),
          (NULL, NULL, NULL, NULL, '-infinity', '-Infinity', NULL),
          ('ünïcödé ☃ ''quoted''', '\x'::bytea, '{}', '[]', '2024-01-01 00:00+00', 1e-300, -0.0),
          ('\.', 'x', '{}', 'null', now(), 0, 0);
        CREATE VIEW awkward_view AS SELECT id, t FROM awkward;
        CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 2; $$;
    )sql");
    const std::string pg_dump = shared_cluster().client_tool("pg_dump");
    auto dump = [&](const std::string& dbname, const std::vector<std::string>& options) {
        Command command;
        command.argv = {pg_dump, "--no-owner", "-d", dbname};
        command.argv.insert(command.argv.end(), options.begin(), options.end());
        command.env = tool_env(shared_cluster());
        const Outcome result = run(command);
        BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
        return result.out;
    };
    // Newer pg_dump writes a random \restrict key into every dump: compare without it.
    auto same = [](std::string text) {
        std::string kept;
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) {
                kept += line + "\n";
            }
        }
        return kept;
    };
    for (const auto& options : std::vector<std::vector<std::string>>{{}, {"--inserts"}}) {
        Scratch target;
        const std::string file = target.write("dump.sql", dump(source.dbname, options));
        const Outcome loaded = target.seed({file});
        BOOST_TEST(loaded.exit_code == 0, loaded.err);
        BOOST_TEST(same(dump(target.dbname, options)) == same(dump(source.dbname, options)));
    }
    // --data-only into a database that has the schema.
    Scratch target;
    target.write("schema.sql", dump(source.dbname, {"--schema-only"}));
    BOOST_TEST(target.seed({(target.dir / "schema.sql").string()}).exit_code == 0);
    const std::string data = target.write("data.sql", dump(source.dbname, {"--data-only"}));
    const Outcome loaded = target.seed({data});
    BOOST_TEST(loaded.exit_code == 0, loaded.err);
    BOOST_TEST(same(dump(target.dbname, {})) == same(dump(source.dbname, {})));
}

BOOST_AUTO_TEST_CASE(restrict_lines_of_newer_pg_dump_are_understood) {
    Scratch s;
    s.write("dump.sql", "\\restrict abc123\nCREATE TABLE t (id int);\n\\unrestrict abc123\n");
    BOOST_TEST(s.seed({(s.dir / "dump.sql").string()}).exit_code == 0);
    s.write("other.sql", "\\restrict abc123\nCREATE TABLE u (id int);\n\\unrestrict wrongkey\n");
    BOOST_TEST(s.seed({(s.dir / "other.sql").string()}).exit_code == 6);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signals)

const bool started_as_background_job[] = {false, true};

BOOST_DATA_TEST_CASE(ctrl_c_during_a_long_copy_leaves_no_rows_and_no_backend,
                     data::make(started_as_background_job), background) {
    Scratch s;
    s.db->exec("CREATE TABLE big (id int, filler text)");
    // Large enough that the COPY is still running when the signal comes.
    {
        std::ofstream out(s.dir / "big.csv");
        out << "id,filler\n";
        const std::string filler(200, 'x');
        for (int i = 0; i < 1500000; ++i) out << i << ',' << filler << '\n';
    }
    // A script's background job starts with SIGINT ignored; the tool must still stop cleanly.
    Command command;
    command.argv = {tool_path("pg-seed"), "-d", s.dbname, (s.dir / "big.csv").string()};
    command.env = tool_env(shared_cluster());
    command.ignore_sigint = background;
    Running run = start(command);
    const bool copying = eventually([&] {
        return admin().value("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                             "'pg-seed' AND query LIKE 'COPY%'") == "1";
    });
    BOOST_TEST_REQUIRE(copying);
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130, result.err);
    BOOST_TEST(eventually([&] {
        return admin().value("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                             "'pg-seed'") == "0";
    }));
    BOOST_TEST(s.value("SELECT count(*) FROM big") == "0");
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE pg-seed INSERT folding against psql on generated files
/// pg-seed folds runs of INSERTs into multi-row INSERTs. These tests load generated INSERT
/// files three ways, each into a database of its own made from one template: with psql -1 -f
/// (each statement as it is), with pg-seed without folding (PGKIT_SEED_FOLD=0: its messages of
/// statements as written) and with pg-seed, and compare what the databases hold (every table's
/// rows, the log that row and statement triggers and rules write, sequences; pg_dump's output
/// where the installed pg_dump can read the server), and, for files that fail, the error: its
/// message as psql's, its file:line as pg-seed's without folding (psql names the line a
/// statement ends on, pg-seed the line of the error's position). The tables cover every kind of value and every feature that
/// could tell a multi-row statement from single ones. PGKIT_DIFF_SEED picks the files
/// (printed on failure); PGKIT_DIFF_FILES how many.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <map>
#include <set>
#include <sstream>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace fs = std::filesystem;
using namespace pgkit::test;

namespace {

const char* const schema_sql = R"SQL(
CREATE SCHEMA s;
CREATE TABLE s.log (seq serial PRIMARY KEY, what text);
CREATE TABLE s.plain (id integer, t text, n numeric(10, 2), f float8, b boolean, d date,
    ts timestamptz, arr integer[], j jsonb, by bytea, ser serial, dflt text DEFAULT 'x');
CREATE TABLE s.ident (id integer GENERATED ALWAYS AS IDENTITY, v text,
    g integer GENERATED ALWAYS AS (length(v)) STORED);
CREATE TABLE s.uniq (id integer PRIMARY KEY, v text UNIQUE);
CREATE TABLE s.deferred (id integer UNIQUE DEFERRABLE INITIALLY IMMEDIATE);
CREATE TABLE s.parent (id integer PRIMARY KEY);
CREATE TABLE s.child (id integer, parent integer REFERENCES s.parent);
CREATE TABLE s.tree (id integer PRIMARY KEY, up integer REFERENCES s.tree);
CREATE TABLE s.rowtrig (id integer, v text);
CREATE FUNCTION s.rowtrig_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO s.log (what) VALUES (format('row %s sees %s', NEW.id, (SELECT count(*) FROM s.rowtrig)));
    RETURN NEW;
END $$;
CREATE TRIGGER logged AFTER INSERT ON s.rowtrig FOR EACH ROW EXECUTE FUNCTION s.rowtrig_log();
CREATE TABLE s.before (id integer, v text);
CREATE FUNCTION s.before_upper() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.v := upper(NEW.v) || (SELECT count(*) FROM s.before);
    RETURN NEW;
END $$;
CREATE TRIGGER upper BEFORE INSERT ON s.before FOR EACH ROW EXECUTE FUNCTION s.before_upper();
CREATE TABLE s.stmttrig (id integer);
CREATE FUNCTION s.stmt_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO s.log (what) VALUES (format('statement on %s', TG_TABLE_NAME));
    RETURN NULL;
END $$;
CREATE TRIGGER counted AFTER INSERT ON s.stmttrig FOR EACH STATEMENT EXECUTE FUNCTION s.stmt_log();
CREATE TABLE s.ruled (id integer);
CREATE RULE also_log AS ON INSERT TO s.ruled DO ALSO INSERT INTO s.log (what) VALUES ('rule ' || NEW.id);
CREATE TABLE s.parted (id integer, k integer) PARTITION BY RANGE (k);
CREATE TABLE s.parted_low PARTITION OF s.parted FOR VALUES FROM (0) TO (100);
CREATE TABLE s.parted_high PARTITION OF s.parted FOR VALUES FROM (100) TO (200);
CREATE DOMAIN s.positive AS integer CHECK (VALUE > 0);
CREATE TABLE s.dom (v s.positive, w s.positive[]);
CREATE TABLE s.checked (v integer CHECK (v < 1000));
CREATE TABLE s.counted (id integer, v text);
CREATE FUNCTION s.next_id() RETURNS integer LANGUAGE sql AS 'SELECT coalesce(max(id), 0) + 1 FROM s.counted';
ALTER TABLE s.counted ALTER id SET DEFAULT s.next_id();
CREATE TABLE "s"."Odd ""Name""" ("Id" integer, "v;x" text);
CREATE TABLE s.tr (id integer PRIMARY KEY, up integer REFERENCES s.tr) PARTITION BY RANGE (id);
CREATE TABLE s.tr_1 PARTITION OF s.tr FOR VALUES FROM (0) TO (1000);
CREATE TABLE s.fl (id integer, x float8, r real);
CREATE SEQUENCE s.sq;
CREATE DOMAIN s.did AS bigint DEFAULT nextval('s.sq');
CREATE TABLE s.dt (id s.did, v integer CHECK (v > 0));
CREATE TABLE s.t4 (v text);
)SQL";

/// A generated INSERT file.
struct Generated {
    std::string text;
};

class Generator {
public:
    explicit Generator(unsigned seed) : random_(seed) {}

    Generated file() {
        Generated generated;
        parents_ = 0;
        tree_ = 0;
        uniq_ = 0;
        const int runs = pick(3, 10);
        const int failing_run = chance(35) ? pick(0, runs - 1) : -1;
        for (int run = 0; run < runs; ++run) {
            const int table = pick(0, 17);
            const int statements = pick(1, 40);
            const int failing_statement = run == failing_run ? pick(0, statements - 1) : -1;
            if (chance(20)) generated.text += "-- run " + std::to_string(run) + "\n";
            for (int i = 0; i < statements; ++i) {
                const bool fail = i == failing_statement;
                generated.text += statement(table, fail) + "\n";
            }
            // Now and then something that is not folded between runs.
            if (chance(15)) generated.text += "INSERT INTO s.plain (id, t) VALUES (" + number() + ", upper('x'));\n";
            if (chance(10)) generated.text += "SELECT 1;\n";
        }
        return generated;
    }

private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
    bool chance(int percent) { return pick(1, 100) <= percent; }

    std::string number() { return std::to_string(pick(-50, 5000)); }

    std::string text() {
        static const char* const texts[] = {
            "'plain'", "'it''s'", "'back\\slash'", "E'tab\\there'", "E'quote\\'s'", "''",
            "'semi;colon'", "'(paren)'", "'multi\nline'", "'ünïcødé ✓'", "'--not a comment'",
            "'/* nor this */'", "NULL",
        };
        return texts[pick(0, 12)];
    }

    /// Values the server coerces to the column: numbers with more scale than the column has,
    /// exponents, integers given as numeric (rounded), signs.
    std::string numeric() {
        static const char* const values[] = {"1.005", "-2.5", "3", "1e3", "+4.125", "0.000", "NULL", "99999999.99"};
        return values[pick(0, 7)];
    }
    std::string float8() {
        static const char* const values[] = {"1.5", "-0.0", "'NaN'", "'Infinity'", "1e308", "2.5e-3", "NULL"};
        return values[pick(0, 6)];
    }

    std::string plain_row(bool fail) {
        std::ostringstream row;
        // An integer column given 2.5 rounds, as in a single-row INSERT.
        row << "(" << (chance(10) ? "2.5" : number()) << ", " << text() << ", " << numeric() << ", "
            << float8() << ", " << (chance(50) ? "true" : "FALSE") << ", "
            << (chance(80) ? "'2024-02-29'" : "'infinity'") << ", "
            << (chance(80) ? "'2024-01-01 10:00:00+02'" : "NULL") << ", "
            << (chance(70) ? "'{1,2,NULL}'" : "'{}'") << ", "
            << (chance(70) ? "'{\"a\": [1, \"x''y\"], \"b\": null}'" : "'[]'") << ", "
            << (chance(70) ? "'\\x00ff10'" : "NULL") << ", " << (serial_default_ ? "DEFAULT" : number()) << ", "
            << (chance(50) ? "DEFAULT" : text()) << ")";
        std::string value = row.str();
        if (fail) value = "(1, 'x', 'not a number', 1, true, NULL, NULL, NULL, NULL, NULL, DEFAULT, 'x')";
        return value;
    }

    std::string statement(int table, bool fail) {
        const int rows = chance(15) ? pick(2, 3) : 1;
        const auto many = [&](auto&& one) {
            std::string values;
            for (int r = 0; r < rows; ++r) values += (r ? ", " : "") + one(fail && r == rows - 1);
            return values;
        };
        switch (table) {
            case 0:
                // The serial column given (as pg_dump writes it), or DEFAULT: a run that takes
                // values from a sequence is not folded.
                serial_default_ = chance(25);
                return "INSERT INTO s.plain VALUES " + many([&](bool f) { return plain_row(f); }) + ";";
            case 1:
                // As pg_dump --column-inserts writes rows (COPY when every value allows); 2.5
                // into an integer column is rounded by INSERT and refused by COPY.
                return "INSERT INTO s.plain (id, t, n, ser) VALUES " + many([&](bool f) {
                           return "(" + (chance(5) ? std::string("2.5") : number()) + ", " + text() + ", " +
                                  (f ? "'12345678901.5'" : numeric()) + ", " + number() + ")";
                       }) + ";";
            case 2:
                return "INSERT INTO s.ident (v) VALUES " + many([&](bool f) {
                           return f ? std::string("(1, 2)") : "(" + text() + ")";
                       }) + ";";
            case 3:
                return "INSERT INTO s.ident (id, v) OVERRIDING SYSTEM VALUE VALUES " + many([&](bool) {
                           return "(" + std::to_string(1000 + pick(0, 100000)) + ", 'o')";
                       }) + ";";
            case 4:
                return "INSERT INTO s.uniq VALUES " + many([&](bool f) {
                           const int id = f ? 1 : ++uniq_;
                           return "(" + std::to_string(id) + ", 'u" + std::to_string(id) + "')";
                       }) + ";";
            case 5:
                return "INSERT INTO s.deferred VALUES " + many([&](bool f) {
                           return "(" + std::to_string(f ? 7 : pick(100, 1000000)) + ")";
                       }) + (fail ? ";\nINSERT INTO s.deferred VALUES (7);" : ";");
            case 6:
                return "INSERT INTO s.parent VALUES " + many([&](bool) { return "(" + std::to_string(++parents_) + ")"; }) + ";";
            case 7:
                return "INSERT INTO s.child VALUES " + many([&](bool f) {
                           const int parent = f ? parents_ + 1000 : (parents_ == 0 ? 0 : pick(1, parents_));
                           return "(" + number() + ", " + (parent == 0 ? std::string("NULL") : std::to_string(parent)) + ")";
                       }) + ";";
            case 8:
                // A forward reference is an error only statement by statement: never folded.
                return "INSERT INTO s.tree VALUES " + many([&](bool f) {
                           ++tree_;
                           const int up = f || chance(10) ? tree_ + 1 : (tree_ > 1 ? pick(1, tree_ - 1) : 0);
                           return "(" + std::to_string(tree_) + ", " + (up == 0 ? std::string("NULL") : std::to_string(up)) + ")";
                       }) + ";";
            case 9:
                return "INSERT INTO s.rowtrig VALUES " + many([&](bool) { return "(" + number() + ", " + text() + ")"; }) + ";";
            case 10:
                return "INSERT INTO s.stmttrig VALUES " + many([&](bool) { return "(" + number() + ")"; }) + ";";
            case 11:
                return "INSERT INTO s.ruled VALUES " + many([&](bool) { return "(" + number() + ")"; }) + ";";
            case 12:
                return "INSERT INTO s.parted VALUES " + many([&](bool f) {
                           return "(" + number() + ", " + std::to_string(f ? 500 : pick(0, 199)) + ")";
                       }) + ";";
            case 13:
                return "INSERT INTO s.dom VALUES " + many([&](bool f) {
                           return "(" + std::to_string(f ? -1 : pick(1, 100)) + ", '{1,2}')";
                       }) + ";";
            case 14:
                return (chance(50) ? "INSERT INTO s.checked VALUES " : "INSERT INTO s.counted (v) VALUES ") +
                       many([&](bool f) { return "(" + std::to_string(f ? 5000 : pick(0, 999)) + ")"; }) + ";";
            case 16:
                // Numbers and booleans into text, json and arrays: INSERT writes the value's
                // own text (1e3 is 1000), which COPY would not: such runs go as VALUES.
                return "INSERT INTO s.plain (t, b, f, j, dflt, ser) VALUES " + many([&](bool f) {
                           static const char* const texts[] = {"1e3", "+4", "007", "TRUE", "'t'", "-0.50", "NULL"};
                           return "(" + std::string(texts[pick(0, 6)]) + ", " + (chance(50) ? "TRUE" : "'f'") + ", " +
                                  float8() + ", " + (f ? "'{bad json'" : (chance(50) ? "'[1, 2]'" : "NULL")) + ", " +
                                  (chance(30) ? "DEFAULT" : "'d'") + ", " + number() + ")";
                       }) + ";";
            case 17: {
                // Identity columns: ALWAYS refuses a value without OVERRIDING SYSTEM VALUE;
                // OVERRIDING USER VALUE drops it.
                const int form = fail ? 2 : pick(0, 1);
                const char* const heads[] = {"INSERT INTO s.ident (id, v) OVERRIDING USER VALUE VALUES ",
                                             "INSERT INTO s.ident (id, v) OVERRIDING SYSTEM VALUE VALUES ",
                                             "INSERT INTO s.ident (v, id) VALUES "};
                return std::string(heads[form]) + many([&](bool) {
                           return "(" + (form == 2 ? text() + ", " + std::to_string(pick(1, 9)) :
                                                            std::to_string(pick(1, 9)) + ", " + text()) + ")";
                       }) + ";";
            }
            default:
                return (chance(50) ? "insert into s.\"Odd \"\"Name\"\"\" values " : "INSERT INTO s.before VALUES ") +
                       many([&](bool f) { return f ? std::string("(1, 2, 3)") : "(" + number() + ", " + text() + ")"; }) +
                       ";";
        }
    }

    std::mt19937 random_;
    int parents_ = 0, tree_ = 0, uniq_ = 0;
    bool serial_default_ = false;
};

unsigned seed() {
    if (const char* value = std::getenv("PGKIT_DIFF_SEED"); value != nullptr && *value != '\0') {
        return static_cast<unsigned>(std::strtoul(value, nullptr, 10));
    }
    return static_cast<unsigned>(std::random_device{}());
}

int file_count() {
    if (const char* value = std::getenv("PGKIT_DIFF_FILES"); value != nullptr && *value != '\0') {
        return std::atoi(value);
    }
    return 30;
}

/// What a database holds, as text: every table's rows (sorted), the log in its order, the
/// sequences.
std::string contents(Database& db) {
    std::string text;
    for (const auto& row : db.rows("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE n.nspname = 's' AND c.relkind IN ('r', 'p') ORDER BY 1")) {
        const std::string table = *row[0];
        text += "== " + table + "\n";
        const std::string order = table == "s.log" ? "seq" : "1";
        for (const auto& line : db.rows("SELECT t::text FROM " + table + " t ORDER BY " + order + ", t::text")) {
            text += line[0].value_or("(null)") + "\n";
        }
    }
    for (const auto& row : db.rows("SELECT sequencename, coalesce(last_value::text, '-') FROM pg_sequences "
                                   "WHERE schemaname = 's' ORDER BY 1")) {
        text += "sequence " + *row[0] + " " + *row[1] + "\n";
    }
    return text;
}

/// The line and message of psql's error ("psql:FILE:LINE: ERROR:  message").
std::pair<std::string, std::string> psql_error(const std::string& err) {
    static const std::regex pattern(R"(psql:[^\n]*:(\d+): ERROR:  ([^\n]*))");
    std::smatch match;
    if (!std::regex_search(err, match, pattern)) return {"?", err};
    return {match[1], match[2]};
}

/// The line and message of pg-seed's ("pg-seed: error: FILE:LINE: message (SQLSTATE x)").
std::pair<std::string, std::string> seed_error(const std::string& err) {
    static const std::regex pattern(R"(pg-seed: error: [^\n]*:(\d+): ([^\n]*?)(?: \(SQLSTATE \w+\))?\n)");
    std::smatch match;
    if (!std::regex_search(err, match, pattern)) return {"?", err};
    return {match[1], match[2]};
}

/// The lines of `ours` not in `theirs` and the other way round, for a failure's message.
std::string difference(const std::string& ours, const std::string& theirs) {
    const auto lines = [](const std::string& text) {
        std::multiset<std::string> set;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) set.insert(line);
        return set;
    };
    const auto a = lines(ours), b = lines(theirs);
    std::string text;
    for (const auto& line : a) if (b.count(line) < a.count(line)) text += "+ " + line + "\n";
    for (const auto& line : b) if (a.count(line) < b.count(line)) text += "- " + line + "\n";
    return text;
}

struct Template {
    std::string name = unique_name("diff_template");
    Template() {
        admin().exec("CREATE DATABASE " + name);
        Database db(shared_cluster().conninfo(name));
        db.exec(schema_sql);
    }
    ~Template() { admin().exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
};

}  // namespace

/// What loading one file three ways showed.
struct Compared {
    bool failed = false, folded = false, copied = false;
};

/// Loads `path` with psql -1, with pg-seed without folding and with it, each into a database
/// of its own made from `from`, and checks that they agree (see the top of this file).
Compared compare(const std::string& from, const std::string& path) {
    const auto& cluster = shared_cluster();
    Compared compared;
    const std::string theirs = unique_name("diff_psql"), ours = unique_name("diff_seed"),
                      unfolded = unique_name("diff_unfolded");
    for (const auto& db : {theirs, ours, unfolded}) {
        admin().exec("CREATE DATABASE " + db + " TEMPLATE " + from);
    }
    const Outcome psql = run(Command{{cluster.client_tool("psql"), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1",
                                      "-d", cluster.conninfo(theirs), "-f", path},
                                     tool_env(cluster), {}});
    const Outcome seeded = run_tool("pg-seed", {"-e", "-d", ours, path});
    const Outcome one_by_one = run_tool("pg-seed", {"-e", "-d", unfolded, path}, {{"PGKIT_SEED_FOLD", "0"}});
    compared.folded = contains(seeded.err, "SAVEPOINT pgkit_fold;");
    compared.copied = contains(seeded.err, "FROM STDIN; RELEASE SAVEPOINT pgkit_fold");
    BOOST_TEST(!contains(one_by_one.err, "SAVEPOINT pgkit_fold;"));
    BOOST_TEST((psql.exit_code == 0) == (seeded.exit_code == 0), psql.err << seeded.err);
    BOOST_TEST(seeded.exit_code == one_by_one.exit_code, seeded.err << one_by_one.err);
    if (psql.exit_code != 0) {
        compared.failed = true;
        BOOST_TEST(seeded.exit_code == 6, seeded.err);
        const auto [our_line, our_message] = seed_error(seeded.err);
        BOOST_TEST(our_message == psql_error(psql.err).second, psql.err << seeded.err);
        BOOST_TEST(our_line == seed_error(one_by_one.err).first, one_by_one.err << seeded.err);
        BOOST_TEST(first_error_line(seeded.err) == first_error_line(one_by_one.err));
    }
    {
        Database a(cluster.conninfo(theirs)), b(cluster.conninfo(ours)), c(cluster.conninfo(unfolded));
        const std::string expected = contents(a);
        const std::string folded = contents(b), unfolded_contents = contents(c);
        BOOST_TEST(folded == expected, "folded (+) vs psql (-):\n" << difference(folded, expected));
        BOOST_TEST(unfolded_contents == expected, difference(unfolded_contents, expected));
    }
    if (cluster.server_major() <= cluster.client_major()) {
        // pg_dump's \restrict lines carry a random key of each run's: left out.
        const auto dumped = [&](const std::string& db) {
            const std::string out =
                run(Command{{cluster.client_tool("pg_dump"), "--no-owner", "-d", cluster.conninfo(db)},
                            tool_env(cluster), {}})
                    .out;
            return std::regex_replace(out, std::regex(R"(\\(un)?restrict [^\n]*)"), "");
        };
        BOOST_TEST(dumped(ours) == dumped(theirs));
    }
    for (const auto& db : {theirs, ours, unfolded}) admin().exec("DROP DATABASE " + db);
    return compared;
}

BOOST_AUTO_TEST_CASE(generated_insert_files_give_what_psql_gives_statement_by_statement) {
    const Template from;
    const unsigned picked = seed();
    const int files = file_count();
    const fs::path dir = fs::temp_directory_path() / unique_name("pgkit-diff");
    fs::create_directories(dir);
    const auto& cluster = shared_cluster();
    const bool dump = cluster.server_major() <= cluster.client_major();
    Generator generator(picked);
    int failing = 0, folded = 0, copied = 0;
    for (int n = 0; n < files; ++n) {
        const Generated generated = generator.file();
        const std::string path = (dir / ("f" + std::to_string(n) + ".sql")).string();
        std::ofstream(path, std::ios::binary) << generated.text;
        BOOST_TEST_CONTEXT("PGKIT_DIFF_SEED=" << picked << ", file " << n << ": " << path) {
            const Compared compared = compare(from.name, path);
            failing += compared.failed ? 1 : 0;
            folded += compared.folded ? 1 : 0;
            copied += compared.copied ? 1 : 0;
        }
    }
    // The corpus exercised it all: files that fail, runs folded, runs sent as COPY.
    BOOST_TEST(failing > files / 10);
    BOOST_TEST(folded > files / 2);
    BOOST_TEST(copied > files / 10);
    if (!dump) possible_here(false, "pg_dump " + std::to_string(cluster.client_major()) + " cannot read this server: rows compared by query only");
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(files_that_look_foldable_but_are_not_load_as_psql_loads_them) {
    const Template from;
    const fs::path dir = fs::temp_directory_path() / unique_name("pgkit-pitfalls");
    fs::create_directories(dir);
    const std::map<std::string, std::string> files = {
        // A self-referencing key through the partitioned parent: fails at line 1 one by one.
        {"self_key_of_a_partition", "INSERT INTO s.tr_1 (id, up) VALUES (2, 1);\nINSERT INTO s.tr_1 (id, up) VALUES (1, NULL);\n"},
        // A negative zero into float columns is numeric's zero in INSERT.
        {"negative_zero", "INSERT INTO s.fl (id, x, r) VALUES (1, -0, -0.0);\nINSERT INTO s.fl (id, x, r) VALUES (2, - 0e0, 1e-5);\n"
                          "INSERT INTO s.fl (id, x, r) VALUES (3, 1e-400, 1);\n"},
        // A domain's default from a sequence: a failed fold would use values up.
        {"domain_sequence", "INSERT INTO s.dt (v) VALUES (1);\nINSERT INTO s.dt (v) VALUES (2);\nINSERT INTO s.dt (v) VALUES (-1);\n"},
        // Another database's table: the check cannot resolve it; the INSERT's own error.
        {"other_database", "INSERT INTO elsewhere.s.t4 (v) VALUES ('a');\nINSERT INTO elsewhere.s.t4 (v) VALUES ('b');\n"},
    };
    for (const auto& [name, text] : files) {
        const std::string path = (dir / (name + ".sql")).string();
        std::ofstream(path, std::ios::binary) << text;
        BOOST_TEST_CONTEXT(name) { compare(from.name, path); }
    }
    fs::remove_all(dir);
}

#define BOOST_TEST_MODULE pg-listtables against a real server
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <sstream>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace data = boost::unit_test::data;
using namespace pgkit::test;
using Rows = std::vector<std::vector<std::string>>;

namespace {

/// A database with a bit of everything \dt can show, made once for the suite.
struct Catalog {
    std::string dbname = unique_name("listing");
    std::unique_ptr<Database> temp_session;  // keeps a temporary table alive
    bool has_foreign_table = false;

    Catalog() {
        admin().exec("CREATE DATABASE " + dbname);
        Database db(shared_cluster().conninfo(dbname));
        db.exec(R"sql(
            CREATE SCHEMA sales;
            CREATE SCHEMA "My Schema";
            CREATE SCHEMA "UPPER";
            CREATE SCHEMA "we.ird";
            CREATE SCHEMA "données";
            CREATE TABLE public.orders (id int);
            CREATE TABLE public."Order Items" (id int);
            CREATE TABLE public."it's" (id int);
            CREATE TABLE public."semi;colon" (id int);
            CREATE TABLE public."select" (id int);
            CREATE UNLOGGED TABLE public.scratch (id int);
            CREATE TABLE public.events (at int) PARTITION BY RANGE (at);
            CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM (0) TO (10);
            CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM (10) TO (20);
            CREATE VIEW public.v_orders AS SELECT * FROM public.orders;
            CREATE MATERIALIZED VIEW public.mv_orders AS SELECT * FROM public.orders;
            CREATE SEQUENCE public.seq_ids;
            CREATE TABLE sales.customers (id int);
            CREATE TABLE sales.contracts (id int);
            CREATE TABLE "My Schema"."Tbl.Dot" (a int);
            CREATE TABLE "UPPER"."MixedCase" (a int);
            CREATE TABLE "we.ird"."a,b" (a int);
            CREATE TABLE "données"."été ☃" (a int);
            COMMENT ON TABLE public.orders IS 'customer orders';
            COMMENT ON TABLE sales.customers IS 'with "quotes", commas';
            INSERT INTO public.orders SELECT generate_series(1, 1000);
            ANALYZE public.orders;
        )sql");
        if (db.error_of("CREATE EXTENSION IF NOT EXISTS file_fdw").empty()) {
            db.exec("CREATE SERVER files FOREIGN DATA WRAPPER file_fdw");
            db.exec("CREATE FOREIGN TABLE public.ext_data (a int) SERVER files OPTIONS "
                    "(filename '/dev/null')");
            has_foreign_table = true;
        }
        temp_session = std::make_unique<Database>(shared_cluster().conninfo(dbname));
        temp_session->exec("CREATE TEMPORARY TABLE tmp_things (a int)");
    }
    ~Catalog() {
        temp_session.reset();
        try {
            admin().exec("DROP DATABASE IF EXISTS " + dbname + " WITH (FORCE)");
        } catch (...) {
        }
    }
};

Catalog& catalog() {
    static Catalog instance;
    return instance;
}

Outcome listtables(std::vector<std::string> args) {
    args.insert(args.begin(), {"-d", catalog().dbname});
    return run_tool("pg-listtables", args);
}

/// psql's own listing (unaligned, tuples only), split into fields.
Rows psql_rows(const std::string& meta_command) {
    Command command;
    command.argv = {shared_cluster().client_tool("psql"), "-X", "-A", "-t",
                    "-F", "\x1f", "-d", catalog().dbname, "-c", meta_command};
    command.env = tool_env(shared_cluster());
    const Outcome result = run(command);
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    Rows rows;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        std::vector<std::string> fields;
        std::size_t start = 0;
        while (true) {
            const auto end = line.find('\x1f', start);
            fields.push_back(line.substr(start, end - start));
            if (end == std::string::npos) break;
            start = end + 1;
        }
        rows.push_back(fields);
    }
    return rows;
}

/// RFC 4180 CSV, as a test reads it: quoted fields, doubled quotes, no header skipping.
Rows parse_csv(const std::string& text) {
    Rows rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, in_field = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
            in_field = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n') {
            row.push_back(field);
            rows.push_back(row);
            row.clear();
            field.clear();
            in_field = false;
        } else {
            field += c;
            in_field = true;
        }
    }
    BOOST_TEST(!quoted, "unterminated quoted CSV field");
    if (in_field || !row.empty()) {
        row.push_back(field);
        rows.push_back(row);
    }
    return rows;
}

/// Our CSV listing's rows, without the header, cut to the first `columns` fields.
Rows our_rows(std::vector<std::string> args, std::size_t columns = 4) {
    args.insert(args.begin(), {"--format", "csv"});
    const Outcome result = listtables(args);
    BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
    Rows rows = parse_csv(result.out);
    BOOST_TEST_REQUIRE(!rows.empty());
    rows.erase(rows.begin());
    for (auto& row : rows) row.resize(std::min(row.size(), columns));
    return rows;
}

Rows first_columns(Rows rows, std::size_t columns, const std::vector<std::string>& types) {
    Rows kept;
    for (auto& row : rows) {
        if (!types.empty() && std::find(types.begin(), types.end(), row[2]) == types.end()) {
            continue;  // psql also lists TOAST tables for a pattern; the kit has no such type
        }
        row.resize(columns);
        kept.push_back(row);
    }
    return kept;
}

std::string describe(const Rows& rows) {
    std::string out;
    for (const auto& row : rows) {
        for (const auto& field : row) out += "[" + field + "]";
        out += "\n";
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_bad_option) {
    const Outcome help = run_tool("pg-listtables", {"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-listtables lists the tables", 0) == 0);
    BOOST_TEST(contains(help.out, "  -d, --dbname=DBNAME"));
    BOOST_TEST(run_tool("pg-listtables", {"--version"}).out.rfind("pg-listtables (pgkit) ", 0) == 0);
    const Outcome bad = run_tool("pg-listtables", {"--bogus"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(contains(bad.err, "Try \"pg-listtables --help\""));
}

const std::vector<std::string> bad_argument_lists[] = {
    {"-t", "tables"}, {"-t", "table,index"}, {"a.b.c.d"}, {"otherdb.public.orders"},
    {"foo("}, {"-n", "a.b"}, {"--format", "xml"},
};
const char* const bad_argument_messages[] = {
    "unknown relation type \"tables\"", "unknown relation type \"index\"",
    "too many dotted names", "cross-database references are not implemented",
    "invalid pattern", "improper schema pattern", "invalid output format",
};

BOOST_DATA_TEST_CASE(bad_arguments_and_patterns_are_exit_2,
                     data::make(bad_argument_lists) ^ data::make(bad_argument_messages), args,
                     message) {
    const Outcome result = listtables(args);
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, message), result.err);
    BOOST_TEST(result.out.empty());
}

BOOST_AUTO_TEST_CASE(unreachable_server_is_exit_3_and_bad_login_exit_4) {
    BOOST_TEST(run_tool("pg-listtables", {"-h", tcp_host(), "-p", unused_port()}).exit_code == 3);
    BOOST_TEST(run_tool("pg-listtables", {"-h", tcp_host()}, {{"PGPASSWORD", "wrong"}}).exit_code ==
               4);
    const Outcome missing = run_tool("pg-listtables", {"-d", "no_such_database"});
    BOOST_TEST(missing.exit_code == 4);
    BOOST_TEST(contains(missing.err, "database \"no_such_database\" does not exist"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(same_rows_as_psql)

/// Each pattern with a schema part, so that psql does not filter by search_path either.
const std::string patterns[] = {
    "public.*", "*.*", "\"My Schema\".*", "sales.c*", "public.?vents*", "\"UPPER\".\"MixedCase\"",
    "UPPER.*", "\"we.ird\".*", "données.*", "public.\"it's\"", "*.orders", "pub*.events_202?",
    "public.",  // an empty name part matches no name, as in psql
};

BOOST_DATA_TEST_CASE(dt_rows_match_for_each_pattern, data::make(patterns), pattern) {
    const Rows expected =
        first_columns(psql_rows("\\dt " + pattern), 4, {"table", "partitioned table"});
    const Rows ours = our_rows({pattern});
    BOOST_TEST(ours == expected, "ours:\n" << describe(ours) << "psql:\n" << describe(expected));
}

BOOST_AUTO_TEST_CASE(view_matview_sequence_and_foreign_rows_match) {
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {"\\dv public.*", "view"}, {"\\dm public.*", "matview"}, {"\\ds public.*", "sequence"},
        {"\\dE public.*", "foreign"}, {"\\dtvm public.*", "table,partitioned,view,matview"}};
    for (const auto& [meta, types] : pairs) {
        const Rows expected = first_columns(psql_rows(meta), 4, {});
        const Rows ours = our_rows({"-t", types, "public.*"});
        BOOST_TEST(ours == expected, meta << "\nours:\n" << describe(ours) << "psql:\n"
                                          << describe(expected));
    }
    if (catalog().has_foreign_table) {
        BOOST_TEST(our_rows({"-t", "foreign", "public.*"}).size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(extended_rows_match_dt_plus) {
    const Rows expected = psql_rows("\\dt+ *.*");
    const Outcome json = listtables({"--format", "json", "-x", "*.*"});
    BOOST_TEST_REQUIRE(json.exit_code == 0, json.err);
    const auto listing = nlohmann::json::parse(json.out);
    Rows ours;
    for (const auto& item : listing) {
        // psql prints pg_size_pretty(); the kit gives bytes in JSON: let the server pretty them.
        const std::string pretty = *admin().value(
            "SELECT pg_size_pretty($1::bigint)", {std::to_string(item["size"].get<long long>())});
        ours.push_back({item["schema"], item["name"], item["type"], item["owner"],
                        item["persistence"], item["access_method"].is_null() ? "" : item["access_method"].get<std::string>(),
                        pretty, item["description"].is_null() ? "" : item["description"].get<std::string>()});
    }
    const Rows filtered = first_columns(expected, 8, {"table", "partitioned table"});
    BOOST_TEST(ours == filtered, "ours:\n" << describe(ours) << "psql:\n" << describe(filtered));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(listing)

BOOST_AUTO_TEST_CASE(default_lists_tables_of_every_schema_but_the_system_ones) {
    const Rows rows = our_rows({});
    auto has = [&](const std::string& schema, const std::string& name) {
        return std::any_of(rows.begin(), rows.end(),
                           [&](const auto& row) { return row[0] == schema && row[1] == name; });
    };
    BOOST_TEST(has("public", "orders"));
    BOOST_TEST(has("public", "events"));       // partitioned
    BOOST_TEST(has("public", "events_2024"));  // a partition
    BOOST_TEST(has("sales", "customers"));     // not on the search_path: still listed
    BOOST_TEST(has("données", "été ☃"));
    BOOST_TEST(!has("public", "v_orders"));
    for (const auto& row : rows) {
        BOOST_TEST(row[0] != "pg_catalog");
        BOOST_TEST(row[0] != "information_schema");
        BOOST_TEST(row[0].rfind("pg_temp", 0) != 0);
        BOOST_TEST(row[0].rfind("pg_toast", 0) != 0);
    }
    const Rows with_system = our_rows({"-S"});
    BOOST_TEST(with_system.size() > rows.size());
    BOOST_TEST(std::any_of(with_system.begin(), with_system.end(),
                           [](const auto& row) { return row[1] == "pg_class"; }));
    BOOST_TEST(std::any_of(with_system.begin(), with_system.end(),
                           [](const auto& row) { return row[1] == "tmp_things"; }));
}

BOOST_AUTO_TEST_CASE(persistence_shows_unlogged_and_temporary) {
    const Rows rows = our_rows({"-x", "-S"}, 5);
    for (const auto& row : rows) {
        if (row[1] == "scratch") BOOST_TEST(row[4] == "unlogged");
        if (row[1] == "tmp_things") BOOST_TEST(row[4] == "temporary");
        if (row[1] == "orders") BOOST_TEST(row[4] == "permanent");
    }
}

BOOST_AUTO_TEST_CASE(schema_options_include_and_exclude) {
    const Rows sales = our_rows({"-n", "sales"});
    BOOST_TEST(sales.size() == 2u);
    const Rows two = our_rows({"-n", "sales", "--schema", "\"My Schema\""});
    BOOST_TEST(two.size() == 3u);
    const Rows without = our_rows({"-N", "public", "-N", "sal*"});
    for (const auto& row : without) {
        BOOST_TEST(row[0] != "public");
        BOOST_TEST(row[0] != "sales");
    }
    BOOST_TEST(!without.empty());
}

BOOST_AUTO_TEST_CASE(several_patterns_are_a_union) {
    const Rows rows = our_rows({"sales.customers", "public.orders"});
    BOOST_TEST(rows.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_three_part_pattern_may_name_the_current_database) {
    const Rows rows = our_rows({catalog().dbname + ".public.orders"});
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0][1] == "orders");
}

BOOST_AUTO_TEST_CASE(null_terminated_names_come_whole_even_with_a_line_break) {
    Database db(shared_cluster().conninfo(catalog().dbname));
    const std::string schema = unique_name("nulls");
    db.exec("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".\"two\nlines\" (id int);"
            " CREATE TABLE " + schema + ".plain (id int)");
    const Outcome names = listtables({"--format", "names", "-z", schema + ".*"});
    BOOST_TEST_REQUIRE(names.exit_code == 0, names.err);
    const std::string expected = schema + ".plain" + std::string(1, '\0') + schema +
                                 ".\"two\nlines\"" + std::string(1, '\0');
    BOOST_TEST(names.out == expected);
    // Every name works in SQL as it is.
    for (std::size_t start = 0, end; (end = names.out.find('\0', start)) != std::string::npos;
         start = end + 1) {
        const std::string name = names.out.substr(start, end - start);
        BOOST_TEST(db.error_of("SELECT count(*) FROM " + name).empty(), name);
    }
    const Outcome wrong = listtables({"--format", "json", "-z"});
    BOOST_TEST(wrong.exit_code == 2);
    BOOST_TEST(contains(wrong.err, "-z/--null goes with --format names"), wrong.err);
    db.exec("DROP SCHEMA " + schema + " CASCADE");
}

BOOST_AUTO_TEST_CASE(every_names_line_works_in_sql) {
    const Outcome names =
        listtables({"--format", "names", "-t", "table,partitioned,view,matview,sequence"});
    BOOST_TEST_REQUIRE(names.exit_code == 0, names.err);
    Database db(shared_cluster().conninfo(catalog().dbname));
    std::istringstream lines(names.out);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        ++count;
        BOOST_TEST(db.error_of("SELECT count(*) FROM " + line).empty(), "line: " << line);
    }
    BOOST_TEST(count == 18);  // 16 tables, views and sequences, 1 matview, 1 partitioned
    BOOST_TEST(contains(names.out, "\"My Schema\".\"Tbl.Dot\"\n"));
    BOOST_TEST(contains(names.out, "public.orders\n"));         // quoted only when needed
    BOOST_TEST(contains(names.out, "public.\"select\"\n"));     // a keyword is quoted
    BOOST_TEST(contains(names.out, "\"UPPER\".\"MixedCase\"\n"));
}

BOOST_AUTO_TEST_CASE(json_and_csv_parse_and_agree) {
    const Outcome json = listtables({"--format", "json", "-x"});
    BOOST_TEST_REQUIRE(json.exit_code == 0);
    const auto listing = nlohmann::json::parse(json.out);
    BOOST_TEST_REQUIRE(listing.is_array());
    const Rows csv = our_rows({"-x"}, 9);
    BOOST_TEST_REQUIRE(listing.size() == csv.size());
    for (std::size_t i = 0; i < csv.size(); ++i) {
        BOOST_TEST(listing[i]["schema"] == csv[i][0]);
        BOOST_TEST(listing[i]["name"] == csv[i][1]);
        BOOST_TEST(std::to_string(listing[i]["size"].get<long long>()) == csv[i][6]);
    }
    const auto orders = std::find_if(listing.begin(), listing.end(),
                                     [](const auto& item) { return item["name"] == "orders"; });
    BOOST_TEST_REQUIRE((orders != listing.end()));
    BOOST_TEST((*orders)["rows"] == 1000);
    BOOST_TEST((*orders)["description"] == "customer orders");
    BOOST_TEST((*orders)["size"].get<long long>() > 0);
}

const std::string text_patterns[] = {"sales.*", "public.*", "\"My Schema\".*", "données.*",
                                     "\"we.ird\".*"};

BOOST_DATA_TEST_CASE(text_is_psqls_aligned_table_byte_for_byte, data::make(text_patterns),
                     pattern) {
    Command command;
    command.argv = {shared_cluster().client_tool("psql"), "-X", "-d",
                    catalog().dbname, "-c", "\\dt " + pattern};
    command.env = tool_env(shared_cluster());
    const Outcome psql = run(command);
    BOOST_TEST_REQUIRE(psql.exit_code == 0, psql.err);
    const Outcome ours = listtables({pattern});
    BOOST_TEST(ours.exit_code == 0);
    BOOST_TEST(ours.out == psql.out);
}

// Names with line breaks, tabs and control characters, in the middle column and (the owner)
// in the last: psql splits them over lines with '+' marks and escapes the controls.
BOOST_AUTO_TEST_CASE(names_with_line_breaks_and_controls_print_as_psql_prints_them) {
    const std::string dbname = unique_name("lines");
    const std::string owner = unique_name("own") + "\ner";
    admin().exec("CREATE DATABASE " + dbname);
    admin().exec("CREATE ROLE " + quote_ident(owner));
    {
        Database db(shared_cluster().conninfo(dbname));
        db.exec(R"sql(
            CREATE SCHEMA lines;
            CREATE SCHEMA "two
lines";
            CREATE TABLE "two
lines"."x" (a int);
            DO $$ BEGIN
                EXECUTE format('CREATE TABLE lines.%I (a int)', E'first\nsecond\nthird');
                EXECUTE format('CREATE TABLE lines.%I (a int)', E'tab\there');
                EXECUTE format('CREATE TABLE lines.%I (a int)', E'cr\rhere');
                EXECUTE format('CREATE TABLE lines.%I (a int)', E'ctl\x01\x7f');
                EXECUTE format('CREATE TABLE lines.%I (a int)', U&'c1\0085 wide \65E5\0301');
                EXECUTE format('CREATE TABLE lines.%I (a int)', 'plain');
            END $$;
        )sql");
        db.exec("ALTER TABLE lines.plain OWNER TO " + quote_ident(owner));
    }
    for (const std::string pattern : {"lines.*", "two?lines.*"}) {
        Command command;
        command.argv = {shared_cluster().client_tool("psql"), "-X", "-d", dbname,
                        "-c", "\\dt " + pattern};
        command.env = tool_env(shared_cluster());
        const Outcome psql = run(command);
        BOOST_TEST_REQUIRE(psql.exit_code == 0, psql.err);
        BOOST_TEST(contains(psql.out, "+|"), psql.out);  // the case is there to be compared
        const Outcome ours = run_tool("pg-listtables", {"-d", dbname, pattern});
        BOOST_TEST(ours.exit_code == 0, ours.err);
        BOOST_TEST(ours.out == psql.out, "ours:\n" << ours.out << "psql:\n" << psql.out);
    }
    admin().exec("DROP DATABASE " + dbname + " WITH (FORCE)");
    admin().exec("DROP ROLE " + quote_ident(owner));
}

BOOST_AUTO_TEST_CASE(an_empty_result_is_exit_0_with_a_header) {
    const Outcome text = listtables({"nomatch.*"});
    BOOST_TEST(text.exit_code == 0);
    BOOST_TEST(contains(text.out, " Schema | Name | Type | Owner \n"));
    BOOST_TEST(contains(text.out, "(0 rows)"));
    BOOST_TEST(listtables({"--format", "csv", "nomatch.*"}).out == "schema,name,type,owner\n");
    BOOST_TEST(listtables({"--format", "json", "nomatch.*"}).out == "[]\n");
    BOOST_TEST(listtables({"--format", "names", "nomatch.*"}).out.empty());
}

BOOST_AUTO_TEST_CASE(quiet_silences_the_listing_but_not_a_json_document) {
    const Outcome text = listtables({"-q", "sales.*"});
    BOOST_TEST(text.exit_code == 0);
    BOOST_TEST(text.out.empty());
    BOOST_TEST(listtables({"-q", "--format", "names", "sales.*"}).out.empty());
    const Outcome json = listtables({"-q", "--format", "json", "sales.*"});
    BOOST_TEST(nlohmann::json::parse(json.out).size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_catalog_query_whatever_the_listing) {
    const Outcome echoed = listtables({"--echo", "-x", "-S"});
    BOOST_TEST(echoed.exit_code == 0);
    std::size_t statements = 0;
    for (std::size_t at = 0; (at = echoed.err.find(";\n", at)) != std::string::npos; at += 2) {
        ++statements;
    }
    BOOST_TEST(statements == 2u, echoed.err);  // search_path, then the listing
}

BOOST_AUTO_TEST_CASE(dry_run_prints_the_query_and_lists_nothing) {
    const Outcome dry = listtables({"--dry-run", "sales.c*"});
    BOOST_TEST(dry.exit_code == 0);
    BOOST_TEST(contains(dry.out, "-- $1 = '^(sales)$'"));
    BOOST_TEST(contains(dry.out, "FROM pg_catalog.pg_class c"));
    BOOST_TEST(!contains(dry.out, "customers"));
}

BOOST_AUTO_TEST_SUITE_END()

#include "tools/pg-seed/sql_splitter.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <vector>

#include "common/errors.hpp"
#include "support/string_source.hpp"

namespace {

using pgkit::test::StringSource;

struct Item {
    std::string kind;  // "sql", "meta", "data"
    std::string text;
    std::size_t line;
};

/// Splits as pg-seed's checks before loading do: following the script's own SET commands.
std::vector<Item> split(const std::string& script, pgkit::TextReading initial = {}) {
    StringSource source(script);
    pgkit::LineReader lines(source);
    pgkit::SqlSplitter splitter(lines, initial);
    std::vector<Item> items;
    while (true) {
        const auto event = splitter.next();
        if (event == pgkit::SqlSplitter::Event::end) break;
        if (event == pgkit::SqlSplitter::Event::meta_command) {
            items.push_back({"meta", splitter.text(), splitter.first_line()});
            continue;
        }
        items.push_back({splitter.unterminated() ? "unterminated" : "sql", splitter.text(),
                         splitter.first_line()});
        splitter.read_as(pgkit::reading_after(splitter.text(), splitter.reading(), initial));
        if (splitter.is_copy_from_stdin()) {
            std::string data;
            splitter.copy_data([&data](const char* bytes, std::size_t size) { data.append(bytes, size); },
                               "test.sql");
            std::size_t start = 0;
            for (std::size_t end; (end = data.find('\n', start)) != std::string::npos; start = end + 1) {
                items.push_back({"data", data.substr(start, end - start), 0});
            }
            if (start < data.size()) items.push_back({"data", data.substr(start), 0});
        }
    }
    return items;
}

std::vector<std::string> statements(const std::string& script, pgkit::TextReading initial = {}) {
    std::vector<std::string> texts;
    for (const auto& item : split(script, initial)) {
        std::string text = item.text;
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
        texts.push_back(item.kind + ":" + text);
    }
    return texts;
}

using Texts = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(sql_splitter)

BOOST_AUTO_TEST_CASE(semicolons_end_statements) {
    BOOST_TEST(statements("SELECT 1; SELECT 2;\n") == (Texts{"sql:SELECT 1;", "sql:SELECT 2;"}));
}

BOOST_AUTO_TEST_CASE(semicolons_inside_strings_identifiers_and_comments_do_not) {
    BOOST_TEST(statements("SELECT 'a;b'; SELECT 2;") == (Texts{"sql:SELECT 'a;b';", "sql:SELECT 2;"}));
    BOOST_TEST(statements("SELECT 'it''s;'; SELECT 2;").size() == 2u);
    BOOST_TEST(statements("SELECT E'it\\'s;'; SELECT 2;") ==
               (Texts{"sql:SELECT E'it\\'s;';", "sql:SELECT 2;"}));
    BOOST_TEST(statements("SELECT 1 AS \"a;b\"; SELECT 2;").size() == 2u);
    BOOST_TEST(statements("SELECT 1 -- ; not the end\n;").size() == 1u);
    BOOST_TEST(statements("/* a /* nested; */ still; */ SELECT 1;").size() == 1u);
}

BOOST_AUTO_TEST_CASE(empty_statements_are_skipped_and_parentheses_hold_semicolons) {
    BOOST_TEST(statements(";;\n;\nSELECT 1;") == (Texts{"sql:;;\n;\nSELECT 1;"}));
    BOOST_TEST(split(";;\n;\nSELECT 1;")[0].line == 3u);
    BOOST_TEST(statements("-- nothing\n;\n").empty());
    BOOST_TEST(statements("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                          "INSERT INTO b VALUES (2)); SELECT 2;")
                   .size() == 2u);
}

BOOST_AUTO_TEST_CASE(sql_standard_function_bodies_hold_their_semicolons) {
    const std::string body =
        "CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT a + b;\nEND;\n"
        "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n"
        "BEGIN;\nSELECT 1;\nEND;\n";
    BOOST_TEST(statements(body).size() == 5u);
    const auto items = split(body);
    BOOST_TEST(items[1].line == 6u);
    BOOST_TEST(items[2].text == "\nBEGIN;");
}

BOOST_AUTO_TEST_CASE(dollar_quotes_and_parameters) {
    const std::string function =
        "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1;\nEND;\n$body$ LANGUAGE "
        "plpgsql;\nSELECT 2;\n";
    const auto items = split(function);
    BOOST_TEST_REQUIRE(items.size() == 2u);
    BOOST_TEST(items[1].line == 6u);
    BOOST_TEST(statements("SELECT $$a;b$$; SELECT 2;").size() == 2u);
    BOOST_TEST(statements("PREPARE p AS SELECT $1; SELECT $2;").size() == 2u);
    BOOST_TEST(statements("SELECT a$b$c FROM t; SELECT 2;").size() == 2u);
    BOOST_TEST(statements("SELECT $x$ $y$ ; $x$; SELECT 2;").size() == 2u);
}

BOOST_AUTO_TEST_CASE(crlf_no_final_newline_and_a_bom) {
    const auto crlf = split("SELECT 1;\r\nSELECT 2;\r\n");
    BOOST_TEST_REQUIRE(crlf.size() == 2u);
    BOOST_TEST(crlf[1].line == 2u);
    BOOST_TEST(statements("SELECT 1;\nSELECT 2") == (Texts{"sql:SELECT 1;", "sql:SELECT 2"}));
    BOOST_TEST(statements("\xEF\xBB\xBFSELECT 1;") == (Texts{"sql:SELECT 1;"}));
}

BOOST_AUTO_TEST_CASE(line_numbers_skip_leading_comments) {
    const auto items = split("-- header\n\n/* c */\nSELECT\n 1;\n");
    BOOST_TEST_REQUIRE(items.size() == 1u);
    BOOST_TEST(items[0].line == 4u);
}

BOOST_AUTO_TEST_CASE(copy_from_stdin_data_runs_to_the_end_marker) {
    const auto items = split("COPY t (a, b) FROM stdin;\n1\tx;y\n\\N\t'\n\\.\nSELECT 1;\n");
    BOOST_TEST_REQUIRE(items.size() == 4u);
    BOOST_TEST(items[0].kind == "sql");
    BOOST_TEST(items[1].kind == "data");
    BOOST_TEST(items[1].text == "1\tx;y");
    BOOST_TEST(items[2].text == "\\N\t'");
    BOOST_TEST(items[3].text == "SELECT 1;");
    BOOST_TEST(items[3].line == 5u);
}

BOOST_AUTO_TEST_CASE(copy_after_comments_is_still_a_copy) {
    // As pg_dump writes it: comment lines, blank lines, then the COPY.
    const auto items = split("SELECT 1;\n\n--\n-- Data for Name: t\n--\n\nCOPY public.t (a) FROM stdin;\n1\n\\.\n");
    BOOST_TEST_REQUIRE(items.size() == 3u);
    BOOST_TEST(items[2].kind == "data");
    BOOST_TEST(statements("/* c */ copy t from STDIN;\n\\.\n").size() == 1u);
    BOOST_TEST(statements("SELECT 'copy t from stdin';\nSELECT 2;").size() == 2u);
}

BOOST_AUTO_TEST_CASE(copy_without_end_marker_is_bad_input) {
    try {
        split("COPY t FROM stdin;\n1\n2\n");
        BOOST_FAIL("no error");
    } catch (const pgkit::Error& error) {
        BOOST_TEST(error.exit_status() == 6);
        BOOST_TEST(std::string(error.what()).find("test.sql:") == 0u);
    }
}

BOOST_AUTO_TEST_CASE(meta_commands_are_reported_with_their_line) {
    const auto items = split("SELECT 1;\n\\set x 1\nSELECT 2;\n");
    BOOST_TEST_REQUIRE(items.size() == 3u);
    BOOST_TEST(items[1].kind == "meta");
    BOOST_TEST(items[1].text == "\\set x 1");
    BOOST_TEST(items[1].line == 2u);
}

BOOST_AUTO_TEST_CASE(an_unterminated_string_is_reported) {
    const auto items = split("SELECT 'never closed;\n");
    BOOST_TEST_REQUIRE(items.size() == 1u);
    BOOST_TEST(items[0].kind == "unterminated");
    BOOST_TEST(statements("-- only a comment\n").empty());
}

BOOST_AUTO_TEST_CASE(with_standard_conforming_strings_off_a_backslash_escapes_in_every_string) {
    // psql reads 'a\'; b' as one string once the session says standard_conforming_strings off.
    BOOST_TEST(statements("SET standard_conforming_strings = off;\nSELECT 'a\\'; b';\nSELECT 2;\n") ==
                   (Texts{"sql:SET standard_conforming_strings = off;",
                          "sql:SELECT 'a\\'; b';", "sql:SELECT 2;"}),
               boost::test_tools::per_element());
    // On again (any spelling the server takes), the backslash is a plain character.
    BOOST_TEST(statements("SET standard_conforming_strings TO 'off';\nSET SESSION "
                          "standard_conforming_strings = true;\nSELECT 'a\\'; SELECT 2;\n")
                   .size() == 4u);
    BOOST_TEST(statements("SET standard_conforming_strings = of;\nRESET ALL;\nSELECT 'a\\'; SELECT 2;\n")
                   .size() == 4u);
    // Starting off (the server said so), RESET goes back to off.
    pgkit::TextReading off;
    off.standard_strings = false;
    BOOST_TEST(statements("SET standard_conforming_strings = on;\nRESET standard_conforming_strings;\n"
                          "SELECT 'a\\'; b';\n", off)
                   .size() == 3u);
}

BOOST_AUTO_TEST_CASE(in_sjis_a_backslash_inside_a_character_is_part_of_it) {
    // 0x95 0x5C is one SJIS character; its second byte is the ASCII backslash.
    const std::string sjis_char = "\x95\x5C";
    const std::string script = "SET client_encoding = 'SJIS';\nSELECT E'" + sjis_char +
                               "'; SELECT 2;\nSELECT '" + sjis_char + "' AS \"" + sjis_char +
                               "\";\n";
    BOOST_TEST(statements(script) ==
                   (Texts{"sql:SET client_encoding = 'SJIS';", "sql:SELECT E'" + sjis_char + "';",
                          "sql:SELECT 2;", "sql:SELECT '" + sjis_char + "' AS \"" + sjis_char + "\";"}),
               boost::test_tools::per_element());
    // The same bytes read as UTF-8 (invalid there) leave the E'' string open, as the server would.
    BOOST_TEST(split("SELECT E'" + sjis_char + "'; SELECT 2;\n").front().kind == "unterminated");
    // SET NAMES and the encoding's other names are followed too; the text is kept byte for byte.
    const auto items = split("SET NAMES sjis;\nSELECT E'" + sjis_char + "';\n");
    BOOST_TEST_REQUIRE(items.size() == 2u);
    BOOST_TEST(items[1].text == "\nSELECT E'" + sjis_char + "';");
}

BOOST_AUTO_TEST_CASE(dollar_tags_are_compared_as_written_in_a_masked_encoding) {
    // Two SJIS characters with one first byte and ASCII second bytes: different tags.
    pgkit::TextReading sjis;
    sjis.encoding = pg_char_to_encoding("SJIS");
    const std::string a = "$\x83\x41$", b = "$\x83\x42$";
    BOOST_TEST(statements("SELECT " + a + " x " + b + "; " + a + ";\nSELECT 2;\n", sjis) ==
                   (Texts{"sql:SELECT " + a + " x " + b + "; " + a + ";", "sql:SELECT 2;"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reading_after_follows_set_and_reset_only) {
    const pgkit::TextReading initial;
    const auto after = [&initial](const std::string& sql) {
        return pgkit::reading_after(sql, initial, initial);
    };
    BOOST_TEST(!after("set local standard_conforming_strings to off;").standard_strings);
    BOOST_TEST(!after("SET standard_conforming_strings='no'").standard_strings);
    BOOST_TEST(after("SET standard_conforming_strings = bogus;").standard_strings);
    BOOST_TEST(after("SELECT 'SET standard_conforming_strings = off';").standard_strings);
    BOOST_TEST(after("/* c */ SET client_encoding TO \"Shift_JIS_2004\";").encoding ==
               pg_char_to_encoding("SHIFT_JIS_2004"));
    BOOST_TEST(after("SET client_encoding = 'nosuch';").encoding == initial.encoding);
    BOOST_TEST(after("SET client_encoding = DEFAULT;").encoding == initial.encoding);
    BOOST_TEST(!after("SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);")
                    .standard_strings);
    BOOST_TEST(after("SELECT set_config('search_path', 'off', false);").standard_strings);
}

BOOST_AUTO_TEST_SUITE_END()

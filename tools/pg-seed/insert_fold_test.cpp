#include <boost/test/unit_test.hpp>

#include "tools/pg-seed/insert_fold.hpp"

using namespace pgkit;

BOOST_AUTO_TEST_SUITE(insert_fold)

BOOST_AUTO_TEST_CASE(pg_dump_inserts_have_a_shape) {
    const auto shape = parse_insert(
        "INSERT INTO public.items VALUES (1, 'item ''1''', 10.50, '2024-01-01 10:00:00+00', true);");
    BOOST_TEST_REQUIRE(shape.has_value());
    BOOST_TEST(shape->header == "INSERT INTO public.items VALUES");
    BOOST_TEST(shape->target == "public.items");
    BOOST_TEST(shape->width == 5u);
    BOOST_TEST(shape->rows.size() == 1u);
    BOOST_TEST(shape->rows[0] == "(1, 'item ''1''', 10.50, '2024-01-01 10:00:00+00', true)");
    const auto columns = parse_insert(
        "-- row 2\ninsert into \"My \"\"T\"\"\" (id, \"Name\") OVERRIDING SYSTEM VALUE values\n"
        "  (-2, E'a\\'b\\\\'),\n  (+3e-2, NULL);\n");
    BOOST_TEST_REQUIRE(columns.has_value());
    BOOST_TEST(columns->header == "insert into \"My \"\"T\"\"\" (id, \"Name\") OVERRIDING SYSTEM VALUE values");
    BOOST_TEST(columns->target == "\"My \"\"T\"\"\"");
    BOOST_TEST(columns->rows.size() == 2u);
    BOOST_TEST(columns->rows[1] == "(+3e-2, NULL)");
    BOOST_TEST(parse_insert("INSERT INTO t VALUES (DEFAULT, FALSE, .5, 1.)").has_value());
    BOOST_TEST(parse_insert("INSERT INTO s . t VALUES ('{1,2}', '\\x00ff')").has_value());
}

BOOST_AUTO_TEST_CASE(anything_but_constants_is_sent_as_it_is) {
    for (const char* statement : {
             "INSERT INTO t VALUES (now());",
             "INSERT INTO t VALUES ('1'::int);",
             "INSERT INTO t VALUES (DATE '2024-01-01');",
             "INSERT INTO t VALUES ((SELECT 1));",
             "INSERT INTO t VALUES (1) RETURNING id;",
             "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING;",
             "INSERT INTO t SELECT 1;",
             "INSERT INTO t DEFAULT VALUES;",
             "WITH x AS (SELECT 1) INSERT INTO t VALUES (1);",
             "INSERT INTO t AS a VALUES (1);",
             "INSERT INTO t VALUES (1 /* one */);",
             "INSERT INTO t VALUES (1 -- one\n);",
             "INSERT INTO t VALUES (--1\n2);",
             "INSERT INTO t VALUES ('a' 'b');",
             "INSERT INTO t VALUES ('a'\n'b');",
             "INSERT INTO t VALUES (0x1F);",
             "INSERT INTO t VALUES (1_000);",
             "INSERT INTO t VALUES (1, 2), (3);",
             "INSERT INTO t VALUES (1e);",
             "INSERT INTO t VALUES (1..2);",
             "INSERT INTO t VALUES ($1);",
             "INSERT INTO t VALUES (B'101');",
             "INSERT INTO t VALUES (U&'d\\0061t');",
             "INSERT INTO t VALUES ($$x$$);",
             "INSERT INTO t VALUES (ARRAY[1]);",
             "INSERT INTO t VALUES (-(1));",
             "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);",
             "INSERT INTO t VALUES ('unterminated);",
             "INSERT INTO t (a VALUES (1);",
             "INSERT INTO a.b.c.d VALUES (1);",
             "UPDATE t SET a = 1;",
             "INSERT INTO t VALUES (1)",  // fine: no semicolon at the end of a file
         }) {
        BOOST_TEST_CONTEXT(statement) {
            const bool last = std::string_view(statement) == "INSERT INTO t VALUES (1)";
            BOOST_TEST(parse_insert(statement).has_value() == last);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_run_becomes_one_multi_row_statement) {
    BOOST_TEST(folded_statement("INSERT INTO t VALUES", {"(1, 'a')", "(2, 'b')"}) ==
               "INSERT INTO t VALUES (1, 'a'),\n(2, 'b')");
}

BOOST_AUTO_TEST_SUITE_END()

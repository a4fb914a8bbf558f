#include "common/name_pattern.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"

namespace data = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(name_pattern)

const char* const patterns[] = {
    "orders", "Orders", "\"Orders\"", "ord*", "o?ders", "sales.orders", "sales.*", "*.orders",
    "\"my.schema\".t", "\"it\"\"s\"", "a$b", "\"a|b\"", "a|b", "int[]", "sales.", "*",
};
const char* const expected_schemas[] = {
    "", "", "", "", "", "^(sales)$", "^(sales)$", "", "^(my\\.schema)$", "", "", "", "", "",
    "^(sales)$", "",
};
const char* const expected_names[] = {
    "^(orders)$", "^(orders)$", "^(Orders)$", "^(ord.*)$", "^(o.ders)$", "^(orders)$", "",
    "^(orders)$", "^(t)$", "^(it\"s)$", "^(a\\$b)$", "^(a\\|b)$", "^(a|b)$", "^(int\\[])$",
    "^()$",  // "sales.": an empty name, which no relation has (psql's \dt sales. lists none)
    "",
};

BOOST_DATA_TEST_CASE(patterns_become_psqls_regular_expressions,
                     data::make(patterns) ^ data::make(expected_schemas) ^
                         data::make(expected_names),
                     pattern, schema, name) {
    const pgkit::NamePattern parsed = pgkit::parse_name_pattern(pattern);
    BOOST_TEST(parsed.schema_regex.value_or("") == schema);
    BOOST_TEST(parsed.name_regex.value_or("") == name);
}

BOOST_AUTO_TEST_CASE(three_parts_need_the_current_database_and_four_are_refused) {
    BOOST_TEST(pgkit::parse_name_pattern("app.public.t", "app").schema_regex.value_or("") ==
               "^(public)$");
    BOOST_CHECK_THROW(pgkit::parse_name_pattern("other.public.t", "app"), pgkit::UsageError);
    BOOST_CHECK_THROW(pgkit::parse_name_pattern("a.b.c.d"), pgkit::UsageError);
}

BOOST_AUTO_TEST_CASE(schema_patterns_are_one_part) {
    BOOST_TEST(pgkit::parse_single_pattern("sal*", "schema") == "^(sal.*)$");
    BOOST_TEST(pgkit::parse_single_pattern("\"a.b\"", "schema") == "^(a\\.b)$");
    BOOST_CHECK_THROW(pgkit::parse_single_pattern("a.b", "schema"), pgkit::UsageError);
}

BOOST_AUTO_TEST_CASE(parts_without_wildcards_are_plain_names) {
    const pgkit::NamePattern exact = pgkit::parse_name_pattern("App.\"Order*s\"");
    BOOST_TEST(exact.schema_name.value_or("-") == "app");
    BOOST_TEST(exact.name.value_or("-") == "Order*s");
    const pgkit::NamePattern wild = pgkit::parse_name_pattern("app.*");
    BOOST_TEST(wild.schema_name.value_or("-") == "app");
    BOOST_TEST(!wild.name.has_value());
    BOOST_TEST(!pgkit::parse_name_pattern("a|b").name.has_value());
    BOOST_TEST(!pgkit::parse_name_pattern("ord?rs").schema_name.has_value());
    BOOST_TEST(pgkit::single_pattern_name("\"My App\"", "schema").value_or("-") == "My App");
    BOOST_TEST(!pgkit::single_pattern_name("app_*", "schema").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

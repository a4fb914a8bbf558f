#include <boost/test/unit_test.hpp>

#include "common/seed_input.hpp"

using namespace pgkit;

BOOST_AUTO_TEST_SUITE(seed_input)

BOOST_AUTO_TEST_CASE(file_names_name_tables) {
    BOOST_TEST(table_of_file("020_users.csv")->text() == "users");
    BOOST_TEST(table_of_file("sales.orders.csv.gz")->text() == "sales.orders");
    BOOST_TEST(!table_of_file("020_.csv"));
    BOOST_TEST(!table_of_file("users.sql"));
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include "tools/pg-createextension/close_names.hpp"

using namespace pgkit;

BOOST_AUTO_TEST_SUITE(close_names_of_extensions)

BOOST_AUTO_TEST_CASE(edit_distance_counts_edits_without_case) {
    BOOST_TEST(edit_distance("pg_trgm", "pg_trgm") == 0U);
    BOOST_TEST(edit_distance("PG_TRGM", "pg_trgm") == 0U);
    BOOST_TEST(edit_distance("pgtrgm", "pg_trgm") == 1U);
    BOOST_TEST(edit_distance("pg_tgrm", "pg_trgm") == 2U);
    BOOST_TEST(edit_distance("", "abc") == 3U);
    BOOST_TEST(edit_distance("kitten", "sitting") == 3U);
}

BOOST_AUTO_TEST_CASE(typos_and_parts_are_close_the_rest_is_not) {
    const std::vector<std::string> available = {"pg_trgm", "pgcrypto", "citext", "cube",
                                                "earthdistance", "postgres_fdw", "hstore"};
    BOOST_TEST(close_names("pg_tgrm", available) == std::vector<std::string>{"pg_trgm"});
    BOOST_TEST(close_names("crypto", available) == std::vector<std::string>{"pgcrypto"});
    BOOST_TEST(close_names("postgis", available).empty());
    // Names are kept as typed: the same name in other letters is the closest of all.
    BOOST_TEST(close_names("CITEXT", available) == std::vector<std::string>{"citext"});
    BOOST_TEST(close_names("citext", available).empty());  // the name itself is not "close"
    BOOST_TEST(close_names("earth", available) == std::vector<std::string>{"earthdistance"});
    // Closest first, then by name; at most so many.
    BOOST_TEST(close_names("cub", {"cubes", "cube", "club"}) ==
               (std::vector<std::string>{"club", "cube", "cubes"}));
    BOOST_TEST(close_names("cub", {"cubes", "cube", "club"}, 1) == std::vector<std::string>{"club"});
}

BOOST_AUTO_TEST_SUITE_END()

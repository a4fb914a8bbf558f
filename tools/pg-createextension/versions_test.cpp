#include <boost/test/unit_test.hpp>

#include "tools/pg-createextension/versions.hpp"

using namespace pgkit;

BOOST_AUTO_TEST_SUITE(extension_versions)

BOOST_AUTO_TEST_CASE(dotted_numbers_compare_as_numbers) {
    BOOST_TEST(*compare_versions("1.6", "1.5") > 0);
    BOOST_TEST(*compare_versions("1.9", "1.10") < 0);
    BOOST_TEST(*compare_versions("3.4.2", "3.4.2") == 0);
    BOOST_TEST(*compare_versions("2.0", "2") == 0);
    BOOST_TEST(*compare_versions("1", "1.0.1") < 0);
}

BOOST_AUTO_TEST_CASE(other_spellings_are_not_ordered) {
    BOOST_TEST(!compare_versions("1.0beta1", "1.0"));
    BOOST_TEST(!compare_versions("unpackaged", "1.0"));
    BOOST_TEST(!compare_versions("1..2", "1.2"));
    BOOST_TEST(!compare_versions("", "1"));
    BOOST_TEST(!compare_versions("1.", "1"));
}

BOOST_AUTO_TEST_SUITE_END()

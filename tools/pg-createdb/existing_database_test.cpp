#include "tools/pg-createdb/existing_database.hpp"

#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"

namespace {

pgkit::Existing utf8_libc_database() {
    pgkit::Existing existing;
    existing.owner = "app";
    existing.encoding = "UTF8";
    existing.encoding_id = 6;  // PG_UTF8
    existing.collate = existing.ctype = "C.UTF-8";
    existing.provider = "c";
    existing.tablespace = "pg_default";
    return existing;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(existing_database)

BOOST_AUTO_TEST_CASE(nothing_differs_when_nothing_fixed_is_asked_for) {
    pgkit::Request request;
    request.owner = "someone else";  // alterable: not a fixed difference
    BOOST_TEST(pgkit::fixed_differences(request, utf8_libc_database(), 150000).empty());
}

BOOST_AUTO_TEST_CASE(each_fixed_difference_is_named) {
    pgkit::Request request;
    request.encoding = "LATIN1";
    request.locale = "de_DE.UTF-8";
    request.tablespace = "fast";
    const auto differences = pgkit::fixed_differences(request, utf8_libc_database(), 150000);
    const std::vector<std::string> expected{
        "encoding is UTF8, not LATIN1", "LC_COLLATE is \"C.UTF-8\", not \"de_DE.UTF-8\"",
        "LC_CTYPE is \"C.UTF-8\", not \"de_DE.UTF-8\"", "tablespace is \"pg_default\", not \"fast\""};
    BOOST_TEST(differences == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_encoding_is_compared_by_meaning_not_spelling) {
    pgkit::Request request;
    request.encoding = "utf-8";
    BOOST_TEST(pgkit::fixed_differences(request, utf8_libc_database(), 150000).empty());
}

BOOST_AUTO_TEST_CASE(options_newer_than_the_server_are_refused_as_at_creation) {
    pgkit::Request request;
    request.builtin_locale = "C.UTF-8";
    try {
        pgkit::refuse_options_the_server_lacks(request, 150000);
        BOOST_FAIL("no error");
    } catch (const pgkit::Error& error) {
        BOOST_TEST(error.exit_status() == 1);
        BOOST_TEST(std::string(error.what()) == "option \"builtin_locale\" not recognized");
        BOOST_TEST(error.sqlstate() == "42601");
    }
    BOOST_CHECK_NO_THROW(pgkit::refuse_options_the_server_lacks(request, 170000));
    pgkit::Request older;
    older.icu_rules = "&a < b";
    BOOST_CHECK_THROW(pgkit::refuse_options_the_server_lacks(older, 150000), pgkit::Error);
    older.icu_rules.reset();
    older.locale_provider = "libc";
    BOOST_CHECK_THROW(pgkit::refuse_options_the_server_lacks(older, 140000), pgkit::Error);
    BOOST_CHECK_NO_THROW(pgkit::refuse_options_the_server_lacks(older, 150000));
}

BOOST_AUTO_TEST_SUITE_END()

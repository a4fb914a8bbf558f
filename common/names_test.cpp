#include "common/names.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"

namespace data = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(names)

BOOST_AUTO_TEST_CASE(identifiers_of_63_bytes_pass_and_64_are_refused) {
    BOOST_CHECK_NO_THROW(pgkit::check_identifier("database name", std::string(63, 'x')));
    BOOST_CHECK_THROW(pgkit::check_identifier("database name", std::string(64, 'x')),
                      pgkit::UsageError);
    // Bytes count, not characters: 31 two-byte letters and one more byte make 63.
    std::string multibyte;
    for (int i = 0; i < 31; ++i) multibyte += "\xc3\xa9";
    BOOST_CHECK_NO_THROW(pgkit::check_identifier("role name", multibyte + "x"));
    BOOST_CHECK_THROW(pgkit::check_identifier("role name", multibyte + "xy"), pgkit::UsageError);
}

BOOST_AUTO_TEST_CASE(empty_identifiers_are_refused) {
    BOOST_CHECK_THROW(pgkit::check_identifier("database name", ""), pgkit::UsageError);
}

BOOST_AUTO_TEST_CASE(too_long_identifier_message_names_the_limit) {
    try {
        pgkit::check_identifier("database name", std::string(70, 'a'));
        BOOST_FAIL("no error");
    } catch (const pgkit::UsageError& error) {
        BOOST_TEST(std::string(error.what()).find("70 bytes") != std::string::npos);
        BOOST_TEST(std::string(error.what()).find("63") != std::string::npos);
        BOOST_TEST(error.exit_status() == 2);
    }
}

const char* const good_ports[] = {"5432", "1", "65535", "5432,5433", ",5433", "5432,"};
BOOST_DATA_TEST_CASE(valid_port_lists_pass, data::make(good_ports), ports) {
    BOOST_CHECK_NO_THROW(pgkit::check_port_list(ports));
}

const char* const bad_ports[] = {"0", "65536", "99999", "abc", "-1", "5432x", "5432,abc", " 1"};
BOOST_DATA_TEST_CASE(invalid_ports_are_usage_errors, data::make(bad_ports), ports) {
    BOOST_CHECK_THROW(pgkit::check_port_list(ports), pgkit::UsageError);
}

const char* const good_encodings[] = {"UTF8", "utf8", "UTF-8", "LATIN1", "SQL_ASCII", "unicode"};
BOOST_DATA_TEST_CASE(encoding_names_known_to_libpq_pass, data::make(good_encodings), name) {
    BOOST_CHECK_NO_THROW(pgkit::check_encoding_name(name));
}

const char* const bad_encodings[] = {"", "klingon", "UTF9", "latin 1'; drop"};
BOOST_DATA_TEST_CASE(unknown_encodings_are_usage_errors, data::make(bad_encodings), name) {
    BOOST_CHECK_THROW(pgkit::check_encoding_name(name), pgkit::UsageError);
}

BOOST_AUTO_TEST_SUITE_END()

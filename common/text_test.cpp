#include "common/text.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(join_puts_the_separator_between_items_only) {
    BOOST_TEST(pgkit::join({}) == "");
    BOOST_TEST(pgkit::join({"a"}) == "a");
    BOOST_TEST(pgkit::join({"a", "b", "c"}) == "a, b, c");
    BOOST_TEST(pgkit::join({"a", "", "c"}, "|") == "a||c");
}

BOOST_AUTO_TEST_CASE(to_hex_writes_two_lower_case_digits_a_byte) {
    const unsigned char bytes[] = {0x00, 0x0f, 0xa0, 0xff};
    BOOST_TEST(pgkit::to_hex(bytes, sizeof bytes) == "000fa0ff");
    BOOST_TEST(pgkit::to_hex(bytes, 0) == "");
}

BOOST_AUTO_TEST_CASE(code_points_decode_and_bad_bytes_count_as_one) {
    const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xFFz";  // a é € 😀 <bad> z
    std::size_t at = 0;
    std::vector<unsigned long> decoded;  // printable in a failure
    while (at < text.size()) decoded.push_back(pgkit::next_code_point(text, at));
    const std::vector<unsigned long> expected{'a', 0xe9, 0x20ac, 0x1f600, 0xfffd, 'z'};
    BOOST_TEST(decoded == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_sequence_cut_short_is_not_a_sequence) {
    BOOST_TEST(pgkit::utf8_sequence_length("\xE2\x82", 0) == 0u);
    BOOST_TEST(pgkit::utf8_sequence_length("\xE2\x82x", 0) == 0u);
    BOOST_TEST(pgkit::utf8_sequence_length("\x82", 0) == 0u);
    BOOST_TEST(pgkit::utf8_sequence_length("\xE2\x82\xAC", 0) == 3u);
}

BOOST_AUTO_TEST_CASE(first_invalid_utf8_names_the_offset_of_the_bad_byte) {
    BOOST_TEST(!pgkit::first_invalid_utf8("plain \xC3\xA9 text").has_value());
    BOOST_TEST(pgkit::first_invalid_utf8("ab\xFF").value() == 2u);
    BOOST_TEST(pgkit::first_invalid_utf8("ab\xC0\x80").value() == 2u);  // overlong
    BOOST_TEST(pgkit::first_invalid_utf8("\xE2\x82").value() == 0u);    // cut short
}

BOOST_AUTO_TEST_CASE(utf8_offset_of_counts_characters_not_bytes) {
    const std::string text = "a\xC3\xA9" "b\xE2\x82\xAC\nc";  // a é b € \n c
    BOOST_TEST(pgkit::utf8_offset_of(text, 0) == 0u);
    BOOST_TEST(pgkit::utf8_offset_of(text, 1) == 1u);  // é
    BOOST_TEST(pgkit::utf8_offset_of(text, 2) == 3u);  // b
    BOOST_TEST(pgkit::utf8_offset_of(text, 4) == 7u);  // \n
    BOOST_TEST(pgkit::utf8_offset_of(text, 5) == 8u);  // c
    BOOST_TEST(pgkit::utf8_offset_of(text, 9) == text.size());
}

BOOST_AUTO_TEST_SUITE_END()

#include "tools/pg-seed/csv_load.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace {

/// What CsvStream sends to COPY for `data`, fed in pieces of `step` bytes.
std::string streamed(const std::string& data, std::size_t step) {
    std::string sent;
    pgkit::CsvStream stream([&](const char* bytes, std::size_t size) { sent.append(bytes, size); });
    for (std::size_t at = 0; at < data.size(); at += step) {
        stream.send(std::string_view(data).substr(at, step), false);
    }
    stream.send({}, true);
    return sent;
}

const auto steps = boost::unit_test::data::make({1, 2, 3, 7, 1000});

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_load)

BOOST_DATA_TEST_CASE(plain_data_passes_unchanged_whatever_the_chunks, steps, step) {
    const std::string data = "1,\"a, \"\"b\"\"\"\n2,\"multi\nline\"\n3,\\N\n4,last-no-newline";
    BOOST_TEST(streamed(data, static_cast<std::size_t>(step)) == data);
}

BOOST_DATA_TEST_CASE(a_lone_end_marker_line_is_sent_quoted, steps, step) {
    const auto size = static_cast<std::size_t>(step);
    BOOST_TEST(streamed("1\n\\.\n2\n", size) == "1\n\"\\.\"\n2\n");
    BOOST_TEST(streamed("1\r\n\\.\r\n2\r\n", size) == "1\r\n\"\\.\"\r\n2\r\n");
    BOOST_TEST(streamed("\\.\n", size) == "\"\\.\"\n");
    BOOST_TEST(streamed("1\n\\.", size) == "1\n\"\\.\"");  // at the very end
}

BOOST_DATA_TEST_CASE(an_end_marker_inside_a_quoted_field_or_a_line_stays, steps, step) {
    const auto size = static_cast<std::size_t>(step);
    const std::string in_field = "1,\"x\n\\.\ny\"\n2\n";
    BOOST_TEST(streamed(in_field, size) == in_field);
    const std::string in_line = "a\\.\n\\.b\n";
    BOOST_TEST(streamed(in_line, size) == in_line);
}

BOOST_AUTO_TEST_SUITE_END()

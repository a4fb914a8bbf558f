#include "tools/pg-seed/copy_block.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

std::string quoting(const std::string& sql) {
    const auto found = pgkit::csv_quoting_of(sql);
    if (!found) return "text";
    return std::string(1, found->quote) + found->escape;
}

std::size_t first_record_lines(const std::string& data, pgkit::CsvQuoting quoting = {},
                               std::size_t piece = 1) {
    pgkit::FirstRecordLines counter(quoting);
    for (std::size_t at = 0; at < data.size(); at += piece) {
        counter.feed(data.data() + at, std::min(piece, data.size() - at));
    }
    return counter.lines();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(copy_block)

BOOST_AUTO_TEST_CASE(the_format_and_quoting_come_from_the_statements_options) {
    BOOST_TEST(quoting("COPY t FROM stdin;") == "text");
    BOOST_TEST(quoting("COPY csv (csv) FROM stdin;") == "text");  // names, not options
    BOOST_TEST(quoting("COPY t FROM stdin (FORMAT csv);") == "\"\"");
    BOOST_TEST(quoting("copy t from STDIN with (format 'CSV', header true);") == "\"\"");
    BOOST_TEST(quoting("COPY t FROM stdin (FORMAT text);") == "text");
    BOOST_TEST(quoting("COPY t FROM stdin (FORMAT csv, QUOTE '''', ESCAPE E'\\\\');") == "'\\");
    BOOST_TEST(quoting("COPY t FROM stdin WITH CSV HEADER QUOTE AS '|';") == "||");
    BOOST_TEST(quoting("COPY t FROM stdin CSV /* QUOTE '|' */ ESCAPE '!';") == "\"!");
}

BOOST_AUTO_TEST_CASE(the_first_records_lines_are_counted_across_pieces) {
    for (const std::size_t piece : {1u, 3u, 100u}) {
        BOOST_TEST(first_record_lines("1,ok\n2,\"a\nb\"\n", {}, piece) == 1u);
        BOOST_TEST(first_record_lines("1,\"x\ny\nz\"\n2,ok\n", {}, piece) == 3u);
        // A doubled quote stays inside the field.
        BOOST_TEST(first_record_lines("1,\"say \"\"hi\n\"\"\"\n", {}, piece) == 2u);
        // With its own escape character, an escaped quote does not close the field.
        BOOST_TEST(first_record_lines("1,\"a\\\"\nb\"\n", {'"', '\\'}, piece) == 2u);
        BOOST_TEST(first_record_lines("1,\"a\\\\\"\nb\n", {'"', '\\'}, piece) == 1u);
        // Not known yet: one line so far.
        BOOST_TEST(first_record_lines("1,\"x\n", {}, piece) == 2u);
        // CRLF lines inside the record are counted by the server already.
        BOOST_TEST(first_record_lines("1,\"x\r\ny\"\r\n2,ok\r\n", {}, piece) == 1u);
        // An escape before an ordinary character escapes nothing.
        BOOST_TEST(first_record_lines("1,\"a\\\nb\"\n", {'"', '\\'}, piece) == 2u);
    }
    BOOST_TEST(pgkit::data_line(5, 3) == 7u);
    BOOST_TEST(pgkit::data_line(1, 1) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

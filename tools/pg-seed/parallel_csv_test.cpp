#include "tools/pg-seed/parallel_csv.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

/// A CSV file in a temporary directory, removed at the end of the test.
struct CsvFile {
    explicit CsvFile(const std::string& content) {
        char pattern[] = "/tmp/pgkit-split.XXXXXX";
        const int fd = ::mkstemp(pattern);
        BOOST_REQUIRE(fd >= 0);
        ::close(fd);
        path = pattern;
        std::ofstream(path, std::ios::binary) << content;
        size = content.size();
    }
    ~CsvFile() { ::unlink(path.c_str()); }
    std::string path;
    std::size_t size = 0;
};

pgkit::CsvPlan after_header(const std::string& header) {
    pgkit::CsvPlan plan;
    plan.body_offset = header.size();
    plan.body_line = 2;
    return plan;
}

/// The parts as the bytes they hold, to compare with whole rows.
std::vector<std::string> pieces(const std::string& content, const std::vector<pgkit::Part>& parts) {
    std::vector<std::string> out;
    for (const auto& part : parts) out.push_back(content.substr(part.begin, part.end - part.begin));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parallel_csv)

BOOST_AUTO_TEST_CASE(parts_cover_the_data_cut_at_row_ends_with_their_first_lines) {
    std::string content = "id,name\n";
    for (int i = 0; i < 100; ++i) content += std::to_string(i) + ",row " + std::to_string(i) + "\n";
    const CsvFile file(content);
    const auto plan = after_header("id,name\n");
    const auto parts = pgkit::split_rows(file.path, plan, file.size, 4);
    BOOST_TEST_REQUIRE(parts.size() == 4u);
    BOOST_TEST(parts.front().begin == plan.body_offset);
    BOOST_TEST(parts.back().end == file.size);
    std::size_t line = 2;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) BOOST_TEST(parts[i].begin == parts[i - 1].end);  // no gap, no overlap
        BOOST_TEST(content[parts[i].begin - 1] == '\n');            // a row's start
        BOOST_TEST(parts[i].first_line == line);
        const std::string piece = content.substr(parts[i].begin, parts[i].end - parts[i].begin);
        line += static_cast<std::size_t>(std::count(piece.begin(), piece.end(), '\n'));
    }
}

BOOST_AUTO_TEST_CASE(a_line_break_inside_a_quoted_field_is_never_a_cut) {
    // Every row holds a quoted field with line breaks: a cut may only fall after "\"\n".
    std::string content;
    for (int i = 0; i < 50; ++i) content += std::to_string(i) + ",\"a\nb\nc\"\n";
    const CsvFile file(content);
    const auto parts = pgkit::split_rows(file.path, pgkit::CsvPlan{}, file.size, 3);
    BOOST_TEST_REQUIRE(parts.size() == 3u);
    const auto held = pieces(content, parts);
    for (const auto& piece : held) {
        BOOST_TEST(piece.substr(piece.size() - 2) == "\"\n");
        BOOST_TEST(std::count(piece.begin(), piece.end(), '"') % 2 == 0);
    }
    // Line numbers count the line breaks inside fields too.
    BOOST_TEST(parts[1].first_line ==
               1 + static_cast<std::size_t>(std::count(held[0].begin(), held[0].end(), '\n')));
}

BOOST_AUTO_TEST_CASE(one_part_when_asked_for_one_or_when_there_is_no_data) {
    const CsvFile file("a,b\n1,2\n");
    BOOST_TEST(pgkit::split_rows(file.path, after_header("a,b\n"), file.size, 1).size() == 1u);
    const CsvFile header_only("a,b\n");
    const auto parts = pgkit::split_rows(header_only.path, after_header("a,b\n"), header_only.size, 4);
    BOOST_TEST_REQUIRE(parts.size() == 1u);
    BOOST_TEST(parts[0].begin == 4u);
    BOOST_TEST(parts[0].end == 4u);
}

BOOST_AUTO_TEST_CASE(fewer_parts_when_there_are_fewer_rows_than_connections) {
    const CsvFile file("1\n2\n");
    const auto parts = pgkit::split_rows(file.path, pgkit::CsvPlan{}, file.size, 8);
    BOOST_TEST(parts.size() <= 2u);
    BOOST_TEST(parts.back().end == file.size);
}

BOOST_AUTO_TEST_SUITE_END()

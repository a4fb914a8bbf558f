#include "tools/pg-listtables/table_format.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(table_format)

BOOST_AUTO_TEST_CASE(csv_quotes_only_what_must_be_quoted) {
    pgkit::Table table{{"a", "b"}, {}, {{"plain", "with,comma"}, {"say \"hi\"", std::nullopt},
                                        {"two\nlines", ""}}};
    BOOST_TEST(pgkit::format_csv(table) ==
               "a,b\nplain,\"with,comma\"\n\"say \"\"hi\"\"\",\n\"two\nlines\",\n");
}

BOOST_AUTO_TEST_CASE(aligned_table_has_psqls_title_header_rule_and_footer) {
    pgkit::Table table{{"Schema", "Name"}, {false, false}, {{"public", "t"}}};
    BOOST_TEST(pgkit::format_aligned(table, "List of relations") ==
               "List of relations\n"
               " Schema | Name \n"
               "--------+------\n"
               " public | t\n"
               "(1 row)\n\n");
}

BOOST_AUTO_TEST_CASE(numbers_align_right) {
    pgkit::Table table{{"Rows"}, {true}, {{"5"}, {"1000"}}};
    BOOST_TEST(pgkit::format_aligned(table, "") == " Rows \n------\n    5\n 1000\n(2 rows)\n\n");
}

BOOST_AUTO_TEST_CASE(a_cell_with_line_breaks_goes_on_below_as_in_psql) {
    // The cell that goes on marks its line with '+' before the '|'; the others are padded.
    pgkit::Table middle{{"Schema", "Name"}, {false, false}, {{"a\nbc", "x"}}};
    BOOST_TEST(pgkit::format_aligned(middle, "") ==
               " Schema | Name \n"
               "--------+------\n"
               " a     +| x\n"
               " bc     | \n"
               "(1 row)\n\n");
    // In the last column: padded (and marked) only while it goes on.
    pgkit::Table last{{"Schema", "Name"}, {false, false}, {{"s", "p\nq"}, {"t", "u"}}};
    BOOST_TEST(pgkit::format_aligned(last, "") ==
               " Schema | Name \n"
               "--------+------\n"
               " s      | p   +\n"
               "        | q\n"
               " t      | u\n"
               "(2 rows)\n\n");
    // Right-aligned cells are padded on the left in every line.
    pgkit::Table numbers{{"n", "Rows"}, {false, true}, {{"a\nb", "7"}}};
    BOOST_TEST(pgkit::format_aligned(numbers, "") ==
               " n | Rows \n"
               "---+------\n"
               " a+|    7\n"
               " b | \n"
               "(1 row)\n\n");
}

BOOST_AUTO_TEST_CASE(control_characters_show_as_psql_shows_them) {
    // A tab to the next multiple of 8, CR as \r, other controls as \xHH or (C1) \uHHHH.
    pgkit::Table table{{"v"}, {false}, {{"t\tx"}, {"c\rr"}, {"\x01!\x7f"}, {"\xc2\x85"}}};
    BOOST_TEST(pgkit::format_aligned(table, "") ==
               "     v     \n"
               "-----------\n"
               " t       x\n"
               " c\\rr\n"
               " \\x01!\\x7F\n"
               " \\u0085\n"
               "(4 rows)\n\n");
}

BOOST_AUTO_TEST_CASE(display_width_counts_characters_not_bytes) {
    BOOST_TEST(pgkit::display_width("abc") == 3u);
    BOOST_TEST(pgkit::display_width("\xc3\xa9t\xc3\xa9") == 3u);       // été
    BOOST_TEST(pgkit::display_width("\xe6\x97\xa5\xe6\x9c\xac") == 4u);  // 日本: wide
    BOOST_TEST(pgkit::display_width("e\xcc\x81") == 1u);               // e + combining acute
    BOOST_TEST(pgkit::display_width("\xff") == 1u);                    // invalid byte
}

BOOST_AUTO_TEST_SUITE_END()

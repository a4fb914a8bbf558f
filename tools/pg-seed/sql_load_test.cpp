#include "tools/pg-seed/sql_load.hpp"

#include <boost/test/unit_test.hpp>

namespace {

/// Three statements as pg-seed batches them, from a file whose lines are:
///   1 -- a comment before the first statement
///   2 create table t (a int);
///   3 insert into t
///   4   values (1);
///   5 select 'é',
///   6   nothing;
pgkit::Batch three_statements() {
    pgkit::Batch batch;
    batch.add("-- a comment before the first statement\ncreate table t (a int);", 1, 2);
    batch.add("\ninsert into t\n  values (1);", 2, 3);
    batch.add("\nselect '\xC3\xA9',\n  nothing;", 4, 5);
    return batch;
}

/// The 1-based character position of `needle` in the batch, as the server reports it.
int position_of(const pgkit::Batch& batch, const std::string& needle) {
    const std::size_t byte = batch.sql().find(needle);
    int characters = 0;
    for (std::size_t i = 0; i <= byte; ++i) {
        if ((static_cast<unsigned char>(batch.sql()[i]) & 0xc0) != 0x80) ++characters;
    }
    return characters;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sql_load)

BOOST_AUTO_TEST_CASE(without_a_position_a_failure_is_at_the_statements_first_line) {
    const auto batch = three_statements();
    BOOST_TEST(batch.line_of_failure(0, 0) == 2u);  // after the comment
    BOOST_TEST(batch.line_of_failure(1, 0) == 3u);
    BOOST_TEST(batch.line_of_failure(2, 0) == 5u);
    // An index past the end (the server counted something else) is the last statement.
    BOOST_TEST(batch.line_of_failure(7, 0) == 5u);
}

BOOST_AUTO_TEST_CASE(a_position_names_the_line_inside_the_statement) {
    const auto batch = three_statements();
    BOOST_TEST(batch.line_of_failure(1, position_of(batch, "values")) == 4u);
    // Characters, not bytes: the é before "nothing" is two bytes.
    BOOST_TEST(batch.line_of_failure(2, position_of(batch, "nothing")) == 6u);
    BOOST_TEST(batch.line_of_failure(2, position_of(batch, "select")) == 5u);
}

BOOST_AUTO_TEST_CASE(a_position_before_the_failed_statement_is_its_first_line) {
    const auto batch = three_statements();
    BOOST_TEST(batch.line_of_failure(2, position_of(batch, "create")) == 5u);
}

BOOST_AUTO_TEST_CASE(an_encoding_error_names_the_line_of_the_first_bad_byte) {
    auto batch = three_statements();
    BOOST_TEST(!batch.line_of_invalid_utf8().has_value());
    batch.add("\ninsert into t values (1);\ninsert into t values ('\xFF');", 6, 7);
    BOOST_TEST(batch.line_of_invalid_utf8().value() == 8u);
    batch.clear();
    BOOST_TEST(batch.empty());
    BOOST_TEST(!batch.line_of_invalid_utf8().has_value());
}

BOOST_AUTO_TEST_SUITE_END()

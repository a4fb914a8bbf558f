#include "tools/pg-seed/sql_checks.hpp"

#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"
#include "support/string_source.hpp"

namespace {

/// Runs the checks over a whole script the way pg-seed reads a file: the statements that
/// would run, or the error message.
std::string check_script(const std::string& script) {
    const std::string path = "seed.sql";
    pgkit::test::StringSource source(script);
    pgkit::LineReader lines(source);
    pgkit::SqlSplitter splitter(lines);
    pgkit::SqlChecks checks(path);
    std::string runs;
    try {
        while (true) {
            const auto event = splitter.next();
            if (event == pgkit::SqlSplitter::Event::end) break;
            if (!checks.check(splitter, event)) continue;
            runs += "[" + splitter.first_word() + "]";
            if (splitter.is_copy_from_stdin()) splitter.copy_data([](const char*, std::size_t) {}, path);
        }
    } catch (const pgkit::Error& error) {
        BOOST_TEST(error.exit_status() == 6);
        return error.what();
    }
    return runs;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sql_checks)

BOOST_AUTO_TEST_CASE(statements_and_copy_blocks_pass) {
    BOOST_TEST(check_script("create table t (a int);\ncopy t from stdin;\n1\n\\.\nselect 1;\n") ==
               "[create][copy][select]");
}

BOOST_AUTO_TEST_CASE(pg_dumps_restrict_pair_is_accepted_and_not_run) {
    BOOST_TEST(check_script("\\restrict abc\nselect 1;\n\\unrestrict abc\n") == "[select]");
}

BOOST_AUTO_TEST_CASE(another_meta_command_is_refused_at_its_line) {
    BOOST_TEST(check_script("select 1;\n\n\\set x 1\n") ==
               "seed.sql:3: psql meta-command not supported: \\set x 1");
    // An \unrestrict with another key than the \restrict is not pg_dump's pair.
    BOOST_TEST(check_script("\\restrict abc\n\\unrestrict xyz\n").find("seed.sql:2:") == 0u);
}

BOOST_AUTO_TEST_CASE(a_nul_byte_names_its_own_line) {
    BOOST_TEST(check_script(std::string("select\n1\n\0;\n", 12)) ==
               "seed.sql:3: a NUL byte: this is not a text file");
}

BOOST_AUTO_TEST_CASE(an_unterminated_string_names_the_line_it_opens) {
    BOOST_TEST(check_script("select 1;\nselect 'open\nmore\n") ==
               "seed.sql:2: unterminated quoted string at the end of the file");
}

BOOST_AUTO_TEST_CASE(copy_to_stdout_and_data_on_the_copy_line_are_refused) {
    BOOST_TEST(check_script("copy t to stdout;\n") ==
               "seed.sql:1: COPY ... TO STDOUT is not supported");
    BOOST_TEST(check_script("copy t from stdin; 1\n\\.\n") ==
               "seed.sql:1: text after COPY ... FROM stdin; on the same line");
}

BOOST_AUTO_TEST_SUITE_END()

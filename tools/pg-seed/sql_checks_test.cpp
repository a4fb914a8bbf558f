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
            switch (checks.check(splitter, event)) {
                case pgkit::Disposition::skip:
                    continue;
                case pgkit::Disposition::open_block:
                    runs += "[block]";
                    continue;
                case pgkit::Disposition::commit_block:
                    runs += "[block end]";
                    continue;
                case pgkit::Disposition::rollback_block:
                    runs += "[block undone]";
                    continue;
                case pgkit::Disposition::run:
                    break;
            }
            runs += "[" + splitter.first_word() + "]";
            if (splitter.is_copy_from_stdin()) splitter.copy_data([](const char*, std::size_t) {}, path);
        }
        checks.finish();
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

BOOST_AUTO_TEST_CASE(a_block_the_file_opens_becomes_a_savepoint) {
    // pg_dump's large objects: BEGIN; ... COMMIT;
    BOOST_TEST(check_script("create table t (a int);\nBEGIN;\nselect 1;\nCOMMIT;\n") ==
               "[create][block][select][block end]");
    BOOST_TEST(check_script("start transaction isolation level serializable;\nselect 1;\nend;\n") ==
               "[block][select][block end]");
    BOOST_TEST(check_script("begin work;\ninsert into t values (1);\nabort;\nselect 2;\n") ==
               "[block][insert][block undone][select]");
    // A second BEGIN inside the block changes nothing, as on the server (a warning there).
    BOOST_TEST(check_script("begin;\nbegin;\nselect 1;\ncommit;\n") ==
               "[block][select][block end]");
}

BOOST_AUTO_TEST_CASE(savepoints_and_prepared_statements_run_as_they_are) {
    BOOST_TEST(check_script("savepoint a;\nselect 1;\nrollback to savepoint a;\nrelease a;\n") ==
               "[savepoint][select][rollback][release]");
    BOOST_TEST(check_script("prepare p (int) as select $1;\nexecute p(1);\n") == "[prepare][execute]");
    BOOST_TEST(check_script("/* begin; */ select 'commit';\n-- rollback;\n") == "[select]");
}

BOOST_AUTO_TEST_CASE(ending_the_tools_transaction_is_refused_at_its_line) {
    BOOST_TEST(check_script("select 1;\n\nCOMMIT;\n") ==
               "seed.sql:3: COMMIT would end pg-seed's transaction");
    BOOST_TEST(check_script("select 1;\n/* why */ rollback;\n") ==
               "seed.sql:2: ROLLBACK would end pg-seed's transaction");
    BOOST_TEST(check_script("begin;\ncommit;\nend;\n") == "seed.sql:3: END would end pg-seed's transaction");
    BOOST_TEST(check_script("abort;\n") == "seed.sql:1: ABORT would end pg-seed's transaction");
}

BOOST_AUTO_TEST_CASE(two_phase_commit_and_chains_are_refused) {
    BOOST_TEST(check_script("begin;\nprepare transaction 'x';\n") ==
               "seed.sql:2: PREPARE TRANSACTION is not supported in a seed file");
    BOOST_TEST(check_script("commit prepared 'x';\n") ==
               "seed.sql:1: COMMIT PREPARED is not supported in a seed file");
    BOOST_TEST(check_script("Rollback Prepared 'x';\n") ==
               "seed.sql:1: ROLLBACK PREPARED is not supported in a seed file");
    BOOST_TEST(check_script("begin;\ncommit and chain;\n") ==
               "seed.sql:2: AND CHAIN is not supported in a seed file");
}

BOOST_AUTO_TEST_CASE(a_block_left_open_names_its_begin) {
    BOOST_TEST(check_script("select 1;\nbegin;\nselect 2;\n") ==
               "seed.sql:2: BEGIN without COMMIT or ROLLBACK by the end of the file");
}

BOOST_AUTO_TEST_SUITE_END()

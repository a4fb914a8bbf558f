#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"
#include "tools/pg-grant/privileges.hpp"

using namespace pgkit;
using namespace pgkit::grant;

namespace {
using Words = std::vector<std::string>;
}

BOOST_AUTO_TEST_SUITE(grant_privileges)

BOOST_AUTO_TEST_CASE(words_are_read_case_insensitively_in_grants_order) {
    const PrivilegeList list = parse_privileges("insert, select,Select", Kind::table);
    BOOST_TEST(list.words == (Words{"INSERT", "SELECT"}), boost::test_tools::per_element());
    BOOST_TEST(!list.all);
    BOOST_TEST(resolve(list, Kind::table, 150000) == (Words{"SELECT", "INSERT"}),
               boost::test_tools::per_element());
    BOOST_TEST(parse_privileges("temp", Kind::database).words == (Words{"TEMPORARY"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(all_is_the_kinds_privileges_on_that_server) {
    const PrivilegeList all = parse_privileges("ALL PRIVILEGES", Kind::table);
    BOOST_TEST(all.all);
    BOOST_TEST(resolve(all, Kind::table, 160000).size() == 7u);
    BOOST_TEST(resolve(all, Kind::table, 170000).back() == "MAINTAIN");
    BOOST_TEST(resolve(parse_privileges("all", Kind::sequence), Kind::sequence, 130000) ==
                   (Words{"USAGE", "SELECT", "UPDATE"}),
               boost::test_tools::per_element());
    BOOST_CHECK_THROW(resolve(parse_privileges("MAINTAIN", Kind::table), Kind::table, 160000),
                      Error);
}

BOOST_AUTO_TEST_CASE(a_word_the_kind_does_not_take_is_a_usage_error_naming_the_right_kind) {
    try {
        parse_privileges("CONNECT", Kind::table);
        BOOST_FAIL("CONNECT on a table was taken");
    } catch (const UsageError& error) {
        BOOST_TEST(std::string(error.what()) == "invalid privilege \"CONNECT\" for a table");
        BOOST_TEST(error.hint().find("--database") != std::string::npos);
    }
    BOOST_CHECK_THROW(parse_privileges("SELECT,,INSERT", Kind::table), UsageError);
    BOOST_CHECK_THROW(parse_privileges("", Kind::table), UsageError);
    BOOST_CHECK_THROW(parse_privileges("EXECUTE", Kind::type), UsageError);
    BOOST_CHECK_THROW(parse_privileges("SELECT; DROP TABLE t", Kind::table), UsageError);
}

BOOST_AUTO_TEST_CASE(grant_adds_only_what_is_missing) {
    const Words table = kind_privileges(Kind::table, 150000);
    const Held held{{"SELECT"}, {}};
    Difference d = difference({"SELECT", "INSERT"}, held, Mode::grant, false, table);
    BOOST_TEST(d.grant == (Words{"INSERT"}), boost::test_tools::per_element());
    BOOST_TEST(d.revoke.empty());
    BOOST_TEST(difference({"SELECT"}, held, Mode::grant, false, table).empty());
    // The grant option on a privilege held without it is a change.
    d = difference({"SELECT"}, held, Mode::grant, true, table);
    BOOST_TEST(d.grant == (Words{"SELECT"}), boost::test_tools::per_element());
    // Held with the option, asked without: nothing to do (nothing is revoked).
    BOOST_TEST(difference({"SELECT"}, Held{{"SELECT"}, {"SELECT"}}, Mode::grant, false, table)
                   .empty());
}

BOOST_AUTO_TEST_CASE(revoke_takes_away_only_what_is_held) {
    const Words database = kind_privileges(Kind::database, 150000);
    const Held held{{"CONNECT", "TEMPORARY"}, {"CONNECT"}};
    Difference d = difference({"CONNECT", "CREATE"}, held, Mode::revoke, false, database);
    BOOST_TEST(d.revoke == (Words{"CONNECT"}), boost::test_tools::per_element());
    BOOST_TEST(d.grant.empty());
    d = difference({"CONNECT", "TEMPORARY"}, held, Mode::revoke, true, database);
    BOOST_TEST(d.revoke.empty());
    BOOST_TEST(d.revoke_grant_option == (Words{"CONNECT"}), boost::test_tools::per_element());
    BOOST_TEST(difference({"CREATE"}, held, Mode::revoke, false, database).empty());
}

BOOST_AUTO_TEST_CASE(exact_leaves_exactly_what_was_asked) {
    const Words table = kind_privileges(Kind::table, 150000);
    const Held held{{"SELECT", "INSERT", "UPDATE"}, {"SELECT"}};
    Difference d = difference({"SELECT", "DELETE"}, held, Mode::exact, false, table);
    BOOST_TEST(d.grant == (Words{"DELETE"}), boost::test_tools::per_element());
    BOOST_TEST(d.revoke == (Words{"INSERT", "UPDATE"}), boost::test_tools::per_element());
    BOOST_TEST(d.revoke_grant_option == (Words{"SELECT"}), boost::test_tools::per_element());
    BOOST_TEST(difference({"SELECT"}, Held{{"SELECT"}, {}}, Mode::exact, false, table).empty());
    BOOST_TEST(
        difference({"SELECT"}, Held{{"SELECT"}, {"SELECT"}}, Mode::exact, true, table).empty());
}

BOOST_AUTO_TEST_SUITE_END()

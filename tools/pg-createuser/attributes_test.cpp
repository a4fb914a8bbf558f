#include "tools/pg-createuser/attributes.hpp"

#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"

using pgkit::Tri;

BOOST_AUTO_TEST_SUITE(attributes)

BOOST_AUTO_TEST_CASE(each_flag_sets_its_own_attribute_and_the_rest_stay_unset) {
    pgkit::AttributeFlags flags{};
    flags[pgkit::createdb].yes = true;
    flags[pgkit::login].no = true;
    const auto values = pgkit::attribute_values(flags);
    BOOST_TEST((values[pgkit::createdb] == Tri::yes));
    BOOST_TEST((values[pgkit::login] == Tri::no));
    BOOST_TEST((values[pgkit::superuser] == Tri::unset));
    BOOST_TEST((values[pgkit::bypassrls] == Tri::unset));
}

BOOST_AUTO_TEST_CASE(both_halves_of_a_pair_are_a_usage_error_naming_the_pair) {
    pgkit::AttributeFlags flags{};
    flags[pgkit::replication].yes = true;
    flags[pgkit::replication].no = true;
    try {
        pgkit::attribute_values(flags);
        BOOST_FAIL("no error");
    } catch (const pgkit::UsageError& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "--replication and --no-replication cannot be used together");
    }
}

BOOST_AUTO_TEST_CASE(a_superuser_may_create_databases_and_roles) {
    pgkit::AttributeValues values{};
    values[pgkit::superuser] = Tri::yes;
    values[pgkit::createdb] = Tri::no;
    pgkit::apply_superuser_implies(values);
    BOOST_TEST((values[pgkit::createdb] == Tri::yes));
    BOOST_TEST((values[pgkit::createrole] == Tri::yes));

    pgkit::AttributeValues plain{};
    plain[pgkit::superuser] = Tri::no;
    pgkit::apply_superuser_implies(plain);
    BOOST_TEST((plain[pgkit::createdb] == Tri::unset));
}

BOOST_AUTO_TEST_SUITE_END()

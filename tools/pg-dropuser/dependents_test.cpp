#include <boost/test/unit_test.hpp>

#include "tools/pg-dropuser/dependents.hpp"

using namespace pgkit;

namespace {

Dependent make(std::string database, Dependency dependency, std::string kind = {},
               std::string identity = {}) {
    Dependent dependent;
    dependent.database = std::move(database);
    dependent.dependency = dependency;
    dependent.kind = std::move(kind);
    dependent.identity = std::move(identity);
    return dependent;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dependents)

BOOST_AUTO_TEST_CASE(what_each_cleanup_takes_away) {
    const Cleanup reassign{true, false}, drop{false, true}, both{true, true}, none{};
    const Dependent table = make("app", Dependency::owner);
    const Dependent shared_database = make("", Dependency::owner);
    const Dependent grant = make("app", Dependency::privileges);
    const Dependent shared_grant = make("", Dependency::privileges);
    Dependent defaults = make("app", Dependency::owner);
    defaults.default_privileges = true;
    Dependent unreachable = make("closed", Dependency::owner);
    unreachable.connectable = false;

    BOOST_TEST(!removed_by(table, none));
    BOOST_TEST(removed_by(table, reassign));
    BOOST_TEST(removed_by(table, drop));
    // DROP OWNED never drops a database or tablespace; REASSIGN OWNED gives them away.
    BOOST_TEST(!removed_by(shared_database, drop));
    BOOST_TEST(removed_by(shared_database, reassign));
    // REASSIGN OWNED moves no privileges and no default privileges.
    BOOST_TEST(!removed_by(grant, reassign));
    BOOST_TEST(!removed_by(defaults, reassign));
    BOOST_TEST(removed_by(grant, drop));
    BOOST_TEST(removed_by(shared_grant, drop));
    BOOST_TEST(removed_by(defaults, drop));
    // Nothing reaches a database that does not allow connections.
    BOOST_TEST(!removed_by(unreachable, both));

    const auto left = left_by({table, shared_database, grant, unreachable}, drop);
    BOOST_TEST(left.size() == 2U);
    BOOST_TEST(left[0].database.empty());
    BOOST_TEST(left[1].database == "closed");
}

BOOST_AUTO_TEST_CASE(the_detail_has_one_line_per_database_shared_first) {
    Dependent closed = make("old", Dependency::owner);
    closed.connectable = false;
    Dependent closed_grant = make("old", Dependency::privileges);
    closed_grant.connectable = false;
    const std::vector<Dependent> all = {
        make("", Dependency::owner, "database", "appdb"),
        make("", Dependency::privileges, "database", "postgres"),
        make("app", Dependency::owner, "schema", "app"),
        make("app", Dependency::owner, "table", "app.orders"),
        make("app", Dependency::policy, "policy", "p on app.orders"),
        closed,
        closed,
        closed_grant,
    };
    BOOST_TEST(describe_all(all) ==
               "shared: owner of database appdb, privileges on database postgres\n"
               "in database \"app\": owner of schema app, owner of table app.orders, named in "
               "policy p on app.orders\n"
               "in database \"old\" (does not allow connections): owner of 2 objects, "
               "privileges on 1 object");
    // At most so many named per line, then how many more.
    BOOST_TEST(describe_all(all, 1) ==
               "shared: owner of database appdb, and 1 more\n"
               "in database \"app\": owner of schema app, and 2 more\n"
               "in database \"old\" (does not allow connections): owner of 2 objects, "
               "privileges on 1 object");
}

BOOST_AUTO_TEST_CASE(dependency_words_for_json) {
    BOOST_TEST(dependency_name(Dependency::owner) == "owner");
    BOOST_TEST(dependency_name(Dependency::initial_privileges) == "initial privileges");
    BOOST_TEST(describe(make("x", Dependency::initial_privileges, "function", "f()")) ==
               "initial privileges on function f()");
}

BOOST_AUTO_TEST_SUITE_END()

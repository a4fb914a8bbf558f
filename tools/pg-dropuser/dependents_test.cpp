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

BOOST_AUTO_TEST_CASE(what_each_cleanup_does_to_each_dependent) {
    const Cleanup reassign{true, false}, drop{false, true}, both{true, true}, none{};
    const auto dependent = [](std::string database, Dependency dependency, std::string catalog) {
        Dependent made = make(std::move(database), dependency);
        made.catalog = std::move(catalog);
        return made;
    };
    const Dependent table = dependent("app", Dependency::owner, "pg_class");
    const Dependent shared_database = dependent("", Dependency::owner, "pg_database");
    const Dependent grant = dependent("app", Dependency::privileges, "pg_class");
    const Dependent shared_grant = dependent("", Dependency::privileges, "pg_database");
    const Dependent defaults = dependent("app", Dependency::owner, "pg_default_acl");
    const Dependent mapping = dependent("app", Dependency::owner, "pg_user_mapping");
    const Dependent membership = dependent("", Dependency::privileges, "pg_auth_members");
    const Dependent initial = dependent("app", Dependency::initial_privileges, "pg_class");
    Dependent unreachable = dependent("closed", Dependency::owner, "pg_class");
    unreachable.connectable = false;

    BOOST_TEST((effect_of(table, none) == Effect::none));
    BOOST_TEST((effect_of(table, reassign) == Effect::reassigned));
    BOOST_TEST((effect_of(table, drop) == Effect::dropped));
    BOOST_TEST((effect_of(table, both) == Effect::reassigned));
    // DROP OWNED never drops a database or tablespace; REASSIGN OWNED gives them away.
    BOOST_TEST((effect_of(shared_database, drop) == Effect::none));
    BOOST_TEST((effect_of(shared_database, reassign) == Effect::reassigned));
    // REASSIGN OWNED moves no privileges, default privileges or user mappings.
    BOOST_TEST((effect_of(grant, reassign) == Effect::none));
    BOOST_TEST((effect_of(defaults, reassign) == Effect::none));
    BOOST_TEST((effect_of(mapping, reassign) == Effect::none));
    BOOST_TEST((effect_of(grant, drop) == Effect::revoked));
    BOOST_TEST((effect_of(shared_grant, drop) == Effect::revoked));
    BOOST_TEST((effect_of(defaults, both) == Effect::default_privileges));
    BOOST_TEST((effect_of(mapping, drop) == Effect::dropped));
    BOOST_TEST((effect_of(membership, drop) == Effect::membership));
    // Initial privileges (17+) name the new role after REASSIGN OWNED.
    BOOST_TEST((effect_of(initial, reassign) == Effect::reassigned));
    // Nothing reaches a database that does not allow connections.
    BOOST_TEST((effect_of(unreachable, both) == Effect::none));
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

#include "tools/pg-seed/history.hpp"

#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"

namespace {

pgkit::SeedFile file(const std::string& recorded, const std::string& checksum) {
    pgkit::SeedFile seed;
    seed.path = "seeds/" + recorded;
    seed.recorded = recorded;
    seed.checksum = checksum;
    return seed;
}

pgkit::History recorded_history() {
    pgkit::History recorded;
    recorded.recorded = {{"010_a.sql", "aaaa"}, {"020_b.csv", "bbbb"}};
    return recorded;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(history)

BOOST_AUTO_TEST_CASE(a_file_not_recorded_stays_pending) {
    auto seed = file("030_c.sql", "cccc");
    pgkit::decide_once(seed, recorded_history(), false);
    BOOST_TEST((seed.action == pgkit::FileAction::pending));
}

BOOST_AUTO_TEST_CASE(a_file_recorded_with_the_same_checksum_is_skipped) {
    auto seed = file("010_a.sql", "aaaa");
    pgkit::decide_once(seed, recorded_history(), false);
    BOOST_TEST((seed.action == pgkit::FileAction::skipped));
}

BOOST_AUTO_TEST_CASE(a_changed_file_is_a_conflict_naming_both_checksums) {
    auto seed = file("020_b.csv", "changed");
    try {
        pgkit::decide_once(seed, recorded_history(), false);
        BOOST_FAIL("no error");
    } catch (const pgkit::Error& error) {
        BOOST_TEST(error.exit_status() == 5);
        BOOST_TEST(std::string(error.what()) == "\"seeds/020_b.csv\" has changed since it was applied");
        BOOST_TEST(error.detail() == "Its SHA-256 was bbbb, it is now changed.");
    }
}

BOOST_AUTO_TEST_CASE(reapply_changed_loads_a_changed_file_again) {
    auto seed = file("020_b.csv", "changed");
    pgkit::decide_once(seed, recorded_history(), true);
    BOOST_TEST((seed.action == pgkit::FileAction::pending));
}

BOOST_AUTO_TEST_SUITE_END()

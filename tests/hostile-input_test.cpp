#define BOOST_TEST_MODULE hostile-input against a real server
#include <boost/test/unit_test.hpp>

#include "support/cluster.hpp"

using namespace pgkit::test;

// Placeholder while the suite is written: the shared cluster answers.
BOOST_AUTO_TEST_CASE(cluster_answers) {
    const auto outcome = run_tool("pg-listtables", {"--format", "names"});
    BOOST_TEST(outcome.exit_code == 0);
}

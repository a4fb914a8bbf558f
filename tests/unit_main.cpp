#define BOOST_TEST_MODULE pgkit common unit tests
#include <boost/test/unit_test.hpp>

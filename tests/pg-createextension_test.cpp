#define BOOST_TEST_MODULE pg-createextension
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder) {}

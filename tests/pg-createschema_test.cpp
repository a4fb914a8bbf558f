#define BOOST_TEST_MODULE pg-createschema
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder) {}

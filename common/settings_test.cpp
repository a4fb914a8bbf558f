#include <boost/test/unit_test.hpp>

#include "common/errors.hpp"
#include "common/settings.hpp"

using namespace pgkit;

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(list_values_split_as_the_server_splits_them) {
    using List = std::vector<std::string>;
    BOOST_TEST(split_list_value("\"$user\", public") == (List{"$user", "public"}));
    BOOST_TEST(split_list_value("  a ,b,  \"C, d\"  ") == (List{"a", "b", "C, d"}));
    BOOST_TEST(split_list_value("\"say \"\"hi\"\"\"") == (List{"say \"hi\""}));
    // Identifiers (search_path): unquoted ones fold to lower case, quoted ones keep theirs.
    BOOST_TEST(split_list_value("MyApp, \"MyApp\", public", true) == (List{"myapp", "MyApp", "public"}));
    BOOST_TEST(split_list_value("MyApp", false) == (List{"MyApp"}));
    BOOST_TEST(split_list_value("").empty());
    BOOST_TEST(split_list_value("   ").empty());
    BOOST_CHECK_THROW(split_list_value("a,,b"), UsageError);
    BOOST_CHECK_THROW(split_list_value("\"open"), UsageError);
    BOOST_CHECK_THROW(split_list_value("\"a\" b"), UsageError);
    BOOST_CHECK_THROW(split_list_value("a,"), UsageError);
}

BOOST_AUTO_TEST_CASE(list_parameters_are_known_by_name_in_any_case) {
    BOOST_TEST(is_list_parameter("search_path"));
    BOOST_TEST(is_list_parameter("DateStyle"));
    BOOST_TEST(!is_list_parameter("work_mem"));
    BOOST_TEST(!is_list_parameter("application_name"));
}

BOOST_AUTO_TEST_CASE(arguments_are_checked_and_names_folded) {
    SettingsRequest request;
    request.set_arguments = {"Work_Mem=64MB", "search_path=\"$user\", public", "myapp.tenant=a=b"};
    request.reset_arguments = {"statement_timeout"};
    validate_settings(request);
    BOOST_TEST(request.set.size() == 3U);
    BOOST_TEST(request.set[0].first == "work_mem");
    BOOST_TEST(request.set[0].second == "64MB");
    BOOST_TEST(request.set[2].first == "myapp.tenant");
    BOOST_TEST(request.set[2].second == "a=b");
    BOOST_TEST(request.reset == std::vector<std::string>{"statement_timeout"});
    const auto refused = [](std::vector<std::string> set, std::vector<std::string> reset) {
        SettingsRequest bad;
        bad.set_arguments = std::move(set);
        bad.reset_arguments = std::move(reset);
        BOOST_CHECK_THROW(validate_settings(bad), UsageError);
    };
    refused({"work_mem"}, {});                    // no value
    refused({"=1"}, {});                          // no name
    refused({"work mem=1"}, {});                  // not a name
    refused({"x;DROP=1"}, {});
    refused({"a..b=1"}, {});
    refused({"work_mem=1", "WORK_MEM=2"}, {});    // twice
    refused({"work_mem=1"}, {"work_mem"});        // set and reset
    refused({"search_path=a,,b"}, {});            // a list that does not split
}

BOOST_AUTO_TEST_SUITE_END()

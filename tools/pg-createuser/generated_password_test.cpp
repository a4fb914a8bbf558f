#include <boost/test/unit_test.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/errors.hpp"
#include "tools/pg-createuser/generated_password.hpp"

using namespace pgkit;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(generated_passwords)

BOOST_AUTO_TEST_CASE(length_and_alphabet_are_as_asked_and_draws_differ) {
    const std::string alnum = generate_password(40, PasswordAlphabet::alphanumeric);
    BOOST_TEST(alnum.size() == 40U);
    BOOST_TEST(alnum.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
               std::string::npos);
    const std::string hex = generate_password(64, PasswordAlphabet::hex);
    BOOST_TEST(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    const std::string url = generate_password(500, PasswordAlphabet::urlsafe);
    BOOST_TEST(url.find_first_not_of(
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    BOOST_TEST(generate_password(32, PasswordAlphabet::alphanumeric) !=
               generate_password(32, PasswordAlphabet::alphanumeric));
    // Every character of the alphabet turns up in a long draw.
    const std::string many = generate_password(5000, PasswordAlphabet::alphanumeric);
    BOOST_TEST(std::set<char>(many.begin(), many.end()).size() == 62U);
    BOOST_TEST((parse_password_alphabet("hex") == PasswordAlphabet::hex));
    BOOST_TEST(!parse_password_alphabet("HEX").has_value());
}

BOOST_AUTO_TEST_CASE(the_file_appears_only_when_committed_with_mode_0600) {
    const fs::path dir = fs::temp_directory_path() / ("pgkit-genpw-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "app.password").string();
    {
        PendingPasswordFile file(path);
        file.stage("s3cret");
        BOOST_TEST(!fs::exists(path));
        BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    }
    // Not committed: nothing left behind.
    BOOST_TEST(fs::is_empty(dir));
    {
        PendingPasswordFile file(path);
        file.stage("s3cret");
        file.commit();
    }
    struct stat status {};
    BOOST_TEST_REQUIRE(::stat(path.c_str(), &status) == 0);
    BOOST_TEST((status.st_mode & 0777) == 0600U);
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    BOOST_TEST(line == "s3cret");
    // A directory that cannot take it: exit 6 before anything is sent.
    PendingPasswordFile nowhere((dir / "missing" / "app.password").string());
    try {
        nowhere.stage("x");
        BOOST_FAIL("staged into a missing directory");
    } catch (const Error& error) {
        BOOST_TEST(error.exit_status() == 6);
    }
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

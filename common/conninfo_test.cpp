#include "common/conninfo.hpp"

#include <libpq-fe.h>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

/// The password values found, as text.
std::vector<std::string> found(const std::string& conninfo) {
    std::vector<std::string> values;
    for (const pgkit::TextSpan& span : pgkit::connection_string_passwords(conninfo)) {
        values.push_back(conninfo.substr(span.offset, span.length));
    }
    return values;
}

/// What libpq itself takes for the password ("(none)": none, or a string it refuses).
std::string libpq_password(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (error != nullptr)
        PQfreemem(error);
    if (options == nullptr)
        return "(none)";
    std::string password = "(none)";
    for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
        if (std::string(option->keyword) == "password" && option->val != nullptr) {
            password = option->val;
        }
    }
    PQconninfoFree(options);
    return password;
}

using Strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(conninfo)

BOOST_AUTO_TEST_CASE(keyword_value_passwords_are_found_as_libpq_reads_them) {
    BOOST_TEST(found("host=db password=s3cret dbname=app") == Strings{"s3cret"});
    BOOST_TEST(found("password = 'two words' user=x") == Strings{"two words"});
    BOOST_TEST(found("password='it\\'s' port=5") == Strings{"it\\'s"});
    BOOST_TEST(found("password=back\\ slash") == Strings{"back\\ slash"});
    BOOST_TEST(found("dbname=password user=password") == Strings{});
    BOOST_TEST(found("passwordx=a xpassword=b Password=c") == Strings{});
    BOOST_TEST(found("password= host=x") == Strings{"host=x"});  // libpq reads it so too
    BOOST_TEST(found("app") == Strings{});
    BOOST_TEST(found("password=a password=b") == (Strings{"a", "b"}));
    BOOST_TEST(found("sslkey=k sslpassword='pass phrase'") == Strings{"pass phrase"});
    // Each found value is the one libpq would send, once its escapes are read.
    BOOST_TEST(libpq_password("host=db password=s3cret dbname=app") == "s3cret");
    BOOST_TEST(libpq_password("password = 'two words' user=x") == "two words");
    BOOST_TEST(libpq_password("password='it\\'s' port=5") == "it's");
    BOOST_TEST(libpq_password("password= host=x") == "host=x");
}

BOOST_AUTO_TEST_CASE(broken_strings_still_give_what_precedes_the_fault) {
    BOOST_TEST(found("password='never closed") == Strings{"never closed"});
    BOOST_TEST(found("password=first  dangling") == Strings{"first"});
    BOOST_TEST(found("password=") == Strings{});
}

BOOST_AUTO_TEST_CASE(uri_passwords_in_the_credentials_and_the_query) {
    BOOST_TEST(found("postgresql://app:s3cret@db:5432/app") == Strings{"s3cret"});
    BOOST_TEST(found("postgres://app:p%40ss@db/app") == Strings{"p%40ss"});
    BOOST_TEST(found("postgresql://app@db/app?password=q1&sslmode=require") == Strings{"q1"});
    BOOST_TEST(found("postgresql://app:a?b@db") == Strings{"a?b"});
    BOOST_TEST(found("postgresql://app:@db/app") == Strings{});
    BOOST_TEST(found("postgresql://db/app?user=x:y@z") == Strings{});
    BOOST_TEST(found("postgresql://db:5432/app") == Strings{});
    BOOST_TEST(found("postgresql://h/db?pass%77ord=S3cret") == Strings{"S3cret"});
    BOOST_TEST(libpq_password("postgresql://h/db?pass%77ord=S3cret") == "S3cret");
    BOOST_TEST(found("postgresql://h/db?sslpassword=k3y") == Strings{"k3y"});
    // Unencoded '@' and '/' in a password: libpq reads them otherwise, but they are hidden.
    BOOST_TEST(found("postgresql://u:p@ss@h/db") == (Strings{"p", "p@ss"}));  // libpq's, then ours
    BOOST_TEST(found("postgresql://u:pa/ss@h") == Strings{"pa/ss"});
    BOOST_TEST(found("postgresql://host?password=p@ss") == Strings{"p@ss"});
    BOOST_TEST(libpq_password("postgresql://app:s3cret@db:5432/app") == "s3cret");
    BOOST_TEST(libpq_password("postgresql://app@db/app?password=q1&sslmode=require") == "q1");
}

BOOST_AUTO_TEST_CASE(may_hold_password_also_for_what_cannot_be_read) {
    BOOST_TEST(pgkit::may_hold_password("host=x password=y"));
    BOOST_TEST(pgkit::may_hold_password("PASSWORD y"));
    BOOST_TEST(!pgkit::may_hold_password("host=x dbname=app"));
    BOOST_TEST(!pgkit::may_hold_password("app"));
    BOOST_TEST(pgkit::may_hold_password("postgresql://h/db?pass%77ord=x&&"));
}

BOOST_AUTO_TEST_CASE(quoted_pieces_of_libpq_messages_are_redacted) {
    BOOST_TEST(
        pgkit::redact_quoted_pieces("missing \"=\" after \"cret\" in connection info string") ==
        "missing \"=\" after \"...\" in connection info string");
    BOOST_TEST(pgkit::redact_quoted_pieces("invalid URI query parameter: \"a\"b\"c\"") ==
               "invalid URI query parameter: \"...\"");
    BOOST_TEST(pgkit::redact_quoted_pieces("unterminated quoted string in connection info "
                                           "string") ==
               "unterminated quoted string in connection info string");
    BOOST_TEST(pgkit::redact_quoted_pieces("open \"ended") == "open \"...\"");
}

BOOST_AUTO_TEST_CASE(arguments_holding_the_string_are_overwritten_in_place) {
    const std::string conninfo = "host=db password='a b' dbname=app";
    std::vector<std::string> storage = {
        "pg-seed", "--dbname=" + conninfo, "-d" + conninfo, conninfo, "file.sql", "password='a b'"};
    std::vector<char*> argv;
    for (auto& argument : storage)
        argv.push_back(argument.data());
    BOOST_TEST(pgkit::hide_passwords_in_arguments(static_cast<int>(argv.size()), argv.data(),
                                                  conninfo) == 3);
    BOOST_TEST(std::string(argv[1]) == "--dbname=host=db password='***' dbname=app");
    BOOST_TEST(std::string(argv[2]) == "-dhost=db password='***' dbname=app");
    BOOST_TEST(std::string(argv[3]) == "host=db password='***' dbname=app");
    BOOST_TEST(std::string(argv[4]) == "file.sql");
    BOOST_TEST(std::string(argv[5]) == "password='a b'");  // not the option's value
    BOOST_TEST(
        pgkit::hide_passwords_in_arguments(static_cast<int>(argv.size()), argv.data(), "app") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

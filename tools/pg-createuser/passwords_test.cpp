#include "tools/pg-createuser/passwords.hpp"

#include <boost/test/unit_test.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/errors.hpp"

using pgkit::PasswordMatch;

namespace {

std::string temp_file(const std::string& content, mode_t mode) {
    char path[] = "/tmp/pgkit-unit-pw-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path, mode);
    return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(passwords)

BOOST_AUTO_TEST_CASE(verifiers_are_recognised_and_plain_text_is_not) {
    const std::string scram = pgkit::scram_sha256_verifier("secret", "saltsaltsaltsalt", 4096);
    BOOST_TEST(scram.rfind("SCRAM-SHA-256$4096:", 0) == 0);
    BOOST_TEST(pgkit::is_password_verifier(scram));
    BOOST_TEST(pgkit::is_password_verifier("md5" + std::string(32, 'f')));
    BOOST_TEST(!pgkit::is_password_verifier("md5" + std::string(31, 'f')));
    BOOST_TEST(!pgkit::is_password_verifier("md5" + std::string(32, 'G')));
    BOOST_TEST(!pgkit::is_password_verifier("SCRAM-SHA-256$not:a$verifier:atall"));
    BOOST_TEST(!pgkit::is_password_verifier("correct horse battery staple"));
}

BOOST_AUTO_TEST_CASE(a_plain_password_matches_its_own_scram_verifier_only) {
    const std::string stored = pgkit::scram_sha256_verifier("s3cret", "0123456789abcdef", 4096);
    BOOST_TEST((pgkit::match_stored_password("s3cret", "app", stored) == PasswordMatch::matches));
    BOOST_TEST((pgkit::match_stored_password("s3cret!", "app", stored) == PasswordMatch::differs));
    BOOST_TEST((pgkit::match_stored_password("", "app", stored) == PasswordMatch::differs));
    // The server normalises non-ASCII passwords (SASLprep) first: not decided here.
    BOOST_TEST((pgkit::match_stored_password("p\xc3\xa4ss", "app", stored) ==
                PasswordMatch::unknown));
}

BOOST_AUTO_TEST_CASE(scram_verifier_agrees_with_an_independent_computation) {
    // Computed with Python's hashlib and hmac (PBKDF2-HMAC-SHA-256, RFC 5802 keys).
    const std::string expected = "SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$MiuIWMPE8f1wvUs8gqR/HUOBiaxP2InTIltSNS8murY=:UKlEJeK+9JbWnqN1OJJFASpGl2gC6h5m1W8s9eH3q3Q=";
    BOOST_TEST(pgkit::scram_sha256_verifier("s3cret", "0123456789abcdef", 4096) == expected);
}

BOOST_AUTO_TEST_CASE(md5_verifiers_are_salted_with_the_role_name) {
    // md5("secret" || "app") = 6a422f78..., computed with Python's hashlib.
    const std::string stored = "md56a422f785c9e20873908ce25d1736ae2";
    BOOST_TEST((pgkit::match_stored_password("secret", "app", stored) == PasswordMatch::matches));
    BOOST_TEST((pgkit::match_stored_password("secret", "ppa", stored) == PasswordMatch::differs));
    BOOST_TEST((pgkit::match_stored_password("Secret", "app", stored) == PasswordMatch::differs));
}

BOOST_AUTO_TEST_CASE(a_verifier_given_matches_only_the_same_verifier) {
    const std::string stored = pgkit::scram_sha256_verifier("a", "saltsaltsaltsalt", 4096);
    BOOST_TEST((pgkit::match_stored_password(stored, "r", stored) == PasswordMatch::matches));
    const std::string other = pgkit::scram_sha256_verifier("a", "tlastlastlastlas", 4096);
    BOOST_TEST((pgkit::match_stored_password(other, "r", stored) == PasswordMatch::differs));
}

BOOST_AUTO_TEST_CASE(password_file_gives_its_first_line_without_the_line_ending) {
    std::vector<std::string> warnings;
    const std::string crlf = temp_file("first\r\nsecond\n", 0600);
    BOOST_TEST(pgkit::read_password_file(crlf, warnings) == "first");
    BOOST_TEST(warnings.empty());
    const std::string bare = temp_file("no newline at all", 0400);
    BOOST_TEST(pgkit::read_password_file(bare, warnings) == "no newline at all");
    ::unlink(crlf.c_str());
    ::unlink(bare.c_str());
}

BOOST_AUTO_TEST_CASE(password_file_readable_by_others_warns) {
    std::vector<std::string> warnings;
    const std::string loose = temp_file("pw\n", 0644);
    BOOST_TEST(pgkit::read_password_file(loose, warnings) == "pw");
    BOOST_TEST_REQUIRE(warnings.size() == 1u);
    BOOST_TEST(warnings[0].find("group or world access") != std::string::npos);
    ::unlink(loose.c_str());
}

BOOST_AUTO_TEST_CASE(missing_file_is_bad_input_and_empty_password_is_usage) {
    std::vector<std::string> warnings;
    try {
        pgkit::read_password_file("/nonexistent/file", warnings);
        BOOST_FAIL("no error");
    } catch (const pgkit::Error& error) {
        BOOST_TEST(error.exit_status() == 6);
        BOOST_TEST(std::string(error.what()).find("/nonexistent/file") != std::string::npos);
    }
    const std::string empty = temp_file("\n", 0600);
    BOOST_CHECK_THROW(pgkit::read_password_file(empty, warnings), pgkit::UsageError);
    BOOST_CHECK_THROW(pgkit::read_password_file("/tmp", warnings), pgkit::Error);
    ::unlink(empty.c_str());
}

BOOST_AUTO_TEST_CASE(password_env_must_be_set_and_not_empty) {
    ::setenv("PGKIT_UNIT_PW", "from-env", 1);
    BOOST_TEST(pgkit::read_password_env("PGKIT_UNIT_PW") == "from-env");
    ::setenv("PGKIT_UNIT_PW", "", 1);
    BOOST_CHECK_THROW(pgkit::read_password_env("PGKIT_UNIT_PW"), pgkit::UsageError);
    ::unsetenv("PGKIT_UNIT_PW");
    BOOST_CHECK_THROW(pgkit::read_password_env("PGKIT_UNIT_PW"), pgkit::UsageError);
}

BOOST_AUTO_TEST_SUITE_END()

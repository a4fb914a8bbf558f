#include "tools/pg-createdb/locale_names.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(locale_names)

BOOST_AUTO_TEST_CASE(libc_names_differ_only_in_their_codesets_spelling) {
    BOOST_TEST(pgkit::same_libc_locale("C.utf8", "C.UTF-8"));
    BOOST_TEST(pgkit::same_libc_locale("en_US.UTF-8", "en_US.utf8"));
    BOOST_TEST(pgkit::same_libc_locale("de_DE.ISO-8859-15@euro", "de_DE.iso885915@euro"));
    BOOST_TEST(pgkit::same_libc_locale("POSIX", "C"));
    BOOST_TEST(!pgkit::same_libc_locale("en_US.UTF-8", "en_GB.UTF-8"));
    BOOST_TEST(!pgkit::same_libc_locale("en_US.UTF-8", "en_US"));
    BOOST_TEST(!pgkit::same_libc_locale("en_US.UTF-8", "en_US.LATIN1"));
    BOOST_TEST(!pgkit::same_libc_locale("de_DE.UTF-8@euro", "de_DE.UTF-8"));
    BOOST_TEST(!pgkit::same_libc_locale("C", "c"));
}

BOOST_AUTO_TEST_CASE(icu_names_compare_as_language_tags) {
    BOOST_TEST(pgkit::icu_language_tag("en_US") == "en-US");
    BOOST_TEST(pgkit::icu_language_tag("en-US") == "en-US");
    BOOST_TEST(pgkit::icu_language_tag("de_DE@collation=phonebook") == "de-DE-u-co-phonebk");
    BOOST_TEST(pgkit::same_icu_locale("en_US", "en-US"));
    BOOST_TEST(pgkit::same_icu_locale("und", "und"));
    BOOST_TEST(!pgkit::same_icu_locale("en_US", "en-GB"));
    BOOST_TEST(!pgkit::same_icu_locale("de", "de-AT"));
}

BOOST_AUTO_TEST_SUITE_END()

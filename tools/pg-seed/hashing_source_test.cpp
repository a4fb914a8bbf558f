#include "tools/pg-seed/hashing_source.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

#include "support/string_source.hpp"

namespace {

/// Reads `data` through a HashingSource in chunks of `chunk`: the bytes read and the digest.
std::pair<std::string, std::string> hash(const std::string& data, std::size_t chunk,
                                         bool enabled = true) {
    pgkit::test::StringSource memory(data, chunk);
    pgkit::HashingSource hashing(memory, enabled);
    std::string passed;
    char buffer[64];
    while (const std::size_t got = hashing.read(buffer, sizeof buffer)) passed.append(buffer, got);
    return {passed, hashing.hex()};
}

const std::string sha256_a_lf_b_lf =
    "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2";  // "a\nb\n"

}  // namespace

BOOST_AUTO_TEST_SUITE(hashing_source)

BOOST_DATA_TEST_CASE(crlf_hashes_as_lf_wherever_the_reads_split_it,
                     boost::unit_test::data::make({1, 2, 3, 5, 64}), chunk) {
    const auto [passed, digest] = hash("a\r\nb\r\n", static_cast<std::size_t>(chunk));
    BOOST_TEST(passed == "a\r\nb\r\n");  // the bytes themselves pass unchanged
    BOOST_TEST(digest == sha256_a_lf_b_lf);
    BOOST_TEST(hash("a\nb\n", static_cast<std::size_t>(chunk)).second == sha256_a_lf_b_lf);
}

BOOST_DATA_TEST_CASE(a_carriage_return_not_before_a_line_feed_counts,
                     boost::unit_test::data::make({1, 2, 64}), chunk) {
    const auto size = static_cast<std::size_t>(chunk);
    BOOST_TEST(hash("a\rb", size).second ==
               "af9081672dd5ef3247a30c2db5b0dafcc9bcf981a26aefb3c55d210d43fcc14e");
    // At the very end of the file, too.
    BOOST_TEST(hash("a\r", size).second ==
               "961a57df036f6c4f44ca8a054271c45e823f469bcc439f0255c40974c3e3d131");
}

BOOST_AUTO_TEST_CASE(an_empty_file_has_the_digest_of_nothing) {
    BOOST_TEST(hash("", 64).second ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(disabled_it_only_passes_the_bytes_on) {
    const auto [passed, digest] = hash("a\r\nb\r\n", 3, false);
    BOOST_TEST(passed == "a\r\nb\r\n");
    BOOST_TEST(digest == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_SUITE_END()

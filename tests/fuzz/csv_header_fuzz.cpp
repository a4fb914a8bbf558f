/// libFuzzer target for pg-seed's CSV header reader, parse_csv_header (tools/pg-seed/seed_input.hpp).
/// The input's first byte picks the delimiter (a double quote or "\r" picks ","); the rest is
/// the header line. Invariants checked on every input:
///  - the number of names is 1 + the delimiters outside quotes, where "outside" is told by the
///    parity of the double quotes before it (COPY's own rule, worked out here independently);
///  - without any double quote, the names are the line split at every delimiter, with "\r"
///    dropped;
///  - no byte is made up: the names together are no longer than the line;
///  - the names, each quoted again ("" for a quote) and joined with the delimiter, read back as
///    the same names, also with "\r" after the last (a CRLF file's header line).
/// Build and run: tests/fuzz/run-fuzz SECONDS csv_header (needs clang with libFuzzer).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tools/pg-seed/seed_input.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "csv_header_fuzz: invariant broken: %s\n", what);
    std::abort();
}

std::string quote(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    char delimiter = static_cast<char>(data[0]);
    if (delimiter == '"' || delimiter == '\r') delimiter = ',';
    const std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);

    const std::vector<std::string> names = pgkit::parse_csv_header(line, delimiter);

    // 1 + delimiters outside quotes.
    std::size_t quotes = 0, outside = 0;
    for (const char c : line) {
        if (c == '"') {
            ++quotes;
        } else if (c == delimiter && quotes % 2 == 0) {
            ++outside;
        }
    }
    if (names.size() != outside + 1) fail("number of names is not 1 + delimiters outside quotes");

    // No quotes: a plain split.
    if (quotes == 0) {
        std::vector<std::string> split(1);
        for (const char c : line) {
            if (c == delimiter) {
                split.emplace_back();
            } else if (c != '\r') {
                split.back() += c;
            }
        }
        if (split != names) fail("a line without quotes is not split at its delimiters");
    }

    std::size_t total = 0;
    for (const auto& name : names) total += name.size();
    if (total + outside > line.size()) fail("the names hold more bytes than the line");

    // Quoted again and read back.
    std::string again;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) again += delimiter;
        again += quote(names[i]);
    }
    if (pgkit::parse_csv_header(again, delimiter) != names) fail("re-quoted names read back differently");
    if (pgkit::parse_csv_header(again + "\r", delimiter) != names) fail("a final \\r is not dropped");
    return 0;
}

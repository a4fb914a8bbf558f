/// libFuzzer target for pg-seed's file name to table rules (tools/pg-seed/seed_input.hpp): the input is
/// a file name for table_of_file, and a --table value for TableName::parse. Invariants:
///  - a table comes only from a name ending in .csv or .tsv (optionally then .gz, .xz or .zst)
///    with something before that suffix, and from every such name whose stem is not all
///    order prefix ("020_");
///  - the table's text() is the part of the input just before the suffix, less at most one
///    order prefix (digits and "_" or "-"), and is not empty;
///  - the schema, when there is one, holds no dot (the split is at the first dot), and
///    parse(text()) gives the same schema and name back;
///  - TableName::check throws pgkit::UsageError (and nothing else) exactly when a part is
///    empty, over 63 bytes or holds a NUL byte; otherwise every part is 1 to 63 bytes.
/// Build and run: tests/fuzz/run-fuzz SECONDS table_name (needs clang with libFuzzer).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/errors.hpp"
#include "tools/pg-seed/seed_input.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "table_name_fuzz: invariant broken: %s\n", what);
    std::abort();
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool part_ok(std::string_view part) {
    return !part.empty() && part.size() <= 63 && part.find('\0') == std::string_view::npos;
}

/// check() must accept exactly the names whose parts are all good.
void check_check(const pgkit::TableName& table) {
    const bool good = part_ok(table.name) && (!table.schema || part_ok(*table.schema));
    bool accepted = false;
    try {
        table.check("table name");
        accepted = true;
    } catch (const pgkit::UsageError&) {
        accepted = false;
    }
    // Any other exception escapes and libFuzzer reports it.
    if (accepted != good) fail("check() does not refuse exactly the empty, long or NUL parts");
    if (accepted && (table.name.empty() || table.name.size() > 63)) fail("check() accepted a bad name");
}

void check_parse(const pgkit::TableName& table) {
    if (table.schema && table.schema->find('.') != std::string::npos) fail("a schema holds a dot");
    const pgkit::TableName again = pgkit::TableName::parse(table.text());
    if (again.schema != table.schema || again.name != table.name) fail("parse(text()) differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    // As a --table value: split at the first dot, text() gives the input back.
    const pgkit::TableName given = pgkit::TableName::parse(input);
    if (given.text() != input) fail("TableName::parse(x).text() is not x");
    check_parse(given);
    check_check(given);

    // As a file name. Worked out here without the library: the stem before the suffixes.
    std::string_view base = input;
    for (const std::string_view compression : {".gz", ".xz", ".zst"}) {
        if (ends_with(base, compression)) {
            base.remove_suffix(compression.size());
            break;
        }
    }
    const bool suffix_ok = (ends_with(base, ".csv") || ends_with(base, ".tsv")) && base.size() > 4;
    std::string_view stem = suffix_ok ? base.substr(0, base.size() - 4) : std::string_view{};
    std::size_t digits = 0;
    while (digits < stem.size() && stem[digits] >= '0' && stem[digits] <= '9') ++digits;
    if (digits > 0 && digits < stem.size() && (stem[digits] == '_' || stem[digits] == '-')) {
        stem.remove_prefix(digits + 1);
    }

    const auto table = pgkit::table_of_file(input);
    if (!suffix_ok) {
        if (table) fail("a table from a name without .csv or .tsv");
        return 0;
    }
    if (stem.empty()) {
        if (table) fail("a table from a name that is all order prefix");
        return 0;
    }
    if (!table) fail("no table from a .csv or .tsv name with a stem");
    const std::string text = table->text();
    if (text.empty()) fail("an empty table name");
    if (text != stem) fail("text() is not the stem less its order prefix");
    // The stem is a substring of the input, right before the suffixes.
    const std::size_t at = static_cast<std::size_t>(stem.data() - input.data());
    if (input.compare(at, text.size(), text) != 0 || at + text.size() + 4 > input.size()) {
        fail("text() is not where the name is in the input");
    }
    check_parse(*table);
    check_check(*table);
    return 0;
}

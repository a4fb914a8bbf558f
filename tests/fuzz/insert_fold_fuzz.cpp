/// libFuzzer target for pg-seed's INSERT folding (tools/pg-seed/insert_fold.hpp). The input is
/// split into statements by pg-seed's SQL splitter, as a file is; invariants checked on every
/// complete statement that parse_insert takes as a foldable INSERT:
///  - its parts are the statement's own text, in order: the header starts with INSERT and ends
///    with VALUES, the target lies in the header, each row starts with "(" and ends with ")",
///    after the header and after the row before it, and only blanks and one ";" follow the last;
///  - the folded statement of the rows, twice over (as a run of two), is itself a foldable
///    INSERT with the same header, twice the rows, the same texts and width;
///  - the splitter reads that folded statement (with its ";") as exactly one
///    statement, unchanged: no row's text can end a statement or open a string early.
/// Build and run: tests/fuzz/run-fuzz SECONDS insert_fold (needs clang with libFuzzer).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "support/string_source.hpp"
#include "tools/pg-seed/insert_fold.hpp"
#include "tools/pg-seed/sql_splitter.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "insert_fold_fuzz: invariant broken: %s\n", what);
    std::abort();
}

bool within(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool starts_with_word(std::string_view text, std::string_view word) {
    if (text.size() < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = text[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (c != word[i]) return false;
    }
    return true;
}

void check_parts(std::string_view statement, const pgkit::InsertShape& shape) {
    if (!within(shape.header, statement) || !within(shape.target, shape.header)) fail("header or target outside");
    if (!starts_with_word(shape.header, "INSERT")) fail("header does not start with INSERT");
    if (shape.header.size() < 6 || !starts_with_word(shape.header.substr(shape.header.size() - 6), "VALUES")) {
        fail("header does not end with VALUES");
    }
    if (shape.rows.empty() || shape.width == 0) fail("no rows");
    const char* after = shape.header.data() + shape.header.size();
    for (const auto row : shape.rows) {
        if (!within(row, statement) || row.data() < after) fail("row out of order");
        if (row.size() < 2 || row.front() != '(' || row.back() != ')') fail("row not in parentheses");
        after = row.data() + row.size();
    }
    bool semicolon = false;
    for (const char* c = after; c < statement.data() + statement.size(); ++c) {
        if (*c == ';' && !semicolon) {
            semicolon = true;
        } else if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r' && *c != '\f' && *c != '\v') {
            fail("text after the last row");
        }
    }
}

void check_folded(const pgkit::InsertShape& shape) {
    std::vector<std::string> rows;
    for (int copy = 0; copy < 2; ++copy) {
        for (const auto row : shape.rows) rows.emplace_back(row);
    }
    const std::string folded = pgkit::folded_statement(shape.header, rows) + ";";
    const auto again = pgkit::parse_insert(folded);
    if (!again) fail("the folded statement is not foldable");
    if (again->header != shape.header || again->width != shape.width) fail("the folded header or width changed");
    if (again->rows.size() != rows.size()) fail("the folded statement has another number of rows");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (again->rows[i] != rows[i]) fail("a folded row changed");
    }
    pgkit::test::StringSource source("\n" + folded, 5);
    pgkit::LineReader lines(source);
    pgkit::SqlSplitter splitter(lines);
    int statements = 0;
    std::string text;
    try {
        while (splitter.next() != pgkit::SqlSplitter::Event::end) {
            ++statements;
            text = splitter.text();
        }
    } catch (const pgkit::Error&) {
        fail("the splitter refused the folded statement");
    }
    if (statements != 1 || text != "\n" + folded) fail("the splitter did not read one statement");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // What reaches parse_insert is a complete statement of pg-seed's splitter, in text the
    // server would take: UTF-8 (it refuses a message that is not, before reading it), without
    // NUL bytes (pg-seed refuses a file holding one).
    if (pgkit::first_invalid_utf8(input) || input.find('\0') != std::string_view::npos) return 0;
    pgkit::test::StringSource source{std::string(input), 7};
    pgkit::LineReader lines(source);
    pgkit::SqlSplitter splitter(lines);
    try {
        while (true) {
            const auto event = splitter.next();
            if (event == pgkit::SqlSplitter::Event::end) break;
            if (event != pgkit::SqlSplitter::Event::statement || splitter.unterminated()) continue;
            if (splitter.is_copy_from_stdin()) return 0;
            const std::string statement = splitter.text();
            const auto shape = pgkit::parse_insert(statement);
            if (!shape) continue;
            check_parts(statement, *shape);
            check_folded(*shape);
        }
    } catch (const pgkit::Error&) {
        // A reported error of the splitter's, not a crash.
    }
    return 0;
}

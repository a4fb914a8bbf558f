/// libFuzzer target for pg-seed's SQL splitter. Invariants checked on every input:
///  - nothing is lost: the statements, meta-command lines and COPY data lines put together give
///    back the input (less a leading BOM, with every line ending in "\n");
///  - nothing is split inside a string: a complete statement split again on its own is exactly
///    one statement, unchanged.
/// Build and run: tests/fuzz/run-fuzz SECONDS (needs clang with libFuzzer).

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/errors.hpp"
#include "support/string_source.hpp"
#include "tools/pg-seed/sql_splitter.hpp"

namespace {

struct Split {
    std::string rebuilt;
    int statements = 0;
    std::string only_statement;
};

Split split(std::string_view input, bool check_statements);

void check_alone(const std::string& statement) {
    // Behind a newline, so that a BOM it starts with is not taken for the file's own.
    const std::string alone = "\n" + statement;
    const Split again = split(alone, false);
    if (again.statements != 1 || again.only_statement != alone) {
        std::abort();  // a statement boundary moved: something was split inside a string
    }
}

Split split(std::string_view input, bool check_statements) {
    pgkit::test::StringSource source(std::string(input), std::string::npos);
    pgkit::LineReader lines(source);
    pgkit::SqlSplitter splitter(lines);
    Split result;
    try {
        while (true) {
            const auto event = splitter.next();
            if (event == pgkit::SqlSplitter::Event::end) break;
            if (event == pgkit::SqlSplitter::Event::meta_command) {
                result.rebuilt += "<meta>";
                continue;
            }
            ++result.statements;
            result.only_statement = splitter.text();
            result.rebuilt += splitter.text();
            if (check_statements && !splitter.unterminated() && !splitter.is_copy_from_stdin() &&
                !splitter.text().empty() && splitter.text().back() == ';') {
                check_alone(splitter.text());
            }
            if (splitter.is_copy_from_stdin()) {
                result.rebuilt += splitter.copy_tail() + '\n';  // data starts on the next line
                splitter.copy_data(
                    [&result](const char* bytes, std::size_t size) { result.rebuilt.append(bytes, size); },
                    "fuzz");
            }
        }
    } catch (const pgkit::Error&) {
        // COPY data without its end marker: a reported error, not a crash.
    }
    return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (input.find('\\') != std::string_view::npos) {
        split(input, true);  // meta-commands and COPY data: no exact rebuild to compare
        return 0;
    }
    const Split result = split(input, true);
    // Without backslashes, every byte comes back: the statements cover the whole input.
    std::string expected(input);
    if (expected.rfind("\xEF\xBB\xBF", 0) == 0) expected.erase(0, 3);
    std::string rebuilt = result.rebuilt;
    auto trim = [](std::string& text) {
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' ||
                                 text.back() == '\r')) {
            text.pop_back();
        }
    };
    trim(expected);
    trim(rebuilt);
    // Trailing blanks and comments after the last statement are not a statement.
    if (rebuilt.size() > expected.size() || expected.compare(0, rebuilt.size(), rebuilt) != 0) {
        if (std::getenv("FUZZ_DEBUG") != nullptr) {
            std::fprintf(stderr, "expected [%s]\nrebuilt  [%s]\n", expected.c_str(), rebuilt.c_str());
        }
        std::abort();
    }
    return 0;
}

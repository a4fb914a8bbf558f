#pragma once
/// CSV and TSV files: COPY ... FROM STDIN into the table the file names (or --table), with the
/// header's columns, streamed in 64 KiB chunks; a failure names the file's own line.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/pg-seed/byte_source.hpp"
#include "tools/pg-seed/inputs.hpp"
#include "tools/pg-seed/progress.hpp"
#include "tools/pg-seed/script_session.hpp"

namespace pgkit {

/// The options that shape a CSV load.
struct CsvOptions {
    std::optional<std::string> table;  ///< --table: the target of a single file
    bool no_header = false;            ///< --no-header: columns in table order
    bool truncate = false;             ///< --truncate: empty the table first
};

/// CSV data on its way to COPY, whole lines at a time. Up to PostgreSQL 17, COPY ends CSV data
/// at an unquoted line holding only "\." even when more follows: such a line is sent quoted,
/// "\.", the same value to a CSV reader. Outside or inside a quoted field is the parity of the
/// double quotes seen so far ("" inside a field counts twice).
class CsvStream {
public:
    using Sink = std::function<void(const char* data, std::size_t size)>;
    explicit CsvStream(Sink sink) : sink_(std::move(sink)) {}

    /// Passes on the whole lines of what has come so far; `final`: the data ends here.
    void send(std::string_view chunk, bool final);

private:
    Sink sink_;
    std::string buffer_;  ///< the last, unfinished line
    std::size_t quotes_ = 0;
};

/// What every COPY of one CSV file shares: the statement and where the data starts.
struct CsvPlan {
    std::string target;           ///< the table, quoted
    std::string copy;             ///< COPY ... FROM STDIN WITH (FORMAT csv, HEADER true...)
    std::size_t copy_offset = 0;  ///< bytes (decompressed) not sent: a BOM
    std::size_t body_offset = 0;  ///< bytes (decompressed) before the data rows: a BOM, the header
    std::size_t body_line = 1;    ///< the file line of the first data row
    bool header = true;           ///< the file has a header line
};

/// Reads the file's header (unless --no-header) for the column list; sets file.table.
CsvPlan plan_csv(const Session& session, SeedFile& file, const CsvOptions& options);

/// TRUNCATE the target (--truncate), in the load's transaction.
void truncate_for(ScriptSession& script, const SeedFile& file, const CsvPlan& plan);

/// The bytes one COPY sends. COPY always skips a first line (HEADER true): the file's header,
/// or an empty line sent before data that has none (a file without a header, a part of a
/// split file). Its line numbers are then the file's own: a data row is never COPY's first
/// line, which up to at least PostgreSQL 15 is counted as one line even when a quoted field
/// spans several.
struct CsvSource {
    std::unique_ptr<ByteSource> bytes;
    std::size_t skip = 0;           ///< bytes of `bytes` not sent (a BOM)
    bool empty_first_line = false;  ///< send an empty line first, for COPY to skip
    std::size_t first_line = 1;     ///< the file line of the first byte sent from `bytes`
};

/// The whole file, as `plan` says.
CsvSource whole_file(const SeedFile& file, const CsvPlan& plan);

/// One COPY of CSV data under way: a whole file, or one part of a file that loads over several
/// connections (--jobs). Each pump() sends one chunk.
class CsvLoad {
public:
    /// Starts the COPY, and sends the empty first line if there is one.
    CsvLoad(ScriptSession& script, const SeedFile& file, const CsvPlan& plan, CsvSource source,
            bool count_lines);
    CsvLoad(const CsvLoad&) = delete;  // its stream writes through `this`
    CsvLoad& operator=(const CsvLoad&) = delete;

    /// Sends the next chunk; false when the data has all gone (the COPY is still open).
    bool pump();
    /// Ends the COPY: the rows copied.
    long long finish();

    std::size_t bytes_read() const { return source_.bytes->raw_bytes_read(); }
    long long lines_sent() const { return lines_; }

private:
    /// The file line of COPY's line `copy_line` (1-based, the first line it skips included).
    std::size_t file_line(std::size_t copy_line) const;
    [[noreturn]] void fail(const ScriptError& error) const;

    ScriptSession& script_;
    const SeedFile& file_;
    CsvSource source_;
    std::vector<char> buffer_;
    bool count_lines_;
    long long lines_;
    CsvStream stream_;
};

/// Loads one CSV or TSV file into the open transaction; throws Error naming file:line.
void load_csv(ScriptSession& script, SeedFile& file, const CsvOptions& options,
              Progress& progress);

}  // namespace pgkit

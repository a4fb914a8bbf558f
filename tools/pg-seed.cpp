/// pg-seed: loads SQL scripts, pg_dump plain output and CSV files, atomically and, with --once,
/// once.
///
/// Everything is checked before anything is sent: every file exists and can be read, every SQL
/// file splits into statements with no psql meta-command but pg_dump's \restrict pair. Then,
/// in one transaction (or one per file with --per-file): SQL statements go in multi-statement
/// messages of about 64 KiB, COPY ... FROM stdin blocks and CSV files stream through COPY in
/// 64 KiB chunks, and a failure names the file and line.

#include <dirent.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/pg-seed/byte_source.hpp"
#include "common/names.hpp"
#include "tools/pg-seed/seed_input.hpp"
#include "tools/pg-seed/sql_splitter.hpp"
#include "common/tool.hpp"

namespace {

using namespace pgkit;
using Clock = std::chrono::steady_clock;

constexpr std::size_t batch_bytes = 64 * 1024;

enum class Kind { sql, csv, tsv };

struct SeedFile {
    std::string path;      ///< as opened
    std::string recorded;  ///< relative to the PATH given: the history's key
    Kind kind = Kind::sql;
    std::string checksum;  ///< SHA-256 of the content with CRLF read as LF (--once)
    // What happened to it:
    std::string action = "pending";
    long long statements = 0, rows = 0;
    double seconds = 0;
    std::string table;  ///< CSV target
};

struct Request {
    std::vector<std::string> paths;
    std::optional<std::string> table, history_table;
    bool no_header = false, truncate = false, per_file = false, once = false,
         reapply_changed = false, progress = false;
    std::size_t jobs = 1;
};

/// The progress line on stderr: file, bytes read of its size, rows per second, time left;
/// redrawn in place at most four times a second, and erased at the end.
class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled) {}
    bool enabled() const { return enabled_; }

    void begin(const SeedFile& file, std::size_t index, std::size_t count) {
        if (!enabled_) return;
        struct stat status {};
        total_ = ::stat(file.path.c_str(), &status) == 0 ? static_cast<std::size_t>(status.st_size) : 0;
        label_ = fmt::format("[{}/{}] {}", index, count, file.path);
        started_ = Clock::now();
        last_ = Clock::time_point{};
    }
    void update(std::size_t bytes, long long rows) {
        if (!enabled_) return;
        const auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        const double elapsed = std::chrono::duration<double>(now - started_).count();
        const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
        std::string eta = "";
        if (bytes > 0 && total_ > bytes && elapsed > 0.5) {
            eta = fmt::format("  ETA {:.0f} s", elapsed * static_cast<double>(total_ - bytes) /
                                                    static_cast<double>(bytes));
        }
        std::fprintf(stderr, "\r\033[K%s  %.1f of %.1f MB  %.0f rows/s%s", label_.c_str(),
                     static_cast<double>(bytes) / 1e6, static_cast<double>(total_) / 1e6, rate,
                     eta.c_str());
        std::fflush(stderr);
        drawn_ = true;
    }
    void end() {
        if (enabled_ && drawn_) {
            std::fputs("\r\033[K", stderr);
            std::fflush(stderr);
            drawn_ = false;
        }
    }

private:
    bool enabled_;
    bool drawn_ = false;
    std::size_t total_ = 0;
    std::string label_;
    Clock::time_point started_, last_;
};

// ---------------------------------------------------------------- finding and checking inputs

std::optional<Kind> kind_of(const std::string& name) {
    std::string_view base;
    compression_of(name, &base);
    auto ends = [&](std::string_view suffix) {
        return base.size() > suffix.size() && base.substr(base.size() - suffix.size()) == suffix;
    };
    if (ends(".sql")) return Kind::sql;
    if (ends(".csv")) return Kind::csv;
    if (ends(".tsv")) return Kind::tsv;
    return std::nullopt;
}

SeedFile seed_file(std::string path, std::string recorded, Kind kind) {
    SeedFile file;
    file.path = std::move(path);
    file.recorded = std::move(recorded);
    file.kind = kind;
    return file;
}

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void check_readable(const std::string& path) {
    if (::access(path.c_str(), R_OK) != 0) {
        throw Error(Exit::bad_input, fmt::format("could not read \"{}\": {}", path, std::strerror(errno)));
    }
}

/// Files of every PATH: a directory's files in byte order (not recursive, hidden ones
/// skipped), other kinds skipped with a warning.
std::vector<SeedFile> collect_inputs(const std::vector<std::string>& paths,
                                     std::vector<std::string>& warnings) {
    std::vector<SeedFile> files;
    for (const auto& path : paths) {
        struct stat status {};
        if (::stat(path.c_str(), &status) != 0) {
            throw Error(Exit::bad_input,
                        fmt::format("could not open \"{}\": {}", path, std::strerror(errno)));
        }
        if (S_ISDIR(status.st_mode)) {
            struct CloseDir {
                void operator()(DIR* dir) const { ::closedir(dir); }
            };
            std::unique_ptr<DIR, CloseDir> dir(::opendir(path.c_str()));
            if (!dir) {
                throw Error(Exit::bad_input, fmt::format("could not read directory \"{}\": {}",
                                                         path, std::strerror(errno)));
            }
            std::vector<std::string> names;
            while (const dirent* entry = ::readdir(dir.get())) {
                if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
            }
            std::sort(names.begin(), names.end());  // byte order
            for (const auto& name : names) {
                const std::string full = path + (path.back() == '/' ? "" : "/") + name;
                struct stat entry_status {};
                if (::stat(full.c_str(), &entry_status) != 0 || !S_ISREG(entry_status.st_mode)) {
                    continue;
                }
                const auto kind = kind_of(name);
                if (!kind) {
                    warnings.push_back(fmt::format(
                        "skipping \"{}\": not .sql, .csv or .tsv (optionally .gz, .xz or .zst)", full));
                    continue;
                }
                check_readable(full);
                files.push_back(seed_file(full, name, *kind));
            }
        } else {
            const auto kind = kind_of(path);
            if (!kind) {
                throw Error(Exit::bad_input,
                            fmt::format("\"{}\" is not an .sql, .csv or .tsv file", path),
                            {}, "Name SQL files *.sql and CSV files *.csv or *.tsv (optionally "
                                "compressed: .gz, .xz, .zst).");
            }
            check_readable(path);
            files.push_back(seed_file(path, base_name(path), *kind));
        }
    }
    return files;
}

/// Hashes what passes through it, reading "\r\n" as "\n" so that a checkout with other line
/// ends is not a change.
class HashingSource : public ByteSource {
public:
    /// With `enabled` false it only passes the bytes on (no --once: no checksum to make).
    HashingSource(ByteSource& inner, bool enabled)
        : inner_(inner), enabled_(enabled), context_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
        EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
    }
    std::size_t read(char* buffer, std::size_t size) override {
        const std::size_t got = inner_.read(buffer, size);
        if (!enabled_) return got;
        std::string normal;
        normal.reserve(got + 1);
        if (pending_cr_ && (got == 0 || buffer[0] != '\n')) normal += '\r';
        pending_cr_ = false;
        for (std::size_t i = 0; i < got; ++i) {
            if (buffer[i] == '\r') {
                if (i + 1 == got) {
                    pending_cr_ = true;
                } else if (buffer[i + 1] != '\n') {
                    normal += '\r';
                }
            } else {
                normal += buffer[i];
            }
        }
        EVP_DigestUpdate(context_.get(), normal.data(), normal.size());
        return got;
    }
    std::size_t raw_bytes_read() const override { return inner_.raw_bytes_read(); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(context_.get(), digest, &length);
        std::string out;
        for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
        return out;
    }

private:
    ByteSource& inner_;
    bool enabled_;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
    bool pending_cr_ = false;
};

/// The checks every SQL statement passes, before loading (check_file) and as it loads: no psql
/// meta-command but pg_dump's \restrict pair, nothing unterminated, no COPY ... TO STDOUT, COPY
/// data starting on the line after its statement. A failure is exit 6 naming file:line.
class SqlChecks {
public:
    explicit SqlChecks(const std::string& path) : path_(path) {}

    /// Whether the event is a statement to run (false: an accepted \restrict line).
    bool check(const SqlSplitter& splitter, SqlSplitter::Event event) {
        const std::string where = fmt::format(
            "{}:{}", path_, splitter.first_line() != 0 ? splitter.first_line() : splitter.start_line());
        if (event == SqlSplitter::Event::meta_command) {
            const std::string& command = splitter.text();
            if (command.rfind("\\restrict ", 0) == 0 && !restrict_key_) {
                restrict_key_ = command.substr(10);
            } else if (command.rfind("\\unrestrict ", 0) == 0 && restrict_key_ &&
                       command.substr(12) == *restrict_key_) {
                restrict_key_.reset();
            } else {
                throw Error(Exit::bad_input,
                            fmt::format("{}: psql meta-command not supported: {}", where, command),
                            {}, "pg-seed runs SQL, COPY ... FROM stdin data and pg_dump's "
                                "\\restrict lines; run other meta-commands with psql.");
            }
            return false;
        }
        if (const auto nul = splitter.text().find('\0'); nul != std::string::npos) {
            const std::string& text = splitter.text();
            throw Error(Exit::bad_input,
                        fmt::format("{}:{}: a NUL byte: this is not a text file", path_,
                                    splitter.start_line() +
                                        static_cast<std::size_t>(std::count(
                                            text.begin(), text.begin() + static_cast<long>(nul), '\n'))));
        }
        if (splitter.unterminated()) {
            throw Error(Exit::bad_input,
                        fmt::format("{}:{}: unterminated {} at the end of the file", path_,
                                    splitter.unterminated_line(), splitter.unterminated_what()));
        }
        if (splitter.is_copy_to_stdout()) {
            throw Error(Exit::bad_input, fmt::format("{}: COPY ... TO STDOUT is not supported", where));
        }
        if (splitter.is_copy_from_stdin() &&
            splitter.copy_tail().find_first_not_of(" \t\r") != std::string::npos) {
            throw Error(Exit::bad_input,
                        fmt::format("{}: text after COPY ... FROM stdin; on the same line", where),
                        {}, "COPY data starts on the line after the statement.");
        }
        return true;
    }

private:
    const std::string& path_;
    std::optional<std::string> restrict_key_;
};

/// Reads a file through before anything is sent: for the checksum --once needs, and, when
/// files commit one by one (--per-file), so that a broken later file stops the run before an
/// earlier one commits. In one transaction without --once, SQL files are only checked as they
/// load: a failure rolls everything back, and a big dump is read once, not twice.
void check_file(SeedFile& file, bool want_checksum, bool check_sql) {
    if (!want_checksum && (file.kind != Kind::sql || !check_sql)) return;
    auto source = open_byte_source(file.path);
    HashingSource hashing(*source, want_checksum);
    if (file.kind == Kind::sql && check_sql) {
        LineReader lines(hashing);
        SqlSplitter splitter(lines);
        SqlChecks checks(file.path);
        while (true) {
            const auto event = splitter.next();
            if (event == SqlSplitter::Event::end) break;
            if (!checks.check(splitter, event)) continue;
            if (splitter.is_copy_from_stdin()) {
                splitter.copy_data([](const char*, std::size_t) {}, file.path);
            }
        }
    } else {
        std::vector<char> buffer(LineReader::chunk_size);
        while (hashing.read(buffer.data(), buffer.size()) > 0) {
        }
    }
    if (want_checksum) file.checksum = hashing.hex();
}

// ---------------------------------------------------------------- loading

std::string quoted(const TableName& table, const Session& session) {
    return (table.schema ? session.quote_ident(*table.schema) + "." : std::string()) +
           session.quote_ident(table.name);
}

/// The line of the file a COPY error is about, from COPY's "line N" context.
std::optional<std::size_t> copy_line(const std::string& context) {
    const auto at = context.find(", line ");
    if (at == std::string::npos) return std::nullopt;
    return static_cast<std::size_t>(std::atoll(context.c_str() + at + 7));
}

/// Data, syntax and constraint errors are the file's fault: exit 6.
Exit exit_for_file_error(const Error& error) {
    const std::string& state = error.sqlstate();
    const std::string_view sql_class = std::string_view(state).substr(0, 2);
    if (sql_class == "22" || sql_class == "23" || (sql_class == "42" && state != "42501") ||
        state == "0A000") {
        return Exit::bad_input;
    }
    return error.code();
}

/// Rethrows a server error as the file's (line 0: no line to name).
[[noreturn]] void fail_at(const Error& error, const std::string& file, std::size_t line) {
    const std::string where = line > 0 ? fmt::format("{}:{}", file, line) : file;
    const std::string sqlstate =
        error.sqlstate().empty() ? "" : fmt::format(" (SQLSTATE {})", error.sqlstate());
    throw Error(exit_for_file_error(error), fmt::format("{}: {}{}", where, error.what(), sqlstate),
                error.detail(), error.hint(), error.sqlstate());
}

/// CSV data on its way to COPY, whole lines at a time. Up to PostgreSQL 17, COPY ends CSV data
/// at an unquoted line holding only "\." even when more follows: such a line is sent quoted,
/// "\.", the same value to a CSV reader. Outside or inside a quoted field is the parity of the
/// double quotes seen so far ("" inside a field counts twice).
class CsvStream {
public:
    explicit CsvStream(Session& session) : session_(session) {}

    void send(std::string_view chunk, bool final) {
        buffer_.append(chunk);
        std::size_t end = buffer_.size();
        if (!final) {
            end = buffer_.rfind('\n');
            if (end == std::string::npos) return;  // no whole line yet
            ++end;
        }
        const std::string_view data(buffer_.data(), end);
        std::size_t sent = 0, counted = 0;
        for (std::size_t at = data.find("\\."); at != std::string_view::npos;
             at = data.find("\\.", at + 1)) {
            const std::size_t after = at + 2;
            const bool line_start = at == 0 || data[at - 1] == '\n';
            const bool whole_line = after == data.size() || data[after] == '\n' ||
                                    (data[after] == '\r' && (after + 1 == data.size() || data[after + 1] == '\n'));
            if (!line_start || !whole_line) continue;
            quotes_ += static_cast<std::size_t>(std::count(data.begin() + counted, data.begin() + at, '"'));
            counted = at;
            if (quotes_ % 2 != 0) continue;  // inside a quoted field: COPY keeps it as data
            if (at > sent) session_.put_copy_data(data.data() + sent, at - sent);
            session_.put_copy_data("\"\\.\"", 4);
            sent = after;
        }
        quotes_ += static_cast<std::size_t>(std::count(data.begin() + counted, data.end(), '"'));
        if (data.size() > sent) session_.put_copy_data(data.data() + sent, data.size() - sent);
        buffer_.erase(0, end);
    }

private:
    Session& session_;
    std::string buffer_;  ///< the last, unfinished line
    std::size_t quotes_ = 0;
};

struct Pending {
    std::string sql;
    struct Piece {
        std::size_t offset;       ///< where the statement starts in `sql`
        std::size_t start_line;   ///< the file line where its text starts
        std::size_t first_line;   ///< its first line of content
    };
    std::vector<Piece> pieces;
};

/// The file line of a character position (1-based, in characters) in a failed batch.
std::size_t line_of_position(const Pending& batch, int position, const Pending::Piece& piece) {
    std::size_t byte = 0;
    for (int characters = 1; byte < batch.sql.size() && characters < position; ++byte) {
        if ((static_cast<unsigned char>(batch.sql[byte]) & 0xc0) != 0x80) ++characters;
    }
    if (byte < piece.offset) return piece.first_line;
    return piece.start_line +
           static_cast<std::size_t>(std::count(batch.sql.begin() + static_cast<long>(piece.offset),
                                               batch.sql.begin() + static_cast<long>(byte), '\n'));
}

/// The offset of the first byte of `text` that is not part of a valid UTF-8 sequence.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (length == 0 || (length == 2 && c < 0xc2) || i + length > text.size()) return i;
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return i;
        }
        i += length;
    }
    return std::nullopt;
}

void flush(Session& session, Pending& batch, SeedFile& file) {
    if (batch.pieces.empty()) return;
    try {
        const auto outcome = session.send_batch(batch.sql);
        file.statements += outcome.statements;
        file.rows += outcome.rows;
    } catch (const ScriptError& error) {
        if (error.sqlstate() == "22021" && error.statement_position() <= 0) {
            // An encoding error rejects the whole message, without a position: name the line
            // of the first byte that is not UTF-8.
            if (const auto bad = first_invalid_utf8(batch.sql)) {
                std::size_t at = 0;
                while (at + 1 < batch.pieces.size() && batch.pieces[at + 1].offset <= *bad) ++at;
                const Pending::Piece& piece = batch.pieces[at];
                fail_at(error, file.path,
                        piece.start_line + static_cast<std::size_t>(std::count(
                                               batch.sql.begin() + static_cast<long>(piece.offset),
                                               batch.sql.begin() + static_cast<long>(*bad), '\n')));
            }
        }
        const auto index = static_cast<std::size_t>(error.statement_index());
        const Pending::Piece& piece = batch.pieces[std::min(index, batch.pieces.size() - 1)];
        const std::size_t line = error.statement_position() > 0
                                     ? line_of_position(batch, error.statement_position(), piece)
                                     : piece.first_line;
        fail_at(error, file.path, line);
    }
    batch.sql.clear();
    batch.pieces.clear();
}

void load_sql(Session& session, SeedFile& file, Progress& progress) {
    auto source = open_byte_source(file.path);
    LineReader lines(*source);
    SqlSplitter splitter(lines);
    SqlChecks checks(file.path);
    Pending batch;
    while (true) {
        const auto event = splitter.next();
        if (event == SqlSplitter::Event::end) break;
        if (!checks.check(splitter, event)) continue;  // \restrict
        if (splitter.is_copy_from_stdin()) {
            flush(session, batch, file);
            const std::size_t copy_line_number = splitter.first_line();
            const std::size_t data_start = splitter.line_number() + 1;
            try {
                session.begin_copy(splitter.text());
            } catch (const ScriptError& error) {
                fail_at(error, file.path, copy_line_number);
            }
            try {
                // The block goes as it is in the file, in the reader's chunks: no line copied.
                splitter.copy_data(
                    [&](const char* data, std::size_t size) {
                        session.put_copy_data(data, size);
                        if (progress.enabled()) {
                            progress.update(source->raw_bytes_read(),
                                            file.rows + static_cast<long long>(
                                                            splitter.line_number() - data_start));
                        }
                    },
                    file.path);
                file.rows += session.end_copy();
                ++file.statements;
            } catch (const ScriptError& error) {
                const auto at = copy_line(error.context);
                fail_at(error, file.path, at ? data_start + *at - 1 : copy_line_number);
            }
            continue;
        }
        batch.pieces.push_back({batch.sql.size(), splitter.start_line(), splitter.first_line()});
        batch.sql += splitter.text();
        // The server reads a whole message with the settings in force when it arrives: a SET
        // (client_encoding, standard_conforming_strings) must end its message.
        const bool changes_settings =
            splitter.first_word() == "set" || splitter.first_word() == "reset";
        if (batch.sql.size() >= batch_bytes || changes_settings) {
            flush(session, batch, file);
            progress.update(source->raw_bytes_read(), file.rows);
        }
    }
    flush(session, batch, file);
}

/// What every COPY of one CSV file shares: the statement and where the data starts.
struct CsvPlan {
    std::string target;           ///< the table, quoted
    std::string copy;             ///< COPY ... FROM STDIN WITH (...)
    std::size_t body_offset = 0;  ///< bytes (decompressed) before the data: a BOM, the header
    std::size_t body_line = 1;    ///< the file line of the first data line
};

/// Reads the file's header (unless --no-header) for the column list.
CsvPlan plan_csv(const Session& session, SeedFile& file, const Request& request) {
    const char delimiter = file.kind == Kind::tsv ? '\t' : ',';
    const TableName table = request.table ? TableName::parse(*request.table) : *table_of_file(file.recorded);
    file.table = table.text();
    CsvPlan plan;
    plan.target = quoted(table, session);

    auto source = open_byte_source(file.path);
    std::vector<char> buffer(LineReader::chunk_size);
    std::size_t got = source->read(buffer.data(), buffer.size());
    std::size_t at = 0, base = 0;  // base: bytes before the buffer's first
    if (got >= 3 && std::string_view(buffer.data(), 3) == "\xEF\xBB\xBF") at = 3;  // a BOM
    plan.body_offset = at;
    std::string columns;
    if (!request.no_header) {
        std::string header;
        while (true) {
            const auto* newline = static_cast<const char*>(std::memchr(buffer.data() + at, '\n', got - at));
            if (newline != nullptr) {
                header.append(buffer.data() + at, static_cast<std::size_t>(newline - (buffer.data() + at)));
                plan.body_offset = base + static_cast<std::size_t>(newline - buffer.data()) + 1;
                break;
            }
            header.append(buffer.data() + at, got - at);
            base += got;
            at = 0;
            got = source->read(buffer.data(), buffer.size());
            if (got == 0) {
                plan.body_offset = base;
                break;
            }
        }
        plan.body_line = 2;
        for (const auto& column : parse_csv_header(header, delimiter)) {
            try {
                columns += (columns.empty() ? " (" : ", ") + session.quote_ident(column);
            } catch (const Error& error) {  // not valid in the client encoding
                throw Error(Exit::bad_input, fmt::format("{}:1: header: {}", file.path, error.what()));
            }
        }
        if (!columns.empty()) columns += ")";
    }
    plan.copy = fmt::format("COPY {}{} FROM STDIN WITH (FORMAT csv{})", plan.target, columns,
                            delimiter == '\t' ? ", DELIMITER E'\\t'" : "");
    return plan;
}

void truncate_for(Session& session, const SeedFile& file, const CsvPlan& plan) {
    try {
        session.run("TRUNCATE " + plan.target);
    } catch (const SqlError& error) {
        fail_at(error, file.path, 1);
    }
}

/// One COPY of CSV data under way: a whole file, or one part of a file that loads over several
/// connections (--jobs). Each pump() sends one chunk.
class CsvLoad {
public:
    /// Skips `skip` bytes of `source` (a BOM and header), then starts the COPY. `first_line` is
    /// the file line of the source's first data line, for messages.
    CsvLoad(Session& session, const SeedFile& file, const CsvPlan& plan,
            std::unique_ptr<ByteSource> source, std::size_t skip, std::size_t first_line,
            bool count_lines)
        : session_(session), file_(file), source_(std::move(source)),
          buffer_(LineReader::chunk_size), first_line_(first_line), count_lines_(count_lines),
          stream_(session) {
        while (skip > 0) {
            const std::size_t got = source_->read(buffer_.data(), std::min(skip, buffer_.size()));
            if (got == 0) break;
            skip -= got;
        }
        try {
            session_.begin_copy(plan.copy);
        } catch (const ScriptError& error) {
            fail_at(error, file_.path, statement_line());
        }
    }

    /// Sends the next chunk; false when the data has all gone (the COPY is still open).
    bool pump() {
        try {
            const std::size_t got = source_->read(buffer_.data(), buffer_.size());
            if (got == 0) {
                stream_.send({}, true);
                return false;
            }
            stream_.send(std::string_view(buffer_.data(), got), false);
            if (count_lines_) lines_ += std::count(buffer_.data(), buffer_.data() + got, '\n');
            return true;
        } catch (const ScriptError& error) {
            fail(error);
        }
    }

    /// Ends the COPY: the rows copied.
    long long finish() {
        try {
            return session_.end_copy();
        } catch (const ScriptError& error) {
            fail(error);
        }
    }

    std::size_t bytes_read() const { return source_->raw_bytes_read(); }
    long long lines_sent() const { return lines_; }
    Session& session() const { return session_; }

private:
    /// A failure of the COPY statement itself (no line of data): line 1 for a whole file.
    std::size_t statement_line() const { return first_line_ <= 2 ? 1 : first_line_; }

    [[noreturn]] void fail(const ScriptError& error) const {
        const auto at = copy_line(error.context);
        fail_at(error, file_.path, at ? first_line_ + *at - 1 : statement_line());
    }

    Session& session_;
    const SeedFile& file_;
    std::unique_ptr<ByteSource> source_;
    std::vector<char> buffer_;
    std::size_t first_line_;
    bool count_lines_;
    long long lines_ = 0;
    CsvStream stream_;
};

void load_csv(Session& session, SeedFile& file, const Request& request, Progress& progress) {
    const CsvPlan plan = plan_csv(session, file, request);
    if (request.truncate) truncate_for(session, file, plan);
    CsvLoad load(session, file, plan, open_byte_source(file.path), plan.body_offset,
                 plan.body_line, progress.enabled());  // counting rows costs a pass: only when shown
    while (load.pump()) progress.update(load.bytes_read(), load.lines_sent());
    file.rows += load.finish();
    file.statements = 1;
}

// ---------------------------------------------------------------- --jobs

/// A part of a CSV file split over connections: bytes [begin, end), starting at file line
/// `first_line`.
struct Part {
    std::size_t begin, end, first_line;
};

/// Splits a plain CSV file's data into up to `count` parts of about equal size, each starting
/// at the beginning of a row. Inside a quoted field is the parity of the double quotes seen
/// since the data began (COPY's own rule), so a line break inside a field is never a cut.
std::vector<Part> split_rows(const SeedFile& file, const CsvPlan& plan, std::size_t size,
                             std::size_t count) {
    std::vector<Part> parts{{plan.body_offset, size, plan.body_line}};
    if (count < 2 || size <= plan.body_offset) return parts;
    const std::size_t step = (size - plan.body_offset) / count;
    auto source = open_byte_range(file.path, plan.body_offset, size);
    std::vector<char> buffer(LineReader::chunk_size);
    std::size_t position = plan.body_offset, quotes = 0, lines = 0;
    std::size_t target = plan.body_offset + step;
    bool seeking = false;  // past the target: cut at the next line end outside quotes
    while (parts.size() < count) {
        const std::size_t got = source->read(buffer.data(), buffer.size());
        if (got == 0) break;
        const char* data = buffer.data();
        std::size_t at = 0;
        while (at < got && parts.size() < count) {
            if (!seeking) {
                const std::size_t upto = std::min(got, at + (target > position + at ? target - (position + at) : 0));
                quotes += static_cast<std::size_t>(std::count(data + at, data + upto, '"'));
                lines += static_cast<std::size_t>(std::count(data + at, data + upto, '\n'));
                at = upto;
                if (position + at >= target) seeking = true;
                continue;
            }
            const char c = data[at++];
            if (c == '"') {
                ++quotes;
            } else if (c == '\n') {
                ++lines;
                if (quotes % 2 == 0) {
                    const std::size_t cut = position + at;
                    if (cut >= size) break;
                    parts.back().end = cut;
                    parts.push_back({cut, size, plan.body_line + lines});
                    target = cut + step;
                    seeking = false;
                }
            }
        }
        position += got;
    }
    return parts;
}

/// --jobs N with --per-file: CSV files load over N connections at once, each file in its own
/// transaction. A big plain file (without --truncate, which must empty and fill a table in one
/// transaction) is split at row boundaries into one part per connection; its parts commit
/// together once all have loaded, so a failure in any part leaves nothing of the file.
class ParallelCsv {
public:
    ParallelCsv(Connector& connector, std::string dbname, Session& first, std::size_t jobs,
                const Request& request)
        : connector_(connector), dbname_(std::move(dbname)), request_(request), jobs_(jobs) {
        sessions_.push_back(&first);
    }

    /// Loads consecutive CSV files; on a failure, the error's detail says which files (or
    /// which lines of a split file) were committed.
    void load(const std::vector<SeedFile*>& files) {
        try {
            run(files);
        } catch (Error& error) {
            std::string detail = error.detail();
            if (!detail.empty()) detail += "\n";
            detail += committed_.empty()
                          ? "Nothing was committed by the files loading in parallel with it."
                          : "Committed: " + join(committed_) + ".";
            error.set_detail(detail);
            throw;
        }
    }

    /// Files this size and up (plain, without --truncate) are split over the connections.
    static constexpr std::size_t split_from = 16 * 1024 * 1024;

private:
    struct Slot {
        Session* session = nullptr;
        std::unique_ptr<CsvLoad> load;
        SeedFile* file = nullptr;
        const Part* part = nullptr;  ///< for a split file
        bool waiting = false;        ///< a part loaded, its transaction open until all have
        Clock::time_point started;
    };
    struct Split {
        SeedFile* file = nullptr;
        CsvPlan plan;
        std::vector<Part> parts;
        std::size_t loaded = 0;
        long long rows = 0;
    };

    static std::string join(const std::vector<std::string>& items) {
        std::string out;
        for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
        return out;
    }

    Session& session(std::size_t index) {
        while (sessions_.size() <= index) {
            owned_.push_back(std::make_unique<Session>(
                connector_.connect(dbname_, /*secure_search_path=*/false)));
            sessions_.push_back(owned_.back().get());
        }
        return *sessions_[index];
    }

    std::size_t size_of(const SeedFile& file) const {
        struct stat status {};
        return ::stat(file.path.c_str(), &status) == 0 ? static_cast<std::size_t>(status.st_size) : 0;
    }

    bool splittable(const SeedFile& file) const {
        return jobs_ > 1 && !request_.truncate && compression_of(file.path) == Compression::none &&
               size_of(file) >= split_from;
    }

    void start_whole(Slot& slot, SeedFile& file) {
        Session& on = *slot.session;
        on.run("BEGIN");
        const CsvPlan plan = plan_csv(on, file, request_);
        if (request_.truncate) truncate_for(on, file, plan);
        slot.file = &file;
        slot.part = nullptr;
        slot.started = Clock::now();
        slot.load = std::make_unique<CsvLoad>(on, file, plan, open_byte_source(file.path),
                                              plan.body_offset, plan.body_line, false);
    }

    void start_split(SeedFile& file) {
        split_ = Split{};
        split_.file = &file;
        split_.plan = plan_csv(*slots_[0].session, file, request_);
        split_.parts = split_rows(file, split_.plan, size_of(file), slots_.size());
        for (std::size_t i = 0; i < split_.parts.size(); ++i) {
            Slot& slot = slots_[i];
            const Part& part = split_.parts[i];
            slot.session->run("BEGIN");
            slot.file = &file;
            slot.part = &part;
            slot.started = Clock::now();
            slot.load = std::make_unique<CsvLoad>(*slot.session, file, split_.plan,
                                                  open_byte_range(file.path, part.begin, part.end),
                                                  0, part.first_line, false);
        }
    }

    /// The file's deferred constraints checked and its settings reset, as in the serial load.
    void end_file_work(Session& on, const SeedFile& file) {
        try {
            on.run("SET CONSTRAINTS ALL IMMEDIATE");
        } catch (const SqlError& error) {
            fail_at(error, file.path, 0);
        }
        on.reset_all();
    }

    void complete(Slot& slot) {
        SeedFile& file = *slot.file;
        const long long rows = slot.load->finish();
        slot.load.reset();
        end_file_work(*slot.session, file);
        if (slot.part == nullptr) {
            slot.session->run("COMMIT");
            file.rows += rows;
            file.statements = 1;
            file.action = "applied";
            file.seconds = std::chrono::duration<double>(Clock::now() - slot.started).count();
            committed_.push_back(file.path);
            slot.file = nullptr;
            return;
        }
        slot.waiting = true;
        split_.rows += rows;
        if (++split_.loaded < split_.parts.size()) return;
        // Every part loaded: commit them one after another. Only a failure between these
        // commits (the server gone) can leave part of the file in.
        std::vector<std::string> lines_in;
        for (auto& holder : slots_) {
            if (!holder.waiting) continue;
            const Part& part = *holder.part;
            try {
                holder.session->run("COMMIT");
            } catch (Error& error) {
                error.set_detail(
                    lines_in.empty()
                        ? fmt::format("Nothing of {} was committed.", file.path)
                        : fmt::format("Of {}, lines {} were committed; the rest was not.",
                                      file.path, join(lines_in)));
                throw;
            }
            const std::size_t index = static_cast<std::size_t>(&part - split_.parts.data());
            lines_in.push_back(index + 1 == split_.parts.size()
                                   ? fmt::format("{} to the end", part.first_line)
                                   : fmt::format("{}-{}", part.first_line,
                                                 split_.parts[index + 1].first_line - 1));
            holder.waiting = false;
            holder.file = nullptr;
            holder.part = nullptr;
        }
        file.rows += split_.rows;
        file.statements = static_cast<long long>(split_.parts.size());
        file.action = "applied";
        file.seconds = std::chrono::duration<double>(Clock::now() - slot.started).count();
        committed_.push_back(file.path);
    }

    void run(const std::vector<SeedFile*>& files) {
        const bool any_split = std::any_of(files.begin(), files.end(),
                                           [&](const SeedFile* file) { return splittable(*file); });
        const std::size_t connections = any_split ? jobs_ : std::min(jobs_, files.size());
        slots_.clear();
        slots_.resize(connections);
        for (std::size_t i = 0; i < connections; ++i) slots_[i].session = &session(i);
        auto idle = [](const Slot& slot) { return slot.file == nullptr; };
        std::size_t next = 0;
        while (true) {
            while (next < files.size()) {
                SeedFile& file = *files[next];
                if (splittable(file)) {
                    if (!std::all_of(slots_.begin(), slots_.end(), idle)) break;
                    start_split(file);
                    ++next;
                    continue;
                }
                const auto free = std::find_if(slots_.begin(), slots_.end(), idle);
                if (free == slots_.end()) break;
                start_whole(*free, file);
                ++next;
            }
            bool busy = false;
            for (auto& slot : slots_) {
                if (slot.file == nullptr || slot.waiting) continue;
                busy = true;
                if (!slot.load->pump()) complete(slot);
            }
            if (!busy && next == files.size()) break;
        }
    }

    Connector& connector_;
    std::string dbname_;
    const Request& request_;
    std::size_t jobs_;
    std::vector<Session*> sessions_;
    std::vector<std::unique_ptr<Session>> owned_;
    std::vector<Slot> slots_;
    Split split_;
    std::vector<std::string> committed_;
};

// ---------------------------------------------------------------- --once

struct History {
    std::string table;  ///< quoted
    std::map<std::string, std::string> recorded;  ///< path -> sha256
};

History open_history(Session& session, const Request& request) {
    History history;
    // Unqualified means public: one table, one lock key, however it is spelled.
    TableName table = TableName::parse(request.history_table.value_or("public.pg_seed_history"));
    if (!table.schema) table.schema = "public";
    const std::string name = table.text();
    history.table = quoted(table, session);
    // Concurrent runs (parallel CI jobs) take turns: the lock lasts until the transaction ends.
    session.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext($1))",
                  {"pg-seed " + name});
    session.run("CREATE TABLE IF NOT EXISTS " + history.table +
                " (path text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL "
                "DEFAULT pg_catalog.now(), rows bigint NOT NULL)");
    const Result rows = session.query("SELECT path, sha256 FROM " + history.table);
    for (int row = 0; row < rows.rows(); ++row) {
        history.recorded[std::string(rows.text(row, 0))] = std::string(rows.text(row, 1));
    }
    return history;
}

void record(Session& session, const History& history, const SeedFile& file) {
    session.query("INSERT INTO " + history.table +
                      " (path, sha256, rows) VALUES ($1, $2, $3) ON CONFLICT (path) DO UPDATE SET "
                      "sha256 = EXCLUDED.sha256, rows = EXCLUDED.rows, applied_at = pg_catalog.now()",
                  {file.recorded, file.checksum, std::to_string(file.rows)});
}

/// Marks a recorded file as skipped; refuses (exit 5) when it has changed.
void decide_once(SeedFile& file, const History& history, bool reapply_changed) {
    const auto found = history.recorded.find(file.recorded);
    if (found == history.recorded.end()) return;
    if (found->second == file.checksum) {
        file.action = "skipped";
    } else if (!reapply_changed) {
        throw Error(Exit::conflict, fmt::format("\"{}\" has changed since it was applied", file.path),
                    fmt::format("Its SHA-256 was {}, it is now {}.", found->second, file.checksum),
                    "Applied seed files are not edited: add a new file, or pass "
                    "--reapply-changed to apply it again.");
    }
}

// ---------------------------------------------------------------- the run

Outcome report(const std::vector<SeedFile>& files, bool dry_run, double seconds) {
    long long statements = 0, rows = 0;
    int applied = 0, skipped = 0;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& file : files) {
        statements += file.statements;
        rows += file.rows;
        (file.action == "skipped" ? skipped : applied) += 1;
        nlohmann::json item = {{"path", file.path}, {"recorded_as", file.recorded},
                               {"kind", file.kind == Kind::sql ? "sql" : "csv"},
                               {"action", file.action}, {"statements", file.statements},
                               {"rows", file.rows}, {"seconds", file.seconds}};
        if (!file.table.empty()) item["table"] = file.table;
        if (!file.checksum.empty()) item["sha256"] = file.checksum;
        list.push_back(std::move(item));
    }
    Outcome outcome;
    if (applied == 0 && skipped > 0) {
        outcome.text = fmt::format("nothing to seed: {} file{} already applied", skipped,
                                   skipped == 1 ? "" : "s");
    } else {
    outcome.text = fmt::format("{} {} file{}{}: {} statement{}, {} row{} in {:.2f} s{}",
                               dry_run ? "checked" : "seeded", applied, applied == 1 ? "" : "s",
                               skipped > 0 ? fmt::format(" ({} already applied)", skipped) : "",
                               statements, statements == 1 ? "" : "s", rows, rows == 1 ? "" : "s",
                               seconds, dry_run ? " (rolled back: --dry-run)" : "");
    }
    outcome.json = {{"files", list}, {"statements", statements}, {"rows", rows},
                    {"seconds", seconds}, {"dry_run", dry_run}};
    return outcome;
}

Outcome seed(Tool& tool, Request& request) {
    if (request.paths.empty()) throw UsageError("no file or directory to load");
    if (request.reapply_changed && !request.once) throw UsageError("--reapply-changed needs --once");
    if (request.history_table && !request.once) throw UsageError("--history-table needs --once");
    if (request.jobs > 1 && !request.per_file) {
        throw UsageError("--jobs needs --per-file",
                         "One transaction is one connection: loading over several connections "
                         "commits file by file (--per-file), so ask for that.");
    }
    if (request.jobs > 1 && request.once) {
        throw UsageError("--jobs cannot be combined with --once",
                         "--once records each file in the transaction that loads it, one file "
                         "at a time; load the big files without --once.");
    }
    std::vector<std::string> warnings;
    std::vector<SeedFile> files = collect_inputs(request.paths, warnings);
    for (const auto& warning : warnings) tool.warn(warning);
    if (request.table) TableName::parse(*request.table).check("table name");
    if (request.history_table) TableName::parse(*request.history_table).check("history table name");
    if (request.table &&
        (files.size() != 1 || files.front().kind == Kind::sql)) {
        throw UsageError("--table names the target of a single CSV or TSV file");
    }
    if (!request.table) {
        // The table a CSV file names must be a whole name: never cut short by the server.
        for (const auto& file : files) {
            if (file.kind == Kind::sql) continue;
            const auto table = table_of_file(file.recorded);
            try {
                if (!table) throw UsageError("it names no table");
                table->check("table name");
            } catch (const UsageError& error) {
                throw Error(Exit::bad_input,
                            fmt::format("\"{}\": no table to load it into: {}", file.path, error.what()),
                            {}, "Name CSV files after their table (020_users.csv loads into "
                                "users), or give --table for a single file.");
            }
        }
    }
    if (request.once) {
        std::map<std::string, std::string> seen;
        for (const auto& file : files) {
            const auto [at, fresh] = seen.emplace(file.recorded, file.path);
            if (!fresh) {
                throw UsageError(fmt::format("\"{}\" and \"{}\" would be recorded under one name, "
                                             "\"{}\"", at->second, file.path, file.recorded),
                                 "With --once, give files whose names differ.");
            }
        }
    }
    // Read through first where files commit one by one, or where the checksum needs reading
    // anyway (--once); else SQL files are checked as they load.
    const bool check_first = (request.per_file && !tool.behaviour().dry_run) || request.once;
    for (auto& file : files) check_file(file, request.once, check_first);

    const auto started = Clock::now();
    // One connector for every connection: a password typed at the prompt is asked once.
    Connector connector = tool.connector();
    Session session = connector.connect(tool.connection_options().dbname.value_or(""),
                                        /*secure_search_path=*/false);
    const bool dry_run = session.options().dry_run;
    std::optional<History> history;
    auto begin = [&] {
        session.run("BEGIN");
        if (request.once) history = open_history(session, request);
    };
    auto finish = [&] { session.run(dry_run ? "ROLLBACK" : "COMMIT"); };

    Progress progress(request.progress ||
                      (::isatty(STDERR_FILENO) == 1 && !tool.behaviour().quiet));
    // --dry-run validates in one transaction even with --per-file, so that a later file sees
    // what an earlier one made; it is all rolled back.
    const bool per_file = request.per_file && !dry_run;
    if (!per_file) begin();
    if (request.once) {
        if (per_file) begin();
        for (auto& file : files) decide_once(file, *history, request.reapply_changed);
        if (per_file) finish();
    }
    std::optional<ParallelCsv> parallel;
    if (per_file && request.jobs > 1) {
        parallel.emplace(connector, tool.connection_options().dbname.value_or(""), session,
                         request.jobs, request);
    }
    std::size_t index = 0;
    for (std::size_t at = 0; at < files.size(); ++at) {
        auto& file = files[at];
        ++index;
        if (file.action == "skipped") continue;
        if (parallel && file.kind != Kind::sql) {
            // The CSV files up to the next SQL file load at once (an SQL file may make the
            // tables of the CSV files after it).
            std::vector<SeedFile*> group;
            while (at < files.size() && files[at].kind != Kind::sql) group.push_back(&files[at++]);
            --at;
            index += group.size() - 1;
            parallel->load(group);
            continue;
        }
        if (per_file) {
            begin();
            if (request.once) {
                // Another run may have applied it since the start: decide again, under the lock.
                decide_once(file, *history, request.reapply_changed);
                if (file.action == "skipped") {
                    finish();
                    continue;
                }
            }
        }
        const auto file_started = Clock::now();
        progress.begin(file, index, files.size());
        try {
            if (file.kind == Kind::sql) {
                load_sql(session, file, progress);
            } else {
                load_csv(session, file, request, progress);
            }
        } catch (...) {
            progress.end();
            throw;
        }
        progress.end();
        // Deferred constraints are checked now, so that a failure names this file; then the
        // file's SET commands end with it, as they would with psql -f file by file.
        try {
            session.run("SET CONSTRAINTS ALL IMMEDIATE");
        } catch (const SqlError& error) {
            fail_at(error, file.path, 0);
        }
        session.reset_all();
        if (request.once) record(session, *history, file);
        if (per_file) finish();
        file.seconds = std::chrono::duration<double>(Clock::now() - file_started).count();
        file.action = dry_run ? "checked" : "applied";
    }
    if (!per_file) finish();
    return report(files, dry_run, std::chrono::duration<double>(Clock::now() - started).count());
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-seed",
               .purpose = "pg-seed loads SQL, pg_dump and CSV files into a PostgreSQL database.",
               .usage = {"pg-seed [OPTION]... PATH..."},
               .closing = "By default, all files load in one transaction: all or nothing. A "
                          "directory's files\nload in name order; *.sql runs as psql -f would, "
                          "*.csv and *.tsv load with COPY\ninto the table the file is named "
                          "after (020_users.csv -> users).",
               .database_option = DatabaseOption::dbname});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("--table", request.table, "target table of a single CSV file")
        ->type_name("NAME");
    app.add_flag("--no-header", request.no_header,
                 "CSV files have no header line; load columns in table order");
    app.add_flag("--truncate", request.truncate, "empty each CSV target table first");
    app.add_flag("--per-file", request.per_file, "commit after each file instead of once");
    app.add_option("-j,--jobs", request.jobs,
                   "with --per-file, load CSV files over N connections at once")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}).description(""));
    app.add_flag("--once", request.once, "record applied files and skip them next time");
    app.add_option("--history-table", request.history_table,
                   "where --once records files (default public.pg_seed_history)")
        ->type_name("NAME");
    app.add_flag("--reapply-changed", request.reapply_changed,
                 "with --once, apply a changed file again instead of failing");
    app.add_flag("--progress", request.progress,
                 "show progress on stderr even when it is not a terminal");
    app.add_option("paths", request.paths)->group("");
    return tool.run(argc, argv, [&]() -> Outcome { return seed(tool, request); });
}

#pragma once
/// The files a run loads: found from the PATHs given, checked before anything is sent, and
/// what happened to each.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "tools/pg-seed/seed_input.hpp"

namespace pgkit {

/// What a run did with a file.
enum class FileAction { pending, skipped, checked, applied };

/// "pending", "skipped" (--once: applied before), "checked" (--dry-run), "applied".
std::string_view file_action_name(FileAction action);

struct SeedFile {
    std::string path;      ///< as opened
    std::string recorded;  ///< relative to the PATH given: the history's key
    Kind kind = Kind::sql;
    std::string checksum;  ///< SHA-256 of the content with CRLF read as LF (--once)
    // What happened to it:
    FileAction action = FileAction::pending;
    long long statements = 0, rows = 0;
    double seconds = 0;
    std::string table;  ///< CSV target
    /// SQL: the line of its "-- transaction: false" marker (0: none): with --per-file it runs
    /// outside any transaction, each statement committing on its own.
    std::size_t no_transaction_line = 0;
};

/// A file's work is done: what was done, and how long it took since `started`.
void mark_done(SeedFile& file, FileAction action, std::chrono::steady_clock::time_point started);

/// A file's size on disk, 0 when it cannot be read.
std::size_t file_size(const std::string& path);

/// Files of every PATH: a directory's files in byte order (not recursive, hidden ones
/// skipped), other kinds skipped with a warning. Throws Error (exit 6) for a PATH that is
/// missing or unreadable, or a file named as no kind pg-seed loads.
std::vector<SeedFile> collect_inputs(const std::vector<std::string>& paths,
                                     std::vector<std::string>& warnings);

/// Reads a file through before anything is sent: for the checksum --once needs
/// (`want_checksum`), and with `check_sql`, every SQL statement's checks (SqlChecks), so that
/// a broken later file stops a run before an earlier one commits.
void check_file(SeedFile& file, bool want_checksum, bool check_sql);

/// The line of an SQL file's "-- transaction: false" marker, or 0: a comment line of its own
/// among the comments and blank lines before the first statement (letter case and spaces
/// aside), as migration tools mark such files.
std::size_t transaction_false_line(const std::string& path);

}  // namespace pgkit

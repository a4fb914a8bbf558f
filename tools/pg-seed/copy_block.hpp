#pragma once
/// COPY ... FROM stdin blocks of SQL files in CSV format: where a failed row is in the file.
/// The server counts the first line of COPY data as one line even when a quoted field runs over
/// several (it learns how lines end only at the end of the first one), so a row after a first
/// record of three lines is reported two lines early. These find the block's quoting and count
/// its first record's lines, so that the file's own line is named.

#include <cstddef>
#include <optional>
#include <string>

namespace pgkit {

/// The quote and escape characters of CSV data.
struct CsvQuoting {
    char quote = '"';
    char escape = '"';
};

/// The quoting of a COPY statement's CSV data (FORMAT csv, or the old CSV keyword, with QUOTE
/// and ESCAPE), or nothing when its data is not CSV.
std::optional<CsvQuoting> csv_quoting_of(const std::string& copy_statement);

/// Counts the lines of the first record of CSV data fed to it in pieces.
class FirstRecordLines {
public:
    explicit FirstRecordLines(CsvQuoting quoting) : quoting_(quoting) {}

    void feed(const char* data, std::size_t size);
    /// The lines the first record takes beyond those the server counts in it (1 until more is
    /// known): the server, not knowing yet how lines end, counts a carriage return inside its
    /// quotes as a line, so a CRLF file's lines are counted already and an LF file's are not.
    std::size_t lines() const { return 1 + (newlines_ > returns_ ? newlines_ - returns_ : 0); }

private:
    CsvQuoting quoting_;
    bool done_ = false, in_quote_ = false, after_escape_ = false;
    std::size_t newlines_ = 0, returns_ = 0;
};

/// The line of COPY data (1-based) that the server's `reported` line is: later lines by as many
/// as the first record had beyond its first.
inline std::size_t data_line(std::size_t reported, std::size_t first_record_lines) {
    return reported + first_record_lines - 1;
}

}  // namespace pgkit

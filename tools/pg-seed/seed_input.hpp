#pragma once
/// pg-seed's rules for what a file is and what a CSV file loads into: the kind a file name
/// says, the table it names, and the column names of a CSV header line. Kept apart from the
/// tool so that they can be tested and fuzzed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

enum class Kind { sql, csv, tsv };

/// The kind a file name says: *.sql, *.csv or *.tsv, optionally compressed (.gz, .xz, .zst),
/// with something before the suffix; nothing for any other name.
std::optional<Kind> kind_of(std::string_view file_name);

/// A table name as pg-seed takes it: "table" or "schema.table", split at the first dot.
struct TableName {
    std::optional<std::string> schema;
    std::string name;

    static TableName parse(std::string_view text);
    /// Throws UsageError for a part that is empty or over PostgreSQL's 63 bytes.
    void check(const char* what) const;
    /// "schema.name" or "name", as given.
    std::string text() const;
};

/// The table a CSV or TSV file loads into, from its name as recorded (no directory):
/// a compression suffix (.gz, .xz, .zst) and then ".csv" or ".tsv" come off, then a leading
/// order number with "_" or "-" after it: "020_users.csv" -> users,
/// "sales.orders.csv.gz" -> sales.orders. The name must end in .csv or .tsv (optionally
/// compressed); std::nullopt when it does not, or when nothing is left of it.
std::optional<TableName> table_of_file(std::string_view file_name);

/// The column names of a CSV header line (the line without its "\n"), with CSV quoting:
/// fields split at `delimiter` outside double quotes, "" inside quotes is one quote, and a
/// "\r" outside quotes is dropped.
std::vector<std::string> parse_csv_header(std::string_view line, char delimiter);

}  // namespace pgkit

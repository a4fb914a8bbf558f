#pragma once
/// INSERT folding: a run of INSERT statements into one table, with the same column list and
/// nothing but constants in their VALUES, sent as one multi-row INSERT. The server coerces
/// each row of a multi-row VALUES to the target columns one by one, exactly as it does the row
/// of a single-row INSERT, and fires row triggers per row either way; what differs is per
/// statement (statement triggers, rules, transition tables, when AFTER ROW triggers and
/// foreign-key checks run, what a function called from a default sees). So a run is folded
/// only into a table that has none of those (fold_check_query), and the folded statement runs
/// under a savepoint: when it fails, it is rolled back and the run's statements are sent as
/// they are, so that the error, its file and line are the ones they give.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

/// A foldable INSERT, as written: `header` is its text from INSERT up to and including the
/// VALUES keyword (the target and column list, OVERRIDING ... VALUE); `rows` each row's text,
/// "(" to ")", as in the file; `width` the values per row.
struct InsertShape {
    std::string_view header;
    std::string_view target;  ///< the table's name as written: `public.items`, `"My T"`
    std::vector<std::string_view> rows;
    std::size_t width = 0;
    bool any_default = false;  ///< a DEFAULT among the values
};

/// The shape of `statement` when it is `INSERT INTO name [(columns)] [OVERRIDING {SYSTEM |
/// USER} VALUE] VALUES (...)[, (...)]...;` whose values are only constants: string literals
/// ('...', E'...'), numbers (with a sign), NULL, TRUE, FALSE and DEFAULT. Nothing for
/// anything else (a cast, a function call, a subquery, a comment inside, RETURNING, ON
/// CONFLICT, WITH, a row of another width...), which is sent as it is. The text must be read
/// with standard strings and an encoding without ASCII trail bytes (TextReading::plain_bytes).
std::optional<InsertShape> parse_insert(std::string_view statement);

/// Rows a multi-row INSERT holds at most, and its statements' size: the rest starts another.
inline constexpr std::size_t fold_max_rows = 1000;
inline constexpr std::size_t fold_max_bytes = 1024 * 1024;
/// The same for a run that goes as COPY (the server keeps no statement of it in memory; the
/// client keeps the statements until the COPY ends, to send them as written should it fail).
inline constexpr std::size_t copy_max_rows = 10000;
inline constexpr std::size_t copy_max_bytes = 8 * 1024 * 1024;

/// The multi-row INSERT of a run: the header, then every row.
std::string folded_statement(std::string_view header, const std::vector<std::string>& rows);

/// What a header says of the columns the run fills.
struct Header {
    std::string target;                ///< the table's name as written
    std::optional<std::string> list;   ///< the column list as written, "(a, b)"; none: all
    std::vector<std::string> columns;  ///< the list's names as the catalog has them
    enum class Overriding { none, system, user } overriding = Overriding::none;
};

/// The parts of a header parse_insert took; nothing for a name over 63 bytes in the column
/// list (the server would cut it).
std::optional<Header> parse_header(std::string_view header);

/// The COPY of a header with a column list: COPY t (a, b) FROM STDIN, the names as written.
std::string copy_statement(const Header& header);

/// What the catalog says of a column, for COPY to read a value as INSERT does.
struct ColumnType {
    bool integer = false;  ///< int2, int4, int8: an integer goes as it is (not 2.5: INSERT rounds)
    bool number = false;   ///< numeric, float4, float8: a number goes as it is
    bool boolean = false;  ///< bool: TRUE and FALSE go as true and false
};

/// One row of a run (as parse_insert gave it) as a line of COPY's text format, when COPY reads
/// every value into its column as the INSERT would: a '...' string (its text, escaped for COPY:
/// the column's input function reads it either way), NULL, a number into a number column,
/// TRUE or FALSE into a bool column. Nothing otherwise (an E'' string, DEFAULT, a number into
/// text, which INSERT would write as the number's canonical text): the run goes as VALUES.
std::optional<std::string> copy_line(std::string_view row, const std::vector<ColumnType>& columns);

/// A query ($1: the target's name as written) that answers one row: whether a run of INSERTs
/// into that table may be folded (a boolean), and its columns in order as a JSON array of
/// {"name", "type": integer|number|boolean|other, "identity": ""|"a"|"d", "sequence": whether
/// its default or identity takes values from a sequence}. It resolves the name as the INSERT would (the
/// session's search_path) and requires an ordinary or partitioned table whose partitions are
/// all ordinary tables, and, on it and every partition: no trigger but foreign-key checks
/// towards other tables, no rule, no row-level security, and no default, check constraint
/// or domain of a column that calls a function of the database's own (not built in).
std::string_view fold_check_query();

}  // namespace pgkit

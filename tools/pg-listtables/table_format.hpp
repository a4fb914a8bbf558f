#pragma once
/// Listings for people and for programs: psql's aligned table, and RFC 4180 CSV.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

struct Table {
    std::vector<std::string> headers;
    std::vector<bool> right_aligned;  ///< per column; numbers are, as in psql
    std::vector<std::vector<std::optional<std::string>>> rows;
};

/// psql's aligned format: centred title and headers, a rule, rows, then "(N rows)".
std::string format_aligned(const Table& table, std::string_view title);

/// A header line, then one line per row; fields quoted only when they must be (a comma, a
/// double quote, CR or LF), NULL as an empty field. Lines end in LF, as with psql's --csv
/// (RFC 4180 allows it; readers accept both).
std::string format_csv(const Table& table);

/// Columns a UTF-8 string takes on a terminal: one per character, none for combining marks,
/// two for East Asian wide characters.
std::size_t display_width(std::string_view text);

}  // namespace pgkit

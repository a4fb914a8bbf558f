#include "tools/pg-listtables/table_format.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.hpp"

namespace pgkit {
namespace {

int code_point_width(char32_t c) {
    if (c == 0) return 0;
    if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f)) {
        return 0;  // combining marks, zero-width spaces, variation selectors
    }
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
        (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd)) {
        return 2;
    }
    return 1;
}

std::string centre(std::string_view text, std::size_t width) {
    const std::size_t used = display_width(text);
    const std::size_t spare = width > used ? width - used : 0;
    return std::string(spare / 2, ' ') + std::string(text) + std::string(spare - spare / 2, ' ');
}

/// One display line of a cell, as psql prints it, and the columns it takes.
struct CellLine {
    std::string text;
    std::size_t width = 0;
};

/// A value as psql's aligned format shows it (pg_wcsformat): a line per '\n', CR as "\r",
/// a tab as spaces to the next multiple of 8, other control characters as \xHH (ASCII) or
/// \uHHHH (C1, in UTF-8).
std::vector<CellLine> cell_lines(std::string_view value) {
    std::vector<CellLine> lines(1);
    for (std::size_t at = 0; at < value.size();) {
        const std::size_t start = at;
        const char32_t c = next_code_point(value, at);
        CellLine& line = lines.back();
        if (c == '\n') {
            lines.emplace_back();
        } else if (c == '\r') {
            line.text += "\\r";
            line.width += 2;
        } else if (c == '\t') {
            do {
                line.text += ' ';
                ++line.width;
            } while (line.width % 8 != 0);
        } else if (c < 0x20 || c == 0x7f) {
            line.text += fmt::format("\\x{:02X}", static_cast<unsigned>(c));
            line.width += 4;
        } else if (c >= 0x80 && c < 0xa0) {
            line.text += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
            line.width += 6;
        } else {
            line.text.append(value.substr(start, at - start));
            line.width += static_cast<std::size_t>(code_point_width(c));
        }
    }
    return lines;
}

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
    std::string quoted = "\"";
    for (const char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

}  // namespace

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t at = 0; at < text.size();) {
        width += static_cast<std::size_t>(code_point_width(next_code_point(text, at)));
    }
    return width;
}

namespace {

/// True when a value shows as it is, on one line (the usual case, taken without splitting).
bool shows_as_is(std::string_view value) {
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto byte = static_cast<unsigned char>(value[i]);
        if (byte < 0x20 || byte == 0x7f) return false;
        if (byte == 0xc2 && i + 1 < value.size() &&
            static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(value[i + 1]) < 0xa0) {
            return false;  // a C1 control character
        }
    }
    return true;
}

std::string_view text_of(const std::optional<std::string>& value) {
    return value ? std::string_view(*value) : std::string_view();
}

std::vector<CellLine> lines_of(std::string_view value) {
    if (shows_as_is(value)) return {CellLine{std::string(value), display_width(value)}};
    return cell_lines(value);
}

/// The columns the widest line of a value takes.
std::size_t widest_line(std::string_view value) {
    if (shows_as_is(value)) return display_width(value);
    std::size_t width = 0;
    for (const CellLine& line : cell_lines(value)) width = std::max(width, line.width);
    return width;
}

}  // namespace

std::string format_aligned(const Table& table, std::string_view title) {
    const std::size_t columns = table.headers.size();
    std::vector<std::size_t> widths(columns);
    for (std::size_t c = 0; c < columns; ++c) widths[c] = display_width(table.headers[c]);
    for (const auto& row : table.rows) {
        for (std::size_t c = 0; c < columns; ++c) {
            widths[c] = std::max(widths[c], widest_line(text_of(row[c])));
        }
    }
    std::size_t total = 0;
    for (const std::size_t width : widths) total += width + 3;
    total = total > 0 ? total - 1 : 0;

    std::string out;
    if (!title.empty()) {
        const std::size_t used = display_width(title);
        out += std::string(total > used ? (total - used) / 2 : 0, ' ') + std::string(title) + "\n";
    }
    std::string rule;
    for (std::size_t c = 0; c < columns; ++c) {
        out += (c == 0 ? " " : " | ") + centre(table.headers[c], widths[c]);
        rule += (c == 0 ? "" : "+") + std::string(widths[c] + 2, '-');
    }
    out += " \n" + rule + "\n";
    // A row takes as many lines as its tallest cell. A cell that goes on below ends its line
    // with '+' where the space before the next '|' would be, as in psql; the last column is
    // padded only then, and a right-aligned one always.
    std::vector<std::vector<CellLine>> row(columns);
    for (const auto& values : table.rows) {
        for (std::size_t c = 0; c < columns; ++c) {
            row[c] = lines_of(text_of(values[c]));
        }
        std::size_t height = 1;
        for (const auto& cell : row) height = std::max(height, cell.size());
        for (std::size_t k = 0; k < height; ++k) {
            for (std::size_t c = 0; c < columns; ++c) {
                const bool last = c + 1 == columns;
                const bool right = c < table.right_aligned.size() && table.right_aligned[c];
                const bool more = k + 1 < row[c].size();
                out += ' ';
                if (k < row[c].size()) {
                    const CellLine& line = row[c][k];
                    const std::string fill(widths[c] - line.width, ' ');
                    if (right) {
                        out += fill + line.text;
                    } else {
                        out += line.text;
                        if (!last || more) out += fill;
                    }
                } else if (!last) {
                    out += std::string(widths[c], ' ');
                }
                if (more) {
                    out += '+';
                } else if (!last) {
                    out += ' ';
                }
                if (!last) out += '|';
            }
            out += '\n';
        }
    }
    out += fmt::format("({} {})\n\n", table.rows.size(), table.rows.size() == 1 ? "row" : "rows");
    return out;
}

std::string format_csv(const Table& table) {
    std::string out;
    for (std::size_t c = 0; c < table.headers.size(); ++c) {
        out += (c == 0 ? "" : ",") + csv_field(table.headers[c]);
    }
    out += "\n";
    for (const auto& row : table.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            out += (c == 0 ? "" : ",") + (row[c] ? csv_field(*row[c]) : std::string());
        }
        out += "\n";
    }
    return out;
}

}  // namespace pgkit

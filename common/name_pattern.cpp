#include "common/name_pattern.hpp"

#include <fmt/format.h>

#include <vector>

#include "common/errors.hpp"

namespace pgkit {
namespace {

struct Part {
    std::string regex;
    std::string literal;  ///< the part as typed, quotes removed (for the database check)
    bool any = false;     ///< just "*": matches everything
    bool exact = true;    ///< no wildcard or regular-expression character outside quotes
};

/// Splits at dots outside quotes and translates each part.
std::vector<Part> split_and_translate(std::string_view pattern) {
    std::vector<Part> parts(1);
    bool in_quotes = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        Part& part = parts.back();
        if (c == '"') {
            if (in_quotes && i + 1 < pattern.size() && pattern[i + 1] == '"') {
                part.regex += '"';
                part.literal += '"';
                ++i;
            } else {
                in_quotes = !in_quotes;
            }
        } else if (!in_quotes && c == '*') {
            part.exact = false;
            part.regex += ".*";
            part.literal += c;
        } else if (!in_quotes && c == '?') {
            part.exact = false;
            part.regex += '.';
            part.literal += c;
        } else if (!in_quotes && c == '.') {
            parts.emplace_back();
        } else if (c == '$') {
            part.regex += "\\$";  // always literal, as in psql
            part.literal += c;
        } else {
            const bool special = std::string_view("|*+?()[]{}.^\\").find(c) != std::string_view::npos;
            if (!in_quotes && special) part.exact = false;
            if (in_quotes && special) {
                part.regex += '\\';
            } else if (!in_quotes && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ']') {
                part.regex += '\\';  // "[]" is an array type name, not a bracket expression
            }
            const char folded = (!in_quotes && c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
            part.regex += folded;
            part.literal += folded;
        }
    }
    for (Part& part : parts) {
        part.any = part.regex == ".*";
    }
    return parts;
}

std::optional<std::string> exact_name(const Part& part) {
    if (!part.exact) return std::nullopt;
    return part.literal;
}

std::optional<std::string> anchored(const Part& part) {
    if (part.any) return std::nullopt;
    return "^(" + part.regex + ")$";
}

std::vector<Part> split_single(std::string_view pattern, std::string_view what) {
    std::vector<Part> parts = split_and_translate(pattern);
    if (parts.size() != 1) {
        throw UsageError(fmt::format("improper {} pattern (a dot outside quotes): {}", what, pattern),
                         "Quote a name that contains a dot: '\"my.schema\"'.");
    }
    return parts;
}

}  // namespace

NamePattern parse_name_pattern(std::string_view pattern,
                               std::optional<std::string_view> current_database) {
    std::vector<Part> parts = split_and_translate(pattern);
    if (parts.size() > 3) {
        throw UsageError(fmt::format("improper qualified name (too many dotted names): {}", pattern));
    }
    if (parts.size() == 3) {
        if (current_database && parts.front().literal != *current_database) {
            throw UsageError(
                fmt::format("cross-database references are not implemented: {}", pattern),
                "Connect to that database with -d instead.");
        }
        parts.erase(parts.begin());
    }
    NamePattern result;
    if (parts.size() == 2) {
        result.schema_regex = anchored(parts[0]);
        // "schema." names the empty name, as in psql: it matches nothing ("schema.*" lists all).
        result.name_regex = anchored(parts[1]);
        result.schema_name = exact_name(parts[0]);
        result.has_schema_part = true;
        result.name = exact_name(parts[1]);
    } else {
        result.name_regex = anchored(parts[0]);
        result.name = exact_name(parts[0]);
    }
    return result;
}

std::string parse_single_pattern(std::string_view pattern, std::string_view what) {
    const std::vector<Part> parts = split_single(pattern, what);
    return anchored(parts[0]).value_or("^(.*)$");
}

std::optional<std::string> single_pattern_name(std::string_view pattern, std::string_view what) {
    return exact_name(split_single(pattern, what)[0]);
}


}  // namespace pgkit

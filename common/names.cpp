#include "common/names.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "common/errors.hpp"

extern "C" int pg_char_to_encoding(const char* name);  // exported by libpq, not declared

namespace pgkit {

void check_identifier(std::string_view what, std::string_view name) {
    if (name.empty()) {
        throw UsageError(fmt::format("{} must not be empty", what));
    }
    if (name.size() > max_identifier_bytes) {
        throw UsageError(fmt::format("{} \"{}\" is too long ({} bytes; the limit is {})", what,
                                     name, name.size(), max_identifier_bytes),
                         "PostgreSQL would silently truncate it; choose a shorter name.");
    }
    if (name.find('\0') != std::string_view::npos) {
        throw UsageError(fmt::format("{} must not contain a NUL byte", what));
    }
}

void check_port_list(std::string_view ports) {
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = ports.find(',', start);
        const std::string_view port = ports.substr(start, comma - start);
        if (!port.empty()) {
            int value = 0;
            const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
            if (error != std::errc{} || end != port.data() + port.size() || value < 1 ||
                value > 65535) {
                throw UsageError(fmt::format("invalid port \"{}\": must be 1 to 65535", port));
            }
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
}

void check_encoding_name(std::string_view encoding) {
    const std::string name{encoding};
    if (name.empty() || pg_char_to_encoding(name.c_str()) < 0) {
        throw UsageError(fmt::format("\"{}\" is not a valid encoding name", encoding),
                         "Use a name from SELECT pg_encoding_to_char(i) FROM "
                         "generate_series(0, 41) i, such as UTF8.");
    }
}

void check_argument_count(const std::vector<std::string>& arguments, std::size_t most) {
    if (arguments.size() > most) {
        throw UsageError(
            fmt::format("too many command-line arguments (first is \"{}\")", arguments[most]));
    }
}

void check_connection_limit(const std::optional<int>& limit) {
    if (limit && *limit < -1) {
        throw UsageError("connection limit must be -1 (no limit) or more");
    }
}

std::string default_name(std::initializer_list<const char*> variables, std::string_view what) {
    for (const char* variable : variables) {
        if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') {
            return value;
        }
    }
    if (const passwd* entry = getpwuid(geteuid()); entry != nullptr) {
        return entry->pw_name;
    }
    throw UsageError(
        fmt::format("could not determine the current user name; name the {}", what));
}

}  // namespace pgkit

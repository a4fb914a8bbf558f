#include "common/cli.hpp"

#include <fmt/format.h>

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "common/conninfo.hpp"
#include "common/errors.hpp"
#include "common/names.hpp"

namespace pgkit {

void add_connection_options(CLI::App& app, ConnectionOptions& options, DatabaseOption which) {
    app.add_option("-h,--host", options.host, "database server host or socket directory")
        ->type_name("HOSTNAME")
        ->group(connection_group);
    app.add_option("-p,--port", options.port, "database server port")
        ->type_name("PORT")
        ->group(connection_group);
    app.add_option("-U,--username", options.username, "user name to connect as")
        ->type_name("USERNAME")
        ->group(connection_group);
    app.add_flag("-w,--no-password", options.no_password, "never prompt for password")
        ->group(connection_group);
    app.add_flag("-W,--password", options.force_password, "force password prompt")
        ->group(connection_group);
    if (which == DatabaseOption::maintenance_db) {
        app.add_option("--maintenance-db", options.dbname,
                       "alternate maintenance database (or a connection string)")
            ->type_name("DBNAME")
            ->group(connection_group);
    } else {
        app.add_option("-d,--dbname", options.dbname,
                       "database to connect to (or a connection string)")
            ->type_name("DBNAME")
            ->group(connection_group);
    }
    app.add_option("--connect-timeout", options.connect_timeout,
                   "give up connecting after SECONDS (default 10)")
        ->type_name("SECONDS")
        ->group(connection_group);
    app.add_option("--wait", options.wait_seconds,
                   "keep trying to connect for up to SECONDS")
        ->type_name("SECONDS")
        ->group(connection_group);
}

void add_lock_timeout_option(CLI::App& app, ConnectionOptions& options) {
    app.add_option("--lock-timeout", options.lock_timeout_seconds,
                   "give up when a lock is not granted within SECONDS")
        ->type_name("SECONDS")
        ->group(options_group);
}

void validate_connection_options(const ConnectionOptions& options) {
    // A bad port is a usage error wherever it comes from: -p, the connection string, PGPORT.
    auto check_ports = [](const std::string& ports, const char* source) {
        try {
            check_port_list(ports);
        } catch (const UsageError& error) {
            throw UsageError(source == nullptr ? error.what()
                                               : fmt::format("{} (from {})", error.what(), source));
        }
    };
    bool port_given = options.port.has_value();
    if (options.port) check_ports(*options.port, nullptr);
    if (options.connect_timeout && *options.connect_timeout < 0) {
        throw UsageError("--connect-timeout must be 0 (wait forever) or more seconds");
    }
    if (options.wait_seconds &&
        !(*options.wait_seconds >= 0 && *options.wait_seconds <= 7 * 86400)) {
        throw UsageError("--wait must be 0 to 604800 seconds (a week)");
    }
    if (options.lock_timeout_seconds &&
        !(*options.lock_timeout_seconds >= 0 && *options.lock_timeout_seconds <= 7 * 86400)) {
        throw UsageError("--lock-timeout must be 0 (wait for ever) to 604800 seconds (a week)");
    }
    if (options.dbname) {
        // A connection string that libpq cannot parse is a usage error, not a failed connection.
        char* error = nullptr;
        PQconninfoOption* parsed = PQconninfoParse(options.dbname->c_str(), &error);
        const bool looks_like_connstring =
            options.dbname->find('=') != std::string::npos ||
            options.dbname->rfind("postgresql://", 0) == 0 ||
            options.dbname->rfind("postgres://", 0) == 0;
        std::string message = error != nullptr ? first_line(error) : "";
        if (may_hold_password(*options.dbname)) {
            message = redact_quoted_pieces(message);  // libpq quotes pieces of the string
        }
        std::optional<std::string> string_port;
        for (const PQconninfoOption* option = parsed; option != nullptr && option->keyword != nullptr;
             ++option) {
            if (std::string_view(option->keyword) == "port" && option->val != nullptr) {
                string_port = option->val;
            }
        }
        if (parsed != nullptr) PQconninfoFree(parsed);
        if (error != nullptr) PQfreemem(error);
        if (string_port) {
            port_given = true;
            check_ports(*string_port, "the connection string");
        }
        if (looks_like_connstring && parsed == nullptr) {
            throw UsageError(fmt::format("invalid connection string: {}", message));
        }
    }
    if (const char* variable = std::getenv("PGPORT");
        !port_given && variable != nullptr && *variable != '\0') {
        check_ports(variable, "PGPORT");
    }
    if (options.no_password && options.force_password) {
        throw UsageError("-w/--no-password and -W/--password cannot be used together");
    }
}

namespace {

std::string option_label(const CLI::Option& option) {
    std::string label;
    const auto& shorts = option.get_snames();
    const auto& longs = option.get_lnames();
    label += shorts.empty() ? "    " : fmt::format("-{}, ", shorts.front());
    if (!longs.empty()) {
        label += "--" + longs.front();
    } else if (!shorts.empty()) {
        label.resize(label.size() - 2);  // a short option alone: drop the ", "
    }
    if (option.get_type_size() != 0 && !option.get_type_name().empty()) {
        label += (longs.empty() ? " " : "=") + option.get_type_name();
    }
    return label;
}

void append_group(std::string& out, const CLI::App& app, const std::string& group) {
    constexpr std::size_t label_width = 29;
    for (const CLI::Option* option : app.get_options()) {
        if (option->get_group() != group ||
            (option->get_lnames().empty() && option->get_snames().empty())) {
            continue;
        }
        const std::string label = option_label(*option);
        if (label.size() <= label_width - 1) {
            out += fmt::format("  {:<{}}{}\n", label, label_width, option->get_description());
        } else {
            out += fmt::format("  {}\n  {:<{}}{}\n", label, "", label_width,
                               option->get_description());
        }
    }
}

}  // namespace

std::string format_help(const CLI::App& app, const std::string& purpose,
                        const std::vector<std::string>& usage, const std::string& closing) {
    std::string out = purpose + "\n\nUsage:\n";
    for (const auto& line : usage) {
        out += "  " + line + "\n";
    }
    out += "\nOptions:\n";
    append_group(out, app, options_group);
    out += "\nConnection options:\n";
    append_group(out, app, connection_group);
    if (!closing.empty()) {
        out += "\n" + closing + "\n";
    }
    return out;
}

std::string describe_parse_error(const CLI::ParseError& error) {
    std::string message = error.what();
    if (message.rfind("The following argument", 0) == 0) {
        // "The following argument was not expected: --bogus"
        const auto colon = message.find(": ");
        message = "unrecognized option or argument: " +
                  (colon == std::string::npos ? message : message.substr(colon + 2));
    } else if (message.rfind("Could not convert: ", 0) == 0) {
        message = "invalid value: " + message.substr(19);
    }
    if (!message.empty()) {
        message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    }
    return message;
}

}  // namespace pgkit

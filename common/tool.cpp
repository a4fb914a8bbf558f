#include "common/tool.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "common/conninfo.hpp"
#include "common/interrupt.hpp"
#include "common/version.hpp"

namespace pgkit {

Tool::Tool(ToolDescription description)
    : description_(std::move(description)), app_(description_.purpose, description_.name) {
    app_.set_help_flag();  // -h is the host, as in PostgreSQL's tools; -? is added below
    app_.option_defaults()->group(options_group);
}

namespace {

std::optional<Format> parse_format(const std::string& name) {
    if (name == "text") return Format::text;
    if (name == "json") return Format::json;
    if (name == "csv") return Format::csv;
    if (name == "names") return Format::names;
    return std::nullopt;
}

}  // namespace

Connector Tool::connector() const {
    return Connector(connection_, description_.name,
                     SessionOptions{behaviour_.echo, behaviour_.dry_run, description_.name});
}

void Tool::add_shared_options() {
    app_.add_flag("-e,--echo", behaviour_.echo, "show the commands being sent to the server");
    app_.add_flag("--dry-run", behaviour_.dry_run,
                  "connect and report what would be done, change nothing");
    app_.add_flag("-q,--quiet", behaviour_.quiet, "print nothing but errors");
    std::string formats;
    for (const auto& format : description_.formats) {
        formats += (formats.empty() ? "" : "|") + format;
    }
    app_.add_option("--format", behaviour_.format,
                    fmt::format("output format: {} (default text)", formats))
        ->type_name("FORMAT");
    if (description_.changes) add_lock_timeout_option(app_, connection_);
    app_.add_flag(description_.own_version_option ? "-V" : "-V,--version", show_version_,
                  "output version information, then exit");
    app_.add_flag("-?,--help", show_help_, "show this help, then exit");
    add_connection_options(app_, connection_, description_.database_option);
}

void Tool::warn(const std::string& text) const {
    std::cerr << description_.name << ": warning: " << text << "\n";
}

std::string Tool::help() const {
    return format_help(app_, description_.purpose, description_.usage, description_.closing);
}

bool Tool::settle_format() {
    const bool known = std::find(description_.formats.begin(), description_.formats.end(),
                                 behaviour_.format) != description_.formats.end();
    format_ = known ? parse_format(behaviour_.format).value_or(Format::text) : Format::text;
    return known;
}

int Tool::fail(Exit code, const std::string& message, const std::string& detail,
               const std::string& hint, const std::string& sqlstate,
               const nlohmann::json& report) {
    const std::string& program = description_.name;
    std::cerr << program << ": error: " << message << "\n";
    if (!detail.empty()) {
        std::cerr << program << ": detail: " << detail << "\n";
    }
    if (!hint.empty()) {
        std::cerr << program << ": hint: " << hint << "\n";
    }
    std::cerr.flush();
    if (format() == Format::json) {
        nlohmann::json document = {{"ok", false},
                                   {"exit_code", static_cast<int>(code)},
                                   {"message", message}};
        document["sqlstate"] = sqlstate.empty() ? nlohmann::json() : nlohmann::json(sqlstate);
        if (!detail.empty()) document["detail"] = detail;
        if (!hint.empty()) document["hint"] = hint;
        for (const auto& [key, value] : report.items()) document[key] = value;
        std::cout << document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << std::endl;
    }
    return static_cast<int>(code);
}

int Tool::fail_usage(const std::string& message, const std::string& hint) {
    return fail(Exit::usage, message, {},
                hint.empty() ? fmt::format("Try \"{} --help\" for more information.",
                                           description_.name)
                             : hint,
                {});
}

int Tool::run(int argc, char** argv, const std::function<Outcome()>& body) {
    add_shared_options();
    // Like PostgreSQL's tools, a first argument of --help or --version wins over everything.
    if (argc > 1) {
        const std::string first = argv[1];
        if (first == "--help" || first == "-?") show_help_ = true;
        // A tool whose --version takes a value prints the kit's version for it only when it
        // stands alone.
        if (first == "-V" || (first == "--version" && (!description_.own_version_option || argc == 2))) {
            show_version_ = true;
        }
    }
    // Errors found while parsing are reported in the format asked for, if it can be seen.
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (argument == "--format" && i + 1 < argc) {
            behaviour_.format = argv[i + 1];
        } else if (argument.rfind("--format=", 0) == 0) {
            behaviour_.format = argument.substr(9);
        }
    }
    if (!show_help_ && !show_version_) {
        try {
            // "--name=" is an empty value, as with getopt; CLI11 would take the next argument
            // as the value instead. CLI11 reads the arguments from the back of the vector.
            std::vector<std::string> arguments;
            bool options_end = false;
            for (int i = 1; i < argc; ++i) {
                const std::string argument = argv[i];
                if (argument == "--") options_end = true;
                if (!options_end && argument.size() > 3 && argument.rfind("--", 0) == 0 &&
                    argument.find('=') == argument.size() - 1) {
                    arguments.push_back(argument.substr(0, argument.size() - 1));
                    arguments.emplace_back();
                } else {
                    arguments.push_back(argument);
                }
            }
            std::reverse(arguments.begin(), arguments.end());
            app_.parse(arguments);
        } catch (const CLI::ParseError& error) {
            settle_format();
            return fail_usage(describe_parse_error(error));
        }
        // A password in a connection string stays in memory for libpq, but leaves the
        // argument list that ps and /proc/PID/cmdline show.
        if (connection_.dbname) hide_passwords_in_arguments(argc, argv, *connection_.dbname);
    }
    if (show_help_) {
        std::cout << help();
        return 0;
    }
    if (show_version_) {
        std::cout << description_.name << " (" << kit_name << ") " << kit_version << "\n";
        return 0;
    }

    if (!settle_format()) {
        return fail_usage(fmt::format("invalid output format \"{}\": use {}", behaviour_.format,
                                      fmt::join(description_.formats, ", ")));
    }

    // An empty value is a mistake (an unset shell variable), never "the default": numbers
    // would otherwise be dropped silently. Only options a tool allows (a comment) may be empty.
    for (const CLI::Option* option : app_.get_options()) {
        if (option->get_type_size() == 0 || option->get_positional() ||
            std::find(may_be_empty_.begin(), may_be_empty_.end(), option) != may_be_empty_.end()) {
            continue;
        }
        for (const auto& value : option->results()) {
            if (value.empty()) {
                return fail_usage(fmt::format("{} must not be empty",
                                              option->get_name()));
            }
        }
    }

    install_interrupt_handlers(description_.name.c_str(), format() == Format::json);
    try {
        validate_connection_options(connection_);
        // A signal that arrived after the last statement finished changes nothing: the work
        // is done, and the outcome says so.
        Outcome outcome = body();
        block_interrupts();  // the outcome is printed whole, or not at all
        if (outcome.listing) {
            // --quiet silences a listing for people; a document asked for by a program stays.
            if (!behaviour_.quiet || format() == Format::json) {
                std::cout << *outcome.listing;
                std::cout.flush();
            }
        } else if (format() == Format::json) {
            outcome.json["ok"] = true;
            outcome.json["exit_code"] = 0;
            std::cout << outcome.json.dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace)
                      << std::endl;
        } else if (!behaviour_.quiet && !outcome.text.empty()) {
            std::cout << outcome.text;
            if (outcome.text.back() != '\n') std::cout << '\n';
            std::cout.flush();
        }
        return 0;
    } catch (const Interrupted& interrupted) {
        const int signal_number = interrupted.signal_number();
        block_interrupts();
        fail(static_cast<Exit>(128 + signal_number),
             fmt::format("canceled by signal {} ({})", signal_number, strsignal(signal_number)),
             change_committed()
                 ? "The statement in progress was cancelled and its transaction rolled back; "
                   "statements committed before it stay done (see --echo)."
                 : "The statement in progress was cancelled and its transaction rolled back.",
             {}, {});
        return 128 + signal_number;
    } catch (const UsageError& error) {
        return fail_usage(error.what(), error.hint());
    } catch (const Error& error) {
        if (!error.done().empty() && format() == Format::text && !behaviour_.quiet) {
            std::cout << error.done() << (error.done().back() == '\n' ? "" : "\n");
            std::cout.flush();
        }
        return fail(error.code(), error.what(), error.detail(), error.hint(), error.sqlstate(),
                    error.report());
    } catch (const std::exception& error) {
        return fail(Exit::server, error.what(), {}, {}, {});
    }
}

}  // namespace pgkit

#pragma once
/// The frame every tool runs in: the shared options, --help and --version, and the one place
/// that turns errors into messages and exit statuses.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "common/connection.hpp"
#include "common/errors.hpp"

namespace pgkit {

enum class Format { text, json, csv, names };

struct BehaviourOptions {
    bool echo = false;
    bool dry_run = false;
    bool quiet = false;
    std::string format = "text";
};

/// What a tool did: one line for people, one document for --format json.
struct Outcome {
    std::string text;
    nlohmann::json json = nlohmann::json::object();
    /// A tool's own output in the format asked for (pg-listtables' listing), printed as it is
    /// instead of `text` and `json`.
    std::optional<std::string> listing;
};

struct ToolDescription {
    std::string name;                  ///< "pg-createdb"
    std::string purpose;               ///< first line of --help
    std::vector<std::string> usage;    ///< usage lines, without the leading two spaces
    std::string closing;               ///< last lines of --help (the default behaviour)
    DatabaseOption database_option = DatabaseOption::maintenance_db;
    std::vector<std::string> formats = {"text", "json"};
    bool changes = true;  ///< changes something: takes --lock-timeout
    /// --version=VALUE is the tool's own option (pg-createextension: the extension's version);
    /// -V, and --version alone, still print the kit's version.
    bool own_version_option = false;
};

class Tool {
public:
    explicit Tool(ToolDescription description);

    /// The CLI11 app: a tool adds its own options to the "Options" group before run().
    CLI::App& app() { return app_; }
    const std::string& name() const { return description_.name; }
    BehaviourOptions& behaviour() { return behaviour_; }
    ConnectionOptions& connection_options() { return connection_; }
    /// The --format asked for (text until the command line is read).
    Format format() const { return format_; }

    /// Lets an option of the tool's take an empty value (a comment: empty removes it); any
    /// other empty value is a usage error, since it is mostly an unset shell variable.
    void allow_empty(const CLI::Option* option) { may_be_empty_.push_back(option); }

    /// Connections with this run's options (--echo, --dry-run, -h, -p, -U, --wait...).
    Connector connector() const;

    /// Parses the command line, runs `body`, prints its outcome or its error, and returns the
    /// exit status. Adds the behaviour and connection options after the tool's own.
    int run(int argc, char** argv, const std::function<Outcome()>& body);

    std::string help() const;

    /// A warning on stderr in the contract's style: "prog: warning: text".
    void warn(const std::string& text) const;

private:
    void add_shared_options();
    /// Reads --format once: false (and text) when the tool has no such format.
    bool settle_format();
    int fail(Exit code, const std::string& message, const std::string& detail,
             const std::string& hint, const std::string& sqlstate,
             const nlohmann::json& report = nlohmann::json::object());
    int fail_usage(const std::string& message, const std::string& hint = {});

    ToolDescription description_;
    CLI::App app_;
    BehaviourOptions behaviour_;
    ConnectionOptions connection_;
    Format format_ = Format::text;
    std::vector<const CLI::Option*> may_be_empty_;
    bool show_help_ = false;
    bool show_version_ = false;
};

}  // namespace pgkit

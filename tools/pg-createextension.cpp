/// pg-createextension: CREATE EXTENSION for scripts, in the database of -d, with
/// --if-not-exists convergence of the version and the schema.
///
/// The SQL: CREATE EXTENSION name [SCHEMA s] [VERSION v] [CASCADE]; an existing extension gets
/// ALTER EXTENSION ... UPDATE TO along pg_extension_update_paths (never down) and, when it is
/// relocatable, ALTER EXTENSION ... SET SCHEMA.

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/text.hpp"
#include "common/tool.hpp"
#include "tools/pg-createextension/close_names.hpp"
#include "tools/pg-createextension/versions.hpp"

namespace {

using namespace pgkit;

struct Request {
    std::vector<std::string> extensions;
    std::optional<std::string> schema, version;
    bool cascade = false, if_not_exists = false;

    /// --version=latest: the control file's default_version.
    bool latest() const { return version && *version == "latest"; }
};

void validate(const Request& request) {
    if (request.extensions.empty()) throw UsageError("missing required argument extension name");
    for (const auto& extension : request.extensions) check_identifier("extension name", extension);
    if (request.schema) check_identifier("schema name", *request.schema);
    if (request.version && !request.version->empty() && request.version->front() == '-') {
        // "--version -d app ..." would take "-d" for the version.
        throw UsageError(fmt::format("--version needs a version, not \"{}\"", *request.version),
                         "-V prints the tool's version; --version=VERSION (or latest) is the "
                         "extension's.");
    }
}

struct Existing {
    std::string version, schema;
    bool relocatable = false;
};

constexpr ObjectKind extension_kind{
    "extension", "42710",
    "Use --if-not-exists to accept an existing extension and bring it to the version and "
    "schema asked for."};

std::string quoted(const std::vector<std::string>& names) {
    std::vector<std::string> each;
    for (const auto& name : names) each.push_back(fmt::format("\"{}\"", name));
    return join(each, ", ");
}

/// One extension asked for, in the create-or-converge flow.
class Extension final : public CatalogObject<Existing> {
public:
    Extension(const Request& request, const std::string& name)
        : CatalogObject(extension_kind, name), request_(request) {}

    std::optional<Existing> read(Session& session) override {
        const Result row = session.query(
            "SELECT e.extversion, n.nspname, e.extrelocatable FROM pg_catalog.pg_extension e"
            " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
            {name()});
        if (row.rows() == 0) return std::nullopt;
        return Existing{std::string(row.text(0, 0)), std::string(row.text(0, 1)),
                        row.text(0, 2) == "t"};
    }

    void create(Session& session) override {
        const std::vector<std::string> before = installed_extensions(session);
        std::string sql = "CREATE EXTENSION " + session.quote_ident(name());
        if (request_.schema) sql += " SCHEMA " + session.quote_ident(*request_.schema);
        // "latest" is the control file's default: what CREATE EXTENSION installs without one.
        if (request_.version && !request_.latest()) {
            sql += " VERSION " + session.quote_literal(*request_.version);
        }
        if (request_.cascade) sql += " CASCADE";
        std::vector<Statement> statements;
        if (!request_.schema) {
            // Without SCHEMA, CREATE EXTENSION takes the first schema of search_path, which
            // the tool's session keeps empty for its catalog lookups: the server's default
            // ("$user", public, or what the role or database sets) for this one transaction.
            statements.push_back(Statement::plain("SET LOCAL search_path TO DEFAULT"));
        }
        statements.push_back(Statement::plain(sql));
        try {
            session.execute(statements);
        } catch (SqlError& error) {
            if (!is_not_available(error)) throw;
            throw not_available(session, error);
        }
        // What CASCADE brought: read back (in a dry run, inside its own transaction).
        cascaded_.clear();
        if (request_.cascade) {
            for (const auto& extension : installed_extensions(session)) {
                if (extension != name() &&
                    std::find(before.begin(), before.end(), extension) == before.end()) {
                    cascaded_.push_back(extension);
                }
            }
        }
        installed_ = read(session);
    }

    Plan plan(Session& session) override {
        Plan plan;
        const Existing& existing = this->existing();
        installed_ = existing;
        const std::string extension = session.quote_ident(name());
        if (request_.schema && *request_.schema != existing.schema) {
            if (!existing.relocatable) {
                throw Error(Exit::conflict,
                            fmt::format("extension \"{}\" is in schema \"{}\", not \"{}\", and "
                                        "cannot be moved",
                                        name(), existing.schema, *request_.schema),
                            "It is not relocatable: ALTER EXTENSION ... SET SCHEMA does not "
                            "apply to it.",
                            "Leave --schema out, or drop it and create it again in that schema "
                            "(DROP EXTENSION also drops what depends on it with CASCADE).");
            }
            installed_->schema = *request_.schema;
            plan.add(fmt::format("schema \"{}\" -> \"{}\"", existing.schema, *request_.schema),
                     Statement::plain(fmt::format("ALTER EXTENSION {} SET SCHEMA {}", extension,
                                                  session.quote_ident(*request_.schema))));
        }
        if (request_.version) {
            const std::string target = request_.latest() ? default_version(session) : *request_.version;
            if (target != existing.version) {
                check_update(session, existing.version, target);
                installed_->version = target;
                // Runs updating the same extension take turns (ALTER EXTENSION ... UPDATE locks
                // nothing first), and one that finds the version changed once it has the lock
                // fails as a lost race (40001): the flow looks again and finds it unchanged.
                std::vector<Statement> guard = {Statement::plain(fmt::format(
                    "SELECT pg_catalog.pg_advisory_xact_lock({}, pg_catalog.hashtext({}))",
                    0x70676578 /* "pgex" */, session.quote_literal(name())))};
                const std::string name_literal = session.quote_literal(name());
                const std::string from_literal = session.quote_literal(existing.version);
                if ((name_literal + from_literal).find('$') == std::string::npos) {
                    guard.push_back(Statement::plain(fmt::format(
                        "DO $pgkit$BEGIN IF (SELECT extversion FROM pg_catalog.pg_extension WHERE "
                        "extname = {}) IS DISTINCT FROM {} THEN RAISE EXCEPTION USING ERRCODE = "
                        "'serialization_failure', MESSAGE = 'extension changed while being "
                        "checked'; END IF; END$pgkit$",
                        name_literal, from_literal)));
                }
                plan.statements.insert(plan.statements.begin(), guard.begin(), guard.end());
                plan.add(fmt::format("version {} -> {}", existing.version, target),
                         Statement::plain(fmt::format("ALTER EXTENSION {} UPDATE TO {}", extension,
                                                      session.quote_literal(target))));
            }
        }
        return plan;
    }

    void add_to_report(Outcome& outcome, Action action) const override {
        const std::vector<std::string> brought =
            action == Action::created ? cascaded_ : std::vector<std::string>{};
        outcome.json["cascaded"] = brought;
        // Where it is and which version (in a dry run, as its own transaction would leave it).
        outcome.json["version"] = installed_ ? nlohmann::json(installed_->version) : nlohmann::json();
        outcome.json["schema"] = installed_ ? nlohmann::json(installed_->schema) : nlohmann::json();
        if (action == Action::created && installed_) {
            outcome.text += fmt::format(" (version {}, schema \"{}\")", installed_->version,
                                        installed_->schema);
        }
        if (!brought.empty()) {
            outcome.text += fmt::format(", with {} it requires", quoted(brought));
        }
    }

private:
    std::vector<std::string> installed_extensions(Session& session) const {
        const Result rows = session.query("SELECT extname FROM pg_catalog.pg_extension ORDER BY 1");
        std::vector<std::string> names;
        for (int row = 0; row < rows.rows(); ++row) names.emplace_back(rows.text(row, 0));
        return names;
    }

    std::string default_version(Session& session) const {
        const Result row = session.query(
            "SELECT default_version FROM pg_catalog.pg_available_extensions WHERE name = $1",
            {name()});
        if (row.rows() == 0 || row.is_null(0, 0)) {
            throw Error(Exit::server,
                        fmt::format("extension \"{}\" is installed, but the server has no "
                                    "control file for it",
                                    name()),
                        {}, "Install the extension's package on the server, or leave --version out.",
                        "58P01");
        }
        return std::string(row.text(0, 0));
    }

    /// Refuses an update the server has no path for: a downgrade (exit 5), or a version it
    /// does not know (the server's refusal, exit 1).
    void check_update(Session& session, const std::string& from, const std::string& to) const {
        const Result paths = session.query(
            "SELECT bool_or(source = $2 AND target = $3), bool_or(source = $3 AND target = $2)"
            " FROM pg_catalog.pg_extension_update_paths($1) WHERE path IS NOT NULL",
            {name(), from, to});
        // Older than installed, by the numbers or by the only path the server has: no
        // downgrade, even where an extension ships a script for one.
        const std::optional<int> order = compare_versions(to, from);
        const bool forward = paths.text(0, 0) == "t", backward = paths.text(0, 1) == "t";
        if (forward && (order ? *order > 0 : true)) return;
        if ((order && *order < 0) || (backward && !forward)) {
            throw Error(Exit::conflict,
                        fmt::format("extension \"{}\" is at version {}, newer than {}", name(),
                                    from, to),
                        {},
                        "Extensions are not downgraded: ask for the installed version or a "
                        "newer one, or --version=latest.");
        }
        const Result known = session.query(
            "SELECT 1 FROM pg_catalog.pg_available_extension_versions WHERE name = $1 AND "
            "version = $2",
            {name(), to});
        if (known.rows() == 0) {
            throw Error(Exit::server,
                        fmt::format("extension \"{}\" has no version {}", name(), to),
                        "Versions available: " + available_versions(session) + ".", {}, "22023");
        }
        throw Error(Exit::conflict,
                    fmt::format("extension \"{}\" has no update path from version {} to {}",
                                name(), from, to),
                    {}, "See pg_extension_update_paths() for the paths the server has.");
    }

    std::string available_versions(Session& session) const {
        const Result rows = session.query(
            "SELECT version FROM pg_catalog.pg_available_extension_versions WHERE name = $1",
            {name()});
        std::vector<std::string> versions;
        for (int row = 0; row < rows.rows(); ++row) versions.emplace_back(rows.text(row, 0));
        // In order, as people read versions (the server lists them as its directory does).
        std::sort(versions.begin(), versions.end(), [](const std::string& a, const std::string& b) {
            const auto order = compare_versions(a, b);
            return order ? *order < 0 : a < b;
        });
        return versions.empty() ? "none" : join(versions, ", ");
    }

    static bool is_not_available(const SqlError& error) {
        // Older minor releases: could not open extension control file ".../x.control"
        // (58P01); newer ones: extension "x" is not available (0A000).
        const std::string_view message = error.what();
        return (error.sqlstate() == "58P01" &&
                message.find("extension control file") != std::string_view::npos) ||
               (error.sqlstate() == "0A000" &&
                std::string_view(error.what()).find("is not available") != std::string_view::npos);
    }

    /// The server's refusal, with the names it has that are close to the one asked for.
    Error not_available(Session& session, const SqlError& error) const {
        const Result rows =
            session.query("SELECT name FROM pg_catalog.pg_available_extensions ORDER BY name");
        std::vector<std::string> names;
        for (int row = 0; row < rows.rows(); ++row) names.emplace_back(rows.text(row, 0));
        const auto close = close_names(name(), names);
        std::string hint = error.hint().empty()
                               ? "Install the extension's package on the server "
                                 "(pg_available_extensions lists what it has)."
                               : error.hint();
        if (!close.empty()) hint += fmt::format(" Close names the server has: {}.", join(close, ", "));
        return Error(error.code(), error.what(), error.detail(), hint, error.sqlstate());
    }

    const Request& request_;
    std::vector<std::string> cascaded_;
    std::optional<Existing> installed_;  ///< as it is (or will be) after the run
};

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-createextension",
               .purpose = "pg-createextension installs extensions in a PostgreSQL database.",
               .usage = {"pg-createextension [OPTION]... EXTENSION..."},
               .closing = "The extensions are installed in the database of -d (default: "
                          "PGDATABASE, else the user\nname), one after the other. With "
                          "--if-not-exists, an installed extension is updated to the\nversion "
                          "and moved to the schema asked for; it is never downgraded.",
               .database_option = DatabaseOption::dbname,
               .own_version_option = true});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("--schema", request.schema, "schema to install into (WITH SCHEMA)")
        ->type_name("SCHEMA");
    app.add_option("--version", request.version,
                   "version to install or update to; latest: the default")
        ->type_name("VERSION");
    app.add_flag("--cascade", request.cascade, "also install the extensions it requires");
    app.add_flag("--if-not-exists", request.if_not_exists,
                 "accept an installed extension and converge it");
    app.add_option("extensions", request.extensions)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        validate(request);
        Session session =
            tool.connector().connect(tool.connection_options().dbname.value_or(""));
        std::vector<std::unique_ptr<Extension>> extensions;
        std::vector<Convergeable*> objects;
        for (const auto& name : request.extensions) {
            extensions.push_back(std::make_unique<Extension>(request, name));
            objects.push_back(extensions.back().get());
        }
        return create_or_converge_each(session, objects, request.if_not_exists, "extensions");
    });
}

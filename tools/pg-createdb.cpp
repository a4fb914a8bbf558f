/// pg-createdb: createdb's drop-in, plus --if-not-exists convergence.
///
/// The SQL is createdb 15's, clause for clause: CREATE DATABASE with OWNER, TABLESPACE,
/// ENCODING, STRATEGY, TEMPLATE, LC_COLLATE, LC_CTYPE, LOCALE_PROVIDER, ICU_LOCALE (and
/// ICU_RULES, BUILTIN_LOCALE of newer createdb, and CONNECTION LIMIT of ours), then COMMENT ON
/// DATABASE for the description.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "common/activity.hpp"
#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/text.hpp"
#include "common/tool.hpp"
#include "tools/pg-createdb/creation_checks.hpp"
#include "tools/pg-createdb/existing_database.hpp"

namespace {

using namespace pgkit;

/// --flag[=VALUE]: a boolean in PostgreSQL's words (yes, no, true, false, on, off, 1, 0).
std::optional<bool> boolean_option(const char* option, const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    std::string word = *value;
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (word == "yes" || word == "true" || word == "on" || word == "1") return true;
    if (word == "no" || word == "false" || word == "off" || word == "0") return false;
    throw UsageError(fmt::format("invalid value \"{}\" for {}: use yes or no", *value, option));
}

void validate(Request& request) {
    check_argument_count(request.arguments, 2);
    // createdb's default: PGDATABASE, else PGUSER, else the operating-system user.
    request.dbname = request.arguments.empty()
                         ? default_name({"PGDATABASE", "PGUSER"}, "database")
                         : request.arguments.front();
    if (request.arguments.size() == 2) request.comment = request.arguments[1];
    check_identifier("database name", request.dbname);
    for (const auto& [what, value] : {std::pair{"owner", &request.owner},
                                      std::pair{"tablespace", &request.tablespace},
                                      std::pair{"template", &request.template_db},
                                      std::pair{"strategy", &request.strategy}}) {
        if (*value) check_identifier(what, **value);
    }
    if (request.encoding) check_encoding_name(*request.encoding);
    if (request.locale_provider && *request.locale_provider != "libc" &&
        *request.locale_provider != "icu" && *request.locale_provider != "builtin") {
        throw UsageError(fmt::format("invalid locale provider \"{}\": use libc, icu or builtin",
                                     *request.locale_provider));
    }
    check_connection_limit(request.connection_limit);
    validate_settings(request.settings);
    request.is_template = boolean_option("--is-template", request.is_template_argument);
    request.allow_connections =
        boolean_option("--allow-connections", request.allow_connections_argument);
}

std::string create_statement(const Session& session, const Request& request) {
    std::string sql = "CREATE DATABASE " + session.quote_ident(request.dbname);
    auto ident = [&](const char* clause, const std::optional<std::string>& value) {
        if (value) sql += fmt::format(" {} {}", clause, session.quote_ident(*value));
    };
    auto literal = [&](const char* clause, const std::optional<std::string>& value) {
        if (value) sql += fmt::format(" {} {}", clause, session.quote_literal(*value));
    };
    ident("OWNER", request.owner);
    ident("TABLESPACE", request.tablespace);
    literal("ENCODING", request.encoding);
    ident("STRATEGY", request.strategy);
    ident("TEMPLATE", request.template_db);
    // As createdb 15 does, --locale stands for LC_COLLATE and LC_CTYPE where those are not
    // given; for the icu and builtin providers it is also their locale, as in newer createdb.
    literal("LC_COLLATE", request.lc_collate ? request.lc_collate : request.locale);
    literal("LC_CTYPE", request.lc_ctype ? request.lc_ctype : request.locale);
    if (request.locale_provider) {
        sql += " LOCALE_PROVIDER " + *request.locale_provider;  // one of three validated words
    }
    const bool icu = request.locale_provider == "icu";
    const bool builtin = request.locale_provider == "builtin";
    literal("ICU_LOCALE", request.icu_locale ? request.icu_locale
                          : icu              ? request.locale
                                             : std::nullopt);
    literal("ICU_RULES", request.icu_rules);
    literal("BUILTIN_LOCALE", request.builtin_locale ? request.builtin_locale
                              : builtin              ? request.locale
                                                     : std::nullopt);
    if (request.connection_limit) {
        sql += fmt::format(" CONNECTION LIMIT {}", *request.connection_limit);
    }
    if (request.is_template) sql += fmt::format(" IS_TEMPLATE {}", *request.is_template);
    if (request.allow_connections) {
        sql += fmt::format(" ALLOW_CONNECTIONS {}", *request.allow_connections);
    }
    return sql;
}

/// CREATE DATABASE copies its template and needs it to itself (55006 when another session is
/// connected; the server has already waited 5 s for them to leave). The error names them.
Error template_in_use(Session& session, const Request& request, const SqlError& error) {
    const std::string template_name = request.template_db.value_or("template1");
    std::string detail = sessions_on(session, template_name);
    if (detail.empty()) detail = error.detail();  // they left in the meantime
    return Error(error.code(),
                 fmt::format("template database \"{}\" is in use by other sessions", template_name),
                 detail,
                 "CREATE DATABASE copies the template and needs it to itself: end those sessions "
                 "(pg_terminate_backend(pid)) or pick another template with --template.",
                 error.sqlstate());
}

/// The database asked for, in the create-or-converge flow.
constexpr ObjectKind database_kind{
    "database", "42P04",
    "Use --if-not-exists to accept an existing database and bring it to "
    "the owner, connection limit and comment asked for."};

class Database final : public CatalogObject<Existing> {
public:
    explicit Database(const Request& request)
        : CatalogObject(database_kind, request.dbname), request_(request) {}
    explicit Database(const Request&&) = delete;  // keeps a reference

    std::optional<Existing> read(Session& session) override {
        return look_up_database(session, request_);
    }

    void create(Session& session) override {
        // An option this server does not have is refused before anything is sent, naming the
        // version that has it (the server's own refusal, with no version, would be the same).
        refuse_options_the_server_lacks(request_, session.server_version());
        if (session.options().dry_run) {
            // CREATE DATABASE cannot be tried in a transaction and rolled back: what it would
            // check is checked, so that the dry run fails where the real run would.
            check_creation(session, request_);
        }
        // The settings are checked before the database is made (a bad one would leave it made
        // without them), as a session would take them.
        if (!request_.settings.empty()) session.prove(settings_checks(session, request_.settings));
        // A session on the template is often brief (a health check, another tool's catalog
        // lookup): try again once the server's own 5 s wait is over, then name who holds it.
        constexpr int attempts = 2;
        for (int attempt = 1;; ++attempt) {
            try {
                session.execute(create_statement(session, request_));
                break;
            } catch (const SqlError& error) {
                if (!error.is(SqlCondition::object_in_use)) throw;
                if (attempt < attempts) continue;
                throw template_in_use(session, request_, error);
            }
        }
        if (request_.comment) {
            try {
                session.execute(comment_statement(session));
            } catch (const Error& error) {
                throw Error(error.code(),
                            fmt::format("comment creation failed (database was created): {}",
                                        error.what()),
                            error.detail(), error.hint(), error.sqlstate());
            }
        }
        if (request_.settings.empty()) return;
        const auto settings = settings_statements(session, settings_target(session, "0"),
                                                  request_.settings);
        if (session.options().dry_run) {
            // Listed, not proved: the database they would apply to does not exist yet.
            for (const auto& statement : settings) session.execute(statement.sql, statement.shown);
            return;
        }
        try {
            session.execute(settings);
        } catch (const Error& error) {
            throw Error(error.code(),
                        fmt::format("setting failed (database was created): {}", error.what()),
                        error.detail(), error.hint(), error.sqlstate());
        }
    }

    /// The owner, connection limit and comment asked for; encoding, locale, provider and
    /// tablespace cannot change in place, and a difference there is exit 5.
    Plan plan(Session& session) override {
        refuse_options_the_server_lacks(request_, session.server_version());
        const Existing& existing = this->existing();
        if (request_.tablespace && !existing.tablespace_exists) {
            throw Error(Exit::server,
                        fmt::format("tablespace \"{}\" does not exist", *request_.tablespace),
                        {}, "Check the name, or create the tablespace first.", "42704");
        }
        if (const auto differences =
                fixed_differences(request_, existing, session.server_version());
            !differences.empty()) {
            throw Error(Exit::conflict,
                        fmt::format("database \"{}\" already exists with other settings than "
                                    "asked",
                                    request_.dbname),
                        "Its " + join(differences, ". Its ") + ".",
                        "Encoding, locale, locale provider and tablespace are not changed in "
                        "place; drop and re-create the database, or leave those options out.");
        }
        Plan plan;
        const std::string name = session.quote_ident(request_.dbname);
        if (request_.owner && *request_.owner != existing.owner) {
            plan.add(fmt::format("owner \"{}\" -> \"{}\"", existing.owner, *request_.owner),
                     Statement::plain(fmt::format("ALTER DATABASE {} OWNER TO {}", name,
                                                  session.quote_ident(*request_.owner))));
        }
        if (request_.connection_limit && *request_.connection_limit != existing.connection_limit) {
            plan.add(fmt::format("connection limit {} -> {}", existing.connection_limit,
                                 *request_.connection_limit),
                     Statement::plain(fmt::format("ALTER DATABASE {} CONNECTION LIMIT {}", name,
                                                  *request_.connection_limit)));
        }
        const auto flag = [&](const char* clause, const char* what, std::optional<bool> wanted,
                              bool have) {
            if (!wanted || *wanted == have) return;
            plan.add(fmt::format("{} {} -> {}", what, have ? "yes" : "no", *wanted ? "yes" : "no"),
                     Statement::plain(fmt::format("ALTER DATABASE {} {} {}", name, clause, *wanted)));
        };
        flag("IS_TEMPLATE", "is template", request_.is_template, existing.is_template);
        flag("ALLOW_CONNECTIONS", "allow connections", request_.allow_connections,
             existing.allow_connections);
        if (request_.comment && *request_.comment != existing.comment.value_or("")) {
            plan.add("comment", Statement::plain(comment_statement(session)));
        }
        plan_settings(session, settings_target(session, existing.oid), request_.settings, plan);
        return plan;
    }

private:
    SettingsTarget settings_target(const Session& session, const std::string& oid) const {
        SettingsTarget target;
        target.alter = "ALTER DATABASE " + session.quote_ident(request_.dbname);
        target.database_oid = oid;
        return target;
    }

    std::string comment_statement(const Session& session) const {
        return fmt::format("COMMENT ON DATABASE {} IS {}", session.quote_ident(request_.dbname),
                           session.quote_literal(*request_.comment));
    }

    const Request& request_;
};

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-createdb",
               .purpose = "pg-createdb creates a PostgreSQL database.",
               .usage = {"pg-createdb [OPTION]... [DBNAME] [DESCRIPTION]"},
               .closing = "By default, a database with the same name as the current user is "
                          "created.\nWith --if-not-exists, an existing database is brought to the "
                          "owner, connection\nlimit and comment given, and is otherwise left "
                          "alone.",
               .database_option = DatabaseOption::maintenance_db});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("-D,--tablespace", request.tablespace, "default tablespace for the database")
        ->type_name("TABLESPACE");
    app.add_option("-E,--encoding", request.encoding, "encoding for the database")
        ->type_name("ENCODING");
    app.add_option("-l,--locale", request.locale, "locale settings for the database")
        ->type_name("LOCALE");
    app.add_option("--lc-collate", request.lc_collate, "LC_COLLATE setting for the database")
        ->type_name("LOCALE");
    app.add_option("--lc-ctype", request.lc_ctype, "LC_CTYPE setting for the database")
        ->type_name("LOCALE");
    app.add_option("--icu-locale", request.icu_locale, "ICU locale setting for the database")
        ->type_name("LOCALE");
    app.add_option("--icu-rules", request.icu_rules,
                   "ICU rules setting for the database (server 16+)")
        ->type_name("RULES");
    app.add_option("--builtin-locale", request.builtin_locale,
                   "builtin locale for the database (server 17+)")
        ->type_name("LOCALE");
    app.add_option("--locale-provider", request.locale_provider,
                   "locale provider for the database's default collation")
        ->type_name("{libc|icu|builtin}");
    app.add_option("-O,--owner", request.owner, "database user to own the new database")
        ->type_name("OWNER");
    app.add_option("-S,--strategy", request.strategy,
                   "database creation strategy wal_log or file_copy")
        ->type_name("STRATEGY");
    app.add_option("-T,--template", request.template_db, "template database to copy")
        ->type_name("TEMPLATE");
    app.add_option("--connection-limit", request.connection_limit,
                   "connection limit for the database (-1: none)")
        ->type_name("N");
    app.add_flag("--is-template{yes}", request.is_template_argument,
                 "the database is a template others may copy (=no: not)")
        ->type_name("[yes|no]");
    app.add_flag("--allow-connections{yes}", request.allow_connections_argument,
                 "the database accepts connections (=no: refuses them)")
        ->type_name("[yes|no]");
    add_settings_options(app, request.settings, "database", "ALTER DATABASE");
    app.add_flag("--if-not-exists", request.if_not_exists,
                 "accept an existing database and converge it");
    app.add_option("arguments", request.arguments)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        validate(request);
        // No point in connecting to "postgres" to create "postgres" (createdb does the same).
        Session session = tool.connector().connect_maintenance(request.dbname == "postgres");
        Database database(request);
        return report(session, database,
                      create_or_converge(session, database, request.if_not_exists));
    });
}

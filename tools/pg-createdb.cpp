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

#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/text.hpp"
#include "common/tool.hpp"

extern "C" int pg_char_to_encoding(const char* name);  // exported by libpq, not declared

namespace {

using namespace pgkit;

struct Request {
    std::vector<std::string> arguments;  // [DBNAME] [DESCRIPTION]
    std::string dbname;
    std::optional<std::string> comment;
    std::optional<std::string> tablespace, encoding, strategy, template_db, owner;
    std::optional<std::string> locale, lc_collate, lc_ctype, locale_provider, icu_locale,
        icu_rules, builtin_locale;
    std::optional<int> connection_limit;
    bool if_not_exists = false;
};

/// What the catalog says of an existing database.
struct Existing {
    std::string owner, encoding, collate, ctype, provider, tablespace;
    int encoding_id = 0;
    int connection_limit = -1;
    std::optional<std::string> provider_locale, icu_rules, comment;
};

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
    return sql;
}

std::optional<Existing> look_up_database(Session& session, const Request& request) {
    const std::string& dbname = request.dbname;
    const int version = session.server_version();
    // Column names moved between releases: daticulocale (15, 16) became datlocale (17).
    const char* provider = version >= 150000 ? "d.datlocprovider::text" : "'c'";
    const char* provider_locale = version >= 170000   ? "d.datlocale"
                                  : version >= 150000 ? "d.daticulocale"
                                                      : "NULL::text";
    const char* icu_rules = version >= 160000 ? "d.daticurules" : "NULL::text";
    // The comment (shobj_description is an SQL function, planned afresh in every new
    // backend) and the tablespace are read only when asked for: "ensure it exists" stays as
    // cheap as createdb's own attempt.
    const std::string sql = fmt::format(
        "SELECT pg_catalog.pg_get_userbyid(d.datdba) AS owner,"
        " pg_catalog.pg_encoding_to_char(d.encoding) AS encoding, d.encoding AS encoding_id,"
        " d.datcollate AS collate, d.datctype AS ctype, {} AS provider,"
        " {} AS provider_locale, {} AS icu_rules, d.datconnlimit AS connection_limit,"
        " {} AS tablespace, {} AS comment"
        " FROM pg_catalog.pg_database d WHERE d.datname = $1",
        provider, provider_locale, icu_rules,
        request.tablespace ? "(SELECT t.spcname FROM pg_catalog.pg_tablespace t"
                             " WHERE t.oid = d.dattablespace)"
                           : "NULL::pg_catalog.name",
        request.comment ? "pg_catalog.shobj_description(d.oid, 'pg_database')" : "NULL::text");
    const Result result = session.query(sql, {dbname});
    if (result.rows() == 0) return std::nullopt;
    auto text = [&](const char* column) { return std::string(result.text(0, result.column(column))); };
    Existing existing;
    existing.owner = text("owner");
    existing.encoding = text("encoding");
    existing.encoding_id = std::stoi(text("encoding_id"));
    existing.collate = text("collate");
    existing.ctype = text("ctype");
    existing.provider = text("provider");
    existing.connection_limit = std::stoi(text("connection_limit"));
    existing.tablespace = text("tablespace");  // "" when not asked for
    existing.provider_locale = result.value(0, result.column("provider_locale"));
    existing.icu_rules = result.value(0, result.column("icu_rules"));
    existing.comment = result.value(0, result.column("comment"));
    return existing;
}

/// The settings that cannot be changed in place and differ from the request.
std::vector<std::string> fixed_differences(const Request& request, const Existing& existing,
                                           int server_version) {
    std::vector<std::string> differences;
    auto compare = [&](const char* what, const std::optional<std::string>& asked,
                       const std::string& actual) {
        if (asked && *asked != actual) {
            differences.push_back(fmt::format("{} is \"{}\", not \"{}\"", what, actual, *asked));
        }
    };
    if (request.encoding && pg_char_to_encoding(request.encoding->c_str()) != existing.encoding_id) {
        differences.push_back(
            fmt::format("encoding is {}, not {}", existing.encoding, *request.encoding));
    }
    compare("LC_COLLATE", request.lc_collate ? request.lc_collate : request.locale,
            existing.collate);
    compare("LC_CTYPE", request.lc_ctype ? request.lc_ctype : request.locale, existing.ctype);
    const std::string& provider = existing.provider;
    compare("locale provider", request.locale_provider,
            provider == "i" ? "icu" : provider == "b" ? "builtin" : "libc");
    // The ICU or builtin locale: asked for directly, or through --locale for such a provider.
    std::optional<std::string> provider_locale;
    if (existing.provider == "i") {
        provider_locale = request.icu_locale ? request.icu_locale : request.locale;
    } else if (existing.provider == "b") {
        provider_locale = request.builtin_locale ? request.builtin_locale : request.locale;
    } else if (request.icu_locale) {
        provider_locale = request.icu_locale;
    }
    compare(existing.provider == "b" ? "builtin locale" : "ICU locale", provider_locale,
            existing.provider_locale.value_or(""));
    if (request.icu_rules && server_version >= 160000) {
        compare("ICU rules", request.icu_rules, existing.icu_rules.value_or(""));
    }
    compare("tablespace", request.tablespace, existing.tablespace);
    return differences;
}

/// CREATE DATABASE copies its template and needs it to itself (55006 when another session is
/// connected; the server has already waited 5 s for them to leave). The error names them.
Error template_in_use(Session& session, const Request& request, const SqlError& error) {
    const std::string template_name = request.template_db.value_or("template1");
    const Result sessions = session.query(
        "SELECT pid, usename, application_name, coalesce(client_addr::text, 'local'), state "
        "FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid() "
        "ORDER BY backend_start",
        {template_name});
    std::string detail;
    for (int row = 0; row < sessions.rows(); ++row) {
        detail += fmt::format("{}pid {} (user {}, application \"{}\", from {}, {})",
                              detail.empty() ? "Connected to it: " : "; ", sessions.text(row, 0),
                              sessions.text(row, 1), sessions.text(row, 2), sessions.text(row, 3),
                              sessions.text(row, 4));
    }
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
        if (!request_.comment) return;
        try {
            session.execute(comment_statement(session));
        } catch (const Error& error) {
            throw Error(error.code(),
                        fmt::format("comment creation failed (database was created): {}",
                                    error.what()),
                        error.detail(), error.hint(), error.sqlstate());
        }
    }

    /// The owner, connection limit and comment asked for; encoding, locale, provider and
    /// tablespace cannot change in place, and a difference there is exit 5.
    Plan plan(Session& session) override {
        if (request_.icu_rules && session.server_version() < 160000) {
            throw Error(Exit::server, "option \"icu_rules\" not recognized",
                        "ICU rules need PostgreSQL 16 or later.", {}, "42601");
        }
        const Existing& existing = this->existing();
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
        if (request_.comment && *request_.comment != existing.comment.value_or("")) {
            plan.add("comment", Statement::plain(comment_statement(session)));
        }
        return plan;
    }

private:
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

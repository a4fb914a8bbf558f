#include "tools/pg-createdb/creation_checks.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cctype>

#include "common/errors.hpp"

namespace pgkit {
namespace {

constexpr const char* same_or_template0 = "Use the same {} as in the template database, or use "
                                          "template0 as template.";

/// The server's refusal, as CREATE DATABASE words it.
[[noreturn]] void refuse(const char* sqlstate, std::string message, std::string detail = {},
                         std::string hint = {}) {
    throw Error(Exit::server, std::move(message), std::move(detail), std::move(hint), sqlstate);
}

/// Asks the server whether it has a libc locale: CREATE COLLATION opens it as CREATE DATABASE
/// does, in a transaction that is rolled back.
bool server_has_locale(Session& session, const std::string& locale) {
    const std::string literal = session.quote_literal(locale);
    session.query("BEGIN");
    bool found = true;
    try {
        session.query(fmt::format("CREATE COLLATION pg_temp.pgkit_locale_check (LC_COLLATE = {}, "
                                  "LC_CTYPE = {})",
                                  literal, literal));
    } catch (const SqlError& error) {
        // "could not create locale": the operating system has no such locale (another error,
        // such as no right to a temporary schema, proves nothing either way).
        found = error.sqlstate() != "22023" && error.sqlstate() != "58P01";
    }
    session.query("ROLLBACK");
    return found;
}

}  // namespace

std::optional<int> encoding_of_locale(const std::string& locale) {
    if (locale == "C" || locale == "POSIX") return std::nullopt;
    const auto dot = locale.find('.');
    if (dot == std::string::npos) return std::nullopt;
    const std::string codeset = locale.substr(dot + 1, locale.find('@', dot) - dot - 1);
    const int id = pg_char_to_encoding(codeset.c_str());
    if (id < 0) return std::nullopt;
    return id;
}

void check_creation(Session& session, const Request& request) {
    const int version = session.server_version();
    const std::string template_name = request.template_db.value_or("template1");
    const char* provider = version >= 150000 ? "t.datlocprovider::text" : "'c'";
    // On 16 and later the owner must be a role the connecting one can SET ROLE to; before,
    // one it is a member of.
    const char* may_act_as = version >= 160000 ? "SET" : "MEMBER";
    const Result row = session.query(
        fmt::format(
            "SELECT r.rolsuper, r.rolcreatedb, o.oid IS NOT NULL AS owner_exists,"
            " CASE WHEN o.oid IS NULL THEN true ELSE pg_catalog.pg_has_role(o.oid, '{}') END AS can_own,"
            " t.oid IS NOT NULL AS template_exists, t.datistemplate,"
            " CASE WHEN t.oid IS NULL THEN false ELSE pg_catalog.pg_has_role(t.datdba, 'USAGE') END"
            " AS owns_template,"
            " pg_catalog.pg_encoding_to_char(t.encoding) AS template_encoding, t.encoding AS"
            " template_encoding_id, t.datcollate, t.datctype, {} AS template_provider,"
            " s.oid IS NOT NULL AS tablespace_exists,"
            " CASE WHEN s.oid IS NULL THEN false ELSE pg_catalog.has_tablespace_privilege(s.oid,"
            " 'CREATE') END AS may_use_tablespace"
            " FROM pg_catalog.pg_roles r"
            " LEFT JOIN pg_catalog.pg_roles o ON o.rolname = $1"
            " LEFT JOIN pg_catalog.pg_database t ON t.datname = $2"
            " LEFT JOIN pg_catalog.pg_tablespace s ON s.spcname = $3"
            " WHERE r.rolname = CURRENT_USER",
            may_act_as, provider),
        {request.owner, template_name, request.tablespace});
    if (row.rows() != 1) return;  // the connecting role is not in pg_roles: nothing to go on
    const auto flag = [&row](const char* column) { return row.text(0, row.column(column)) == "t"; };
    const auto text = [&row](const char* column) {
        return std::string(row.text(0, row.column(column)));
    };
    const bool superuser = flag("rolsuper");
    if (request.owner && !flag("owner_exists")) {
        refuse("42704", fmt::format("role \"{}\" does not exist", *request.owner));
    }
    if (!superuser && !flag("rolcreatedb")) refuse("42501", "permission denied to create database");
    if (request.owner && !superuser && !flag("can_own")) {
        refuse("42501", version >= 160000
                            ? fmt::format("must be able to SET ROLE \"{}\"", *request.owner)
                            : fmt::format("must be member of role \"{}\"", *request.owner));
    }
    if (!flag("template_exists")) {
        refuse("3D000", fmt::format("template database \"{}\" does not exist", template_name));
    }
    if (!flag("datistemplate") && !superuser && !flag("owns_template")) {
        refuse("42501", fmt::format("permission denied to copy database \"{}\"", template_name));
    }
    // The settings the new database gets: those asked for, else the template's.
    const std::string template_encoding = text("template_encoding");
    const int encoding_id = request.encoding ? pg_char_to_encoding(request.encoding->c_str())
                                             : std::stoi(text("template_encoding_id"));
    const std::string encoding = request.encoding ? pg_encoding_to_char(encoding_id) : template_encoding;
    const std::string collate = request.lc_collate ? *request.lc_collate
                                : request.locale   ? *request.locale
                                                   : text("datcollate");
    const std::string ctype = request.lc_ctype ? *request.lc_ctype
                              : request.locale ? *request.locale
                                               : text("datctype");
    // The template's own locales exist; those asked for are tried on the server.
    if (request.lc_collate || request.lc_ctype || request.locale) {
        for (const std::string* locale : {&collate, &ctype}) {
            if (locale == &ctype && ctype == collate) break;
            if (!server_has_locale(session, *locale)) {
                refuse("42809", version >= 160000
                                    ? fmt::format("invalid {} locale name: \"{}\"",
                                                  locale == &collate ? "LC_COLLATE" : "LC_CTYPE", *locale)
                                    : fmt::format("invalid locale name: \"{}\"", *locale));
            }
        }
    }
    for (const auto& [locale, setting] : {std::pair{&ctype, "LC_CTYPE"}, std::pair{&collate, "LC_COLLATE"}}) {
        const auto needs = encoding_of_locale(*locale);
        if (needs && *needs != encoding_id && *needs != pg_char_to_encoding("SQL_ASCII") &&
            !(encoding == "SQL_ASCII" && superuser)) {
            refuse("22023", fmt::format("encoding \"{}\" does not match locale \"{}\"", encoding, *locale),
                   fmt::format("The chosen {} setting requires encoding \"{}\".", setting,
                               pg_encoding_to_char(*needs)));
        }
    }
    if (template_name != "template0") {
        if (encoding_id != std::stoi(text("template_encoding_id"))) {
            refuse("22023",
                   fmt::format("new encoding ({}) is incompatible with the encoding of the template "
                               "database ({})",
                               encoding, template_encoding),
                   {}, fmt::format(same_or_template0, "encoding"));
        }
        if (collate != text("datcollate")) {
            refuse("22023",
                   fmt::format("new collation ({}) is incompatible with the collation of the "
                               "template database ({})",
                               collate, text("datcollate")),
                   {}, fmt::format(same_or_template0, "collation"));
        }
        if (ctype != text("datctype")) {
            refuse("22023",
                   fmt::format("new LC_CTYPE ({}) is incompatible with the LC_CTYPE of the template "
                               "database ({})",
                               ctype, text("datctype")),
                   {}, fmt::format(same_or_template0, "LC_CTYPE"));
        }
        const std::string template_provider = text("template_provider");
        const std::string provider_word = template_provider == "i"   ? "icu"
                                          : template_provider == "b" ? "builtin"
                                                                     : "libc";
        if (request.locale_provider && *request.locale_provider != provider_word) {
            refuse("22023",
                   fmt::format("new locale provider ({}) does not match locale provider of the "
                               "template database ({})",
                               *request.locale_provider, provider_word),
                   {}, fmt::format(same_or_template0, "locale provider"));
        }
    }
    if (request.tablespace) {
        if (!flag("tablespace_exists")) {
            refuse("42704", fmt::format("tablespace \"{}\" does not exist", *request.tablespace), {},
                   "Check the name, or create the tablespace first.");
        }
        if (!superuser && !flag("may_use_tablespace")) {
            refuse("42501", fmt::format("permission denied for tablespace {}", *request.tablespace));
        }
        if (*request.tablespace == "pg_global") {
            refuse("22023", "pg_global cannot be used as default tablespace");
        }
    }
}

}  // namespace pgkit

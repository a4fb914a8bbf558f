#include "tools/pg-createdb/existing_database.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"
#include "tools/pg-createdb/locale_names.hpp"

#include <libpq-fe.h>  // pg_char_to_encoding

namespace pgkit {

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
        "SELECT d.oid, pg_catalog.pg_get_userbyid(d.datdba) AS owner,"
        " pg_catalog.pg_encoding_to_char(d.encoding) AS encoding, d.encoding AS encoding_id,"
        " d.datcollate AS collate, d.datctype AS ctype, {} AS provider,"
        " {} AS provider_locale, {} AS icu_rules, d.datconnlimit AS connection_limit,"
        " d.datistemplate AS is_template, d.datallowconn AS allow_connections,"
        " {} AS tablespace, {} AS tablespace_exists, {} AS comment"
        " FROM pg_catalog.pg_database d WHERE d.datname = $1",
        provider, provider_locale, icu_rules,
        request.tablespace ? "(SELECT t.spcname FROM pg_catalog.pg_tablespace t"
                             " WHERE t.oid = d.dattablespace)"
                           : "NULL::pg_catalog.name",
        request.tablespace ? "EXISTS (SELECT FROM pg_catalog.pg_tablespace t WHERE t.spcname = $2)"
                           : "true",
        request.comment ? "pg_catalog.shobj_description(d.oid, 'pg_database')" : "NULL::text");
    const Result result = request.tablespace ? session.query(sql, {dbname, request.tablespace})
                                             : session.query(sql, {dbname});
    if (result.rows() == 0) return std::nullopt;
    auto text = [&](const char* column) { return std::string(result.text(0, result.column(column))); };
    Existing existing;
    existing.oid = text("oid");
    existing.owner = text("owner");
    existing.encoding = text("encoding");
    existing.encoding_id = std::stoi(text("encoding_id"));
    existing.collate = text("collate");
    existing.ctype = text("ctype");
    existing.provider = text("provider");
    existing.connection_limit = std::stoi(text("connection_limit"));
    existing.is_template = text("is_template") == "t";
    existing.allow_connections = text("allow_connections") == "t";
    existing.tablespace = text("tablespace");  // "" when not asked for
    existing.tablespace_exists = text("tablespace_exists") == "t";
    existing.provider_locale = result.value(0, result.column("provider_locale"));
    existing.icu_rules = result.value(0, result.column("icu_rules"));
    existing.comment = result.value(0, result.column("comment"));
    return existing;
}

std::vector<std::string> fixed_differences(const Request& request, const Existing& existing,
                                           int server_version) {
    std::vector<std::string> differences;
    // Names are compared by what they name: locales as the C library and ICU read them.
    using Same = bool (*)(const std::string&, const std::string&);
    const Same exactly = [](const std::string& a, const std::string& b) { return a == b; };
    auto compare = [&](const char* what, const std::optional<std::string>& asked,
                       const std::string& actual, Same same) {
        if (asked && !same(*asked, actual)) {
            differences.push_back(fmt::format("{} is \"{}\", not \"{}\"", what, actual, *asked));
        }
    };
    if (request.encoding && pg_char_to_encoding(request.encoding->c_str()) != existing.encoding_id) {
        differences.push_back(
            fmt::format("encoding is {}, not {}", existing.encoding, *request.encoding));
    }
    compare("LC_COLLATE", request.lc_collate ? request.lc_collate : request.locale,
            existing.collate, same_libc_locale);
    compare("LC_CTYPE", request.lc_ctype ? request.lc_ctype : request.locale, existing.ctype,
            same_libc_locale);
    const std::string& provider = existing.provider;
    compare("locale provider", request.locale_provider,
            provider == "i" ? "icu" : provider == "b" ? "builtin" : "libc", exactly);
    // The ICU or builtin locale: asked for directly, or through --locale for such a provider.
    std::optional<std::string> provider_locale;
    if (existing.provider == "i") {
        provider_locale = request.icu_locale ? request.icu_locale : request.locale;
    } else if (existing.provider == "b") {
        provider_locale = request.builtin_locale ? request.builtin_locale : request.locale;
    } else if (request.icu_locale) {
        provider_locale = request.icu_locale;
    }
    // PostgreSQL 16 and later store an ICU locale as its language tag (en_US is en-US).
    compare(existing.provider == "b" ? "builtin locale" : "ICU locale", provider_locale,
            existing.provider_locale.value_or(""),
            existing.provider == "b" ? same_libc_locale : same_icu_locale);
    if (request.icu_rules && server_version >= 160000) {
        compare("ICU rules", request.icu_rules, existing.icu_rules.value_or(""), exactly);
    }
    compare("tablespace", request.tablespace, existing.tablespace, exactly);
    return differences;
}

void refuse_options_the_server_lacks(const Request& request, int server_version) {
    struct Newer {
        bool given;
        const char* option;
        int version;
    };
    for (const Newer& newer : {Newer{request.strategy.has_value(), "strategy", 150000},
                               Newer{request.locale_provider.has_value(), "locale_provider", 150000},
                               Newer{request.icu_locale.has_value(), "icu_locale", 150000},
                               Newer{request.icu_rules.has_value(), "icu_rules", 160000},
                               Newer{request.builtin_locale.has_value(), "builtin_locale", 170000}}) {
        if (newer.given && server_version < newer.version) {
            throw Error(Exit::server, fmt::format("option \"{}\" not recognized", newer.option),
                        fmt::format("It needs PostgreSQL {} or later.", newer.version / 10000),
                        {}, "42601");
        }
    }
}

}  // namespace pgkit

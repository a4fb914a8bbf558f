/// pg-grant: GRANT and REVOKE for scripts, converged with the catalog.
///
/// One kind of object per run (the database of -d, schemas, tables, sequences, functions or
/// types, named by psql-style patterns), one list of privileges, one or more grantees. What
/// each grantee holds on each object is read from the catalog (aclexplode over the ACL, or
/// over acldefault() where the ACL is still the default; pg_default_acl for --for-future), so
/// ALL and its expansion are the same and a privilege already held is no change. Only the
/// difference is sent: GRANT/REVOKE statements that name every object needing the same
/// change, in one transaction that holds an advisory lock (concurrent runs take turns, read
/// again under the lock, and find nothing left to do), then the catalog is read once more in
/// that transaction: what the server did not do (a grant without the grant option, which is
/// only a warning; a revoke of another grantor's grant) fails the run before it commits.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/name_pattern.hpp"
#include "common/names.hpp"
#include "common/text.hpp"
#include "common/tool.hpp"
#include "tools/pg-grant/privileges.hpp"

namespace {

using namespace pgkit;
using namespace pgkit::grant;

struct Request {
    std::string privileges;
    std::vector<std::string> grantees;
    bool database = false;
    std::vector<std::string> schemas, tables, sequences, functions, types;
    std::optional<std::string> for_future;
    bool revoke = false, exact = false, with_grant_option = false, cascade = false;

    Kind kind = Kind::table;
    PrivilegeList asked;
    Mode mode = Mode::grant;

    const std::vector<std::string>& patterns() const {
        switch (kind) {
            case Kind::schema: return schemas;
            case Kind::table: return tables;
            case Kind::sequence: return sequences;
            case Kind::function: return functions;
            case Kind::type: return types;
            case Kind::database: break;
        }
        return schemas;  // --database has none
    }
};

/// PUBLIC is GRANT's keyword. Only PUBLIC and public: role names are taken as typed, and a
/// role may be called "Public".
bool is_public(const std::string& grantee) { return grantee == "PUBLIC" || grantee == "public"; }

/// A name as reports show it: in double quotes, a quote in it doubled (as SQL writes it).
std::string shown_name(std::string_view name) {
    std::string text = "\"";
    for (const char c : name) {
        text += c;
        if (c == '"') text += '"';
    }
    return text + "\"";
}

/// Whether a --function pattern holds an argument list: "(" right after a name character,
/// outside double quotes (a group of a regular expression, "app.(add|sub)", follows a dot).
bool looks_like_arguments(std::string_view pattern) {
    bool in_quotes = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '"') in_quotes = !in_quotes;
        if (in_quotes || pattern[i] != '(' || i == 0) continue;
        const char before = pattern[i - 1];
        if (std::isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '"') {
            return true;
        }
    }
    return false;
}

/// Everything that can be checked without a server; exit 2.
void validate(Request& request) {
    const std::vector<std::pair<Kind, bool>> given = {
        {Kind::database, request.database},          {Kind::schema, !request.schemas.empty()},
        {Kind::table, !request.tables.empty()},      {Kind::sequence, !request.sequences.empty()},
        {Kind::function, !request.functions.empty()}, {Kind::type, !request.types.empty()}};
    int kinds = 0;
    for (const auto& [kind, present] : given) {
        if (present) {
            request.kind = kind;
            ++kinds;
        }
    }
    if (request.privileges.empty()) throw UsageError("missing required argument PRIVILEGES");
    if (kinds == 0) {
        throw UsageError("no objects named",
                         "Name them with --database, --schema, --table, --sequence, --function "
                         "or --type.");
    }
    if (kinds > 1) {
        throw UsageError("one kind of object per run",
                         "Run pg-grant once for each kind (the privileges differ).");
    }
    request.asked = parse_privileges(request.privileges, request.kind);
    if (request.grantees.empty()) {
        throw UsageError("missing required argument ROLE", "Name the grantees, or PUBLIC.");
    }
    for (const auto& grantee : request.grantees) {
        if (!is_public(grantee)) check_identifier("role name", grantee);
    }
    if (request.revoke && request.exact) {
        throw UsageError("--revoke and --exact cannot be used together");
    }
    if (request.cascade && !request.revoke && !request.exact) {
        throw UsageError("--cascade needs --revoke or --exact");
    }
    if (request.with_grant_option && !request.revoke &&
        std::any_of(request.grantees.begin(), request.grantees.end(), is_public)) {
        throw UsageError("grant options can only be granted to roles, not to PUBLIC");
    }
    request.mode = request.revoke ? Mode::revoke : request.exact ? Mode::exact : Mode::grant;
    for (const auto& pattern : request.patterns()) {
        if (pattern.empty()) throw UsageError("a pattern must not be empty");
        if (request.kind == Kind::schema) {
            parse_single_pattern(pattern, "schema");
            continue;
        }
        if (request.kind == Kind::function && looks_like_arguments(pattern)) {
            throw UsageError(
                fmt::format("--function takes a name pattern, not an argument list: \"{}\"", pattern),
                "Every overload of the names matched is granted: --function 'app.add'.");
        }
        const NamePattern parsed = parse_name_pattern(pattern);
        if (request.for_future && (!parsed.has_schema_part || parsed.name_regex)) {
            // SCHEMA.* for one schema's future objects, *.* for every schema's.
            throw UsageError(
                fmt::format("--for-future needs patterns of the form SCHEMA.*, not \"{}\"", pattern),
                "Default privileges are set per schema: --" + std::string(kind_info(request.kind).option) +
                    " 'app.*' --for-future=OWNER.");
        }
    }
    if (request.for_future) {
        if (request.kind == Kind::database) {
            throw UsageError("--for-future does not apply to --database",
                             "Default privileges exist for schemas, tables, sequences, functions "
                             "and types.");
        }
        check_identifier("--for-future role", *request.for_future);
        if (is_public(*request.for_future)) {
            throw UsageError("--for-future names the role that will create the objects, not PUBLIC");
        }
    }
}

/// A grantee (or the --for-future role) as the catalog knows it.
struct Role {
    std::string name;
    std::string oid;  ///< "0" for PUBLIC, as aclexplode reports it
    bool is_public = false;

    std::string sql(const Session& session) const {
        return is_public ? "PUBLIC" : session.quote_ident(name);
    }
    std::string shown() const { return is_public ? "PUBLIC" : shown_name(name); }
};

/// An SQL array literal of text values, for a $n parameter.
std::string text_array(const std::vector<std::string>& values) {
    std::string literal = "{";
    for (const auto& value : values) {
        if (literal.size() > 1) literal += ',';
        literal += '"';
        for (const char c : value) {
            if (c == '"' || c == '\\') literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    return literal + "}";
}

/// The roles named (PUBLIC as oid 0), and the database connected to, in one query. Throws the
/// server's words for a role that does not exist.
std::vector<Role> look_up_roles(Session& session, const std::vector<std::string>& names,
                                std::string& database) {
    const Result rows = session.query(
        // to_regrole over the quoted name: a catalog cache lookup, where the pg_roles view
        // would join three tables (this runs on every run, changed or not).
        "SELECT pg_catalog.current_database(), r.name,"
        " pg_catalog.to_regrole(pg_catalog.quote_ident(r.name))::pg_catalog.oid::pg_catalog.text"
        " FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY r(name, i) ORDER BY r.i",
        {text_array(names)});
    std::vector<Role> roles;
    for (int row = 0; row < rows.rows(); ++row) {
        database = std::string(rows.text(row, 0));
        const std::string name(rows.text(row, 1));
        if (is_public(name)) {
            roles.push_back({"PUBLIC", "0", true});
        } else if (rows.is_null(row, 2)) {
            throw Error(Exit::server, fmt::format("role {} does not exist", shown_name(name)), {},
                        "Create it first (pg-createuser), or check the spelling.", "42704");
        } else {
            roles.push_back({name, std::string(rows.text(row, 2)), false});
        }
    }
    return roles;
}

/// One object (or, with --for-future, one schema's future objects) and what each grantee
/// holds on it.
struct Target {
    std::string key;                    ///< the object's oid; "future:" + schema
    std::optional<std::string> schema;  ///< nothing for a database, a schema, future schemas
    std::string name;                   ///< the object's name; "" for future objects
    std::optional<std::string> signature;  ///< a function's identity arguments
    std::string keyword;                ///< TABLE, SEQUENCE, FUNCTION, PROCEDURE, TYPE, DOMAIN...
    bool future = false;
    std::map<std::string, Held> held;   ///< by grantee oid
    /// A schema's future objects: what the role's default privileges for every schema give
    /// besides (by grantee oid), which that schema's own cannot take away.
    std::map<std::string, Held> inherited;
    /// Who granted what each grantee holds (by grantee oid, then privilege): for the error
    /// when a revoke leaves it.
    std::map<std::string, std::map<std::string, std::set<std::string>>> grantors;

    /// How GRANT names it: "app"."orders", "app"."f"(integer).
    std::string sql_name(const Session& session) const {
        std::string quoted = session.quote_qualified(schema, name);
        if (signature) quoted += "(" + *signature + ")";
        return quoted;
    }
    /// How reports name it: "app"."orders", "app"."f"(integer).
    std::string shown() const {
        std::string text = schema ? shown_name(*schema) + "." + shown_name(name) : shown_name(name);
        if (signature) text += "(" + *signature + ")";
        return text;
    }
};

/// What the catalog holds for one run's objects.
struct Snapshot {
    std::vector<Target> targets;
};

/// Adds one aclexplode row (columns from `first`: grantee, privilege, grantable, grantor).
void add_acl_row(Target& target, const Result& rows, int row, int first) {
    if (rows.is_null(row, first)) return;
    const std::string grantee(rows.text(row, first));
    const std::string privilege(rows.text(row, first + 1));
    Held& held = target.held[grantee];
    held.privileges.insert(privilege);
    if (rows.text(row, first + 2) == "t") held.grantable.insert(privilege);
    target.grantors[grantee][privilege].insert(std::string(rows.text(row, first + 3)));
}

std::string oid_array(const std::vector<Role>& roles) {
    std::vector<std::string> oids;
    for (const Role& role : roles) oids.push_back(role.oid);
    return fmt::format("{{{}}}", fmt::join(oids, ","));
}

/// The run: what it asks for, resolved on this server.
struct Context {
    const Request& request;
    std::vector<Role> grantees;
    std::optional<Role> owner;  ///< --for-future
    std::vector<std::string> asked;
    std::vector<std::string> all;  ///< the kind's privileges on this server
    std::string database;          ///< current_database(), for three-part patterns
    int server_version = 0;
};

/// Where the catalog keeps each kind: the FROM list, the ACL (the default one where it is
/// NULL), the name, its schema, the GRANT keyword of each object, and what else filters it.
struct Source {
    const char* from;
    const char* acl;
    const char* name;
    const char* schema;
    const char* signature;
    const char* keyword;
    const char* where;
};

Source source_of(Kind kind, int server_version) {
    switch (kind) {
        case Kind::database:
            return {"pg_catalog.pg_database o",
                    "COALESCE(o.datacl, pg_catalog.acldefault('d', o.datdba))", "o.datname", "NULL",
                    "NULL", "'DATABASE'", "o.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()"};
        case Kind::schema:
            return {"pg_catalog.pg_namespace o",
                    "COALESCE(o.nspacl, pg_catalog.acldefault('n', o.nspowner))", "o.nspname", "NULL",
                    "NULL", "'SCHEMA'", "true"};
        case Kind::table:
            return {"pg_catalog.pg_class o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.relnamespace",
                    "COALESCE(o.relacl, pg_catalog.acldefault('r', o.relowner))", "o.relname",
                    "n.nspname", "NULL", "'TABLE'", "o.relkind IN ('r', 'v', 'm', 'f', 'p')"};
        case Kind::sequence:
            return {"pg_catalog.pg_class o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.relnamespace",
                    "COALESCE(o.relacl, pg_catalog.acldefault('s', o.relowner))", "o.relname",
                    "n.nspname", "NULL", "'SEQUENCE'", "o.relkind OPERATOR(pg_catalog.=) 'S'"};
        case Kind::function:
            return {"pg_catalog.pg_proc o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.pronamespace",
                    "COALESCE(o.proacl, pg_catalog.acldefault('f', o.proowner))", "o.proname",
                    // An ordered-set aggregate's identity arguments say ORDER BY, which GRANT
                    // does not take: its argument types instead.
                    "n.nspname",
                    "CASE o.prokind WHEN 'a' THEN pg_catalog.oidvectortypes(o.proargtypes)"
                    " ELSE pg_catalog.pg_get_function_identity_arguments(o.oid) END",
                    "CASE o.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END", "true"};
        case Kind::type:
            // As psql's \dT: no array types, no row types of tables; multiranges only before
            // PostgreSQL 17, which made their privileges their range's.
            return {"pg_catalog.pg_type o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.typnamespace",
                    "COALESCE(o.typacl, pg_catalog.acldefault('T', o.typowner))", "o.typname",
                    "n.nspname", "NULL",
                    "CASE o.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END",
                    server_version < 170000 ? "o.typtype IN ('b', 'c', 'd', 'e', 'r', 'm')"
                                            " AND (o.typrelid OPERATOR(pg_catalog.=) 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
                                            " WHERE c.oid OPERATOR(pg_catalog.=) o.typrelid AND c.relkind OPERATOR(pg_catalog.=) 'c'))"
                                            " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid OPERATOR(pg_catalog.=) o.typelem"
                                            " AND e.typarray OPERATOR(pg_catalog.=) o.oid)"
                                            :
                    "o.typtype IN ('b', 'c', 'd', 'e', 'r')"
                    " AND (o.typrelid OPERATOR(pg_catalog.=) 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
                    " WHERE c.oid OPERATOR(pg_catalog.=) o.typrelid AND c.relkind OPERATOR(pg_catalog.=) 'c'))"
                    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.oid OPERATOR(pg_catalog.=) o.typelem"
                    " AND e.typarray OPERATOR(pg_catalog.=) o.oid)"};
    }
    return source_of(Kind::table, server_version);
}

/// The condition for one schema column: a pattern's regular expression, and system schemas
/// (pg_*, information_schema) left out unless the pattern names one exactly.
std::string schema_condition(const std::string& column, const std::optional<std::string>& regex,
                             const std::optional<std::string>& exact,
                             std::vector<std::optional<std::string>>& params) {
    std::string condition = "true";
    if (exact) {
        // A plain name: equality, which the planner answers from the catalog's index at
        // once, where a regular expression has its selectivity estimated.
        params.emplace_back(*exact);
        return fmt::format("{} OPERATOR(pg_catalog.=) ${}::pg_catalog.name", column, params.size());
    }
    if (regex) {
        params.emplace_back(*regex);
        condition = fmt::format("{} OPERATOR(pg_catalog.~) ${}", column, params.size());
    }
    {
        condition += fmt::format(" AND {0} OPERATOR(pg_catalog.!~) '^pg_' AND {0} "
                                 "OPERATOR(pg_catalog.<>) 'information_schema'",
                                 column);
    }
    return condition;
}

/// The parameters of one query: $1 is the grantees' oids; the rest are added as the SQL is
/// written.
using Params = std::vector<std::optional<std::string>>;

std::string param(Params& params, std::string value) {
    params.emplace_back(std::move(value));
    return fmt::format("${}", params.size());
}

/// Rows of the objects the patterns match, with what the grantees hold on each: 'o', the
/// oid, schema, name, arguments, GRANT keyword, then an aclexplode row (or NULLs).
std::string objects_sql(const Context& context, Params& params) {
    const Request& request = context.request;
    const Source source = source_of(request.kind, context.server_version);
    std::string matches = "true";
    if (request.kind == Kind::schema) {
        std::vector<std::string> any;
        for (const auto& pattern : request.schemas) {
            any.push_back(schema_condition("o.nspname", parse_single_pattern(pattern, "schema"),
                                           single_pattern_name(pattern, "schema"), params));
        }
        matches = fmt::format("({})", fmt::join(any, ") OR ("));
    } else if (request.kind != Kind::database) {
        std::vector<std::string> any;
        for (const auto& text : request.patterns()) {
            const NamePattern pattern = parse_name_pattern(text, context.database);
            std::string condition = schema_condition("n.nspname", pattern.schema_regex,
                                                     pattern.schema_name, params);
            if (pattern.name) {
                condition += fmt::format(" AND {} OPERATOR(pg_catalog.=) {}::pg_catalog.name",
                                         source.name, param(params, *pattern.name));
            } else if (pattern.name_regex) {
                condition += fmt::format(" AND {} OPERATOR(pg_catalog.~) {}", source.name,
                                         param(params, *pattern.name_regex));
            }
            any.push_back(condition);
        }
        matches = fmt::format("({})", fmt::join(any, ") OR ("));
    }
    return fmt::format(
        "SELECT 'o'::pg_catalog.text, o.oid::pg_catalog.text, ({schema})::pg_catalog.text,"
        " {name}::pg_catalog.text, ({signature})::pg_catalog.text, ({keyword})::pg_catalog.text,"
        " a.grantee::pg_catalog.text, a.privilege_type, a.is_grantable,"
        " pg_catalog.pg_get_userbyid(a.grantor)::pg_catalog.text"
        " FROM {from} LEFT JOIN LATERAL pg_catalog.aclexplode({acl}) a"
        " ON a.grantee OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])"
        " WHERE {where} AND {matches}",
        fmt::arg("schema", source.schema), fmt::arg("name", source.name),
        fmt::arg("signature", source.signature), fmt::arg("keyword", source.keyword),
        fmt::arg("from", source.from), fmt::arg("acl", source.acl), fmt::arg("where", source.where),
        fmt::arg("matches", matches));
}

/// Whether a --for-future pattern is for every schema (its schema part is "*"): the role's
/// default privileges without IN SCHEMA.
bool for_every_schema(const NamePattern& pattern) {
    return pattern.has_schema_part && !pattern.schema_regex;
}

/// Whether --for-future sets the role's default privileges for every schema: for a "*"
/// schema part, and always for --schema (schemas have no other).
bool future_for_every_schema(const Context& context) {
    if (context.request.kind == Kind::schema) return true;
    for (const auto& text : context.request.patterns()) {
        if (for_every_schema(parse_name_pattern(text, context.database))) return true;
    }
    return false;
}

/// Rows of what --for-future sets, in the columns of objects_sql ('f', no oid, the schema or
/// NULL for every schema): the role's default privileges in each schema the patterns name
/// (per-schema entries of pg_default_acl), and for every schema (the global entry, or the
/// built-in defaults where it has none), which the server adds to a schema's own.
std::string future_sql(const Context& context, Params& params) {
    const Request& request = context.request;
    const KindInfo& info = kind_info(request.kind);
    const std::string owner = param(params, context.owner->oid);
    const std::string type = param(params, std::string(1, info.default_acl_type));
    const std::string builtin = param(params, std::string(1, info.acldefault_type));
    std::vector<std::string> any;
    if (request.kind != Kind::schema) {
        for (const auto& text : request.patterns()) {
            const NamePattern pattern = parse_name_pattern(text, context.database);
            if (for_every_schema(pattern)) continue;
            any.push_back(schema_condition("n.nspname", pattern.schema_regex,
                                           pattern.schema_name, params));
        }
    }
    const std::string columns =
        "a.grantee::pg_catalog.text, a.privilege_type, a.is_grantable,"
        " pg_catalog.pg_get_userbyid(a.grantor)::pg_catalog.text";
    std::string sql = fmt::format(
        "SELECT 'f', NULL, NULL, NULL, NULL, NULL, {columns}"
        " FROM pg_catalog.aclexplode(COALESCE((SELECT d.defaclacl FROM pg_catalog.pg_default_acl d"
        " WHERE d.defaclrole OPERATOR(pg_catalog.=) {owner}::pg_catalog.oid"
        " AND d.defaclnamespace OPERATOR(pg_catalog.=) 0"
        " AND d.defaclobjtype OPERATOR(pg_catalog.=) {type}::pg_catalog.\"char\"),"
        " pg_catalog.acldefault({builtin}::pg_catalog.\"char\", {owner}::pg_catalog.oid))) a"
        " WHERE a.grantee OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
        fmt::arg("columns", columns), fmt::arg("owner", owner), fmt::arg("type", type),
        fmt::arg("builtin", builtin));
    if (!any.empty()) {
        sql += fmt::format(
            " UNION ALL SELECT 'f', NULL, n.nspname::pg_catalog.text, NULL, NULL, NULL, {columns}"
            " FROM pg_catalog.pg_namespace n LEFT JOIN LATERAL pg_catalog.aclexplode((SELECT"
            " d.defaclacl FROM pg_catalog.pg_default_acl d"
            " WHERE d.defaclrole OPERATOR(pg_catalog.=) {owner}::pg_catalog.oid"
            " AND d.defaclnamespace OPERATOR(pg_catalog.=) n.oid"
            " AND d.defaclobjtype OPERATOR(pg_catalog.=) {type}::pg_catalog.\"char\")) a"
            " ON a.grantee OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) WHERE ({any})",
            fmt::arg("columns", columns), fmt::arg("owner", owner), fmt::arg("type", type),
            fmt::arg("any", fmt::join(any, ") OR (")));
    }
    return sql;
}

/// What the catalog holds for the run: the objects, and with --for-future the future objects
/// (a schema's, and every schema's), in one query whatever the run asks.
Snapshot read_snapshot(Session& session, const Context& context) {
    Params params = {oid_array(context.grantees)};
    std::string sql = objects_sql(context, params);
    if (context.owner) sql += " UNION ALL " + future_sql(context, params);
    const Result rows = session.query(
        "SELECT * FROM (" + sql + ") r ORDER BY 1 DESC, 3 NULLS FIRST, 4, 5, 2", params);
    Snapshot snapshot;
    const KindInfo& info = kind_info(context.request.kind);
    Target global;
    global.key = "future:";
    global.keyword = std::string(info.future_keyword);
    global.future = true;
    std::vector<Target>& targets = snapshot.targets;
    for (int row = 0; row < rows.rows(); ++row) {
        const bool future = rows.text(row, 0) == "f";
        const std::optional<std::string> schema = rows.value(row, 2);
        if (future && !schema) {
            add_acl_row(global, rows, row, 6);
            continue;
        }
        const std::string key =
            future ? "future:" + *schema : std::string(rows.text(row, 1));
        if (targets.empty() || targets.back().key != key) {
            Target target;
            target.key = key;
            target.schema = schema;
            if (future) {
                target.keyword = std::string(info.future_keyword);
                target.future = true;
                target.inherited = global.held;  // the global rows come first (NULLS FIRST)
            } else {
                target.name = std::string(rows.text(row, 3));
                target.signature = rows.value(row, 4);
                target.keyword = std::string(rows.text(row, 5));
            }
            targets.push_back(std::move(target));
        }
        add_acl_row(targets.back(), rows, row, 6);
    }
    if (context.owner && future_for_every_schema(context)) {
        // Before the schemas' future objects, after the objects ('o' sorts first).
        const auto first_future = std::find_if(targets.begin(), targets.end(),
                                               [](const Target& t) { return t.future; });
        targets.insert(first_future, std::move(global));
    }
    return snapshot;
}

/// An object kind's "does not exist", as the server words it for that kind.
[[noreturn]] void throw_missing(std::string_view what, const std::string& name,
                                const char* sqlstate) {
    throw Error(Exit::server, fmt::format("{} \"{}\" does not exist", what, name), {},
                what == "schema"     ? "Create it first (pg-createschema), or check the spelling."
                : what == "table" || what == "sequence"
                    ? "Check the name (pg-listtables lists tables, views and sequences); a "
                      "pattern with a wildcard (app.*) may match nothing."
                    : "Check the name and its schema; a pattern with a wildcard (app.*) may "
                      "match nothing.",
                sqlstate);
}

/// A pattern without wildcards names an object that must exist, and a schema named exactly
/// must exist, as GRANT itself would refuse a missing name.
void check_named_objects_exist(Session& session, const Request& request,
                               const std::vector<Target>& objects, const std::string& database) {
    if (request.kind == Kind::database) return;
    const auto schema_exists = [&](const std::string& schema) {
        return session
                   .query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {schema})
                   .rows() > 0;
    };
    for (const auto& text : request.patterns()) {
        if (request.kind == Kind::schema) {
            const auto name = single_pattern_name(text, "schema");
            if (name && std::none_of(objects.begin(), objects.end(),
                                     [&](const Target& t) { return t.name == *name; })) {
                throw_missing("schema", *name, "3F000");
            }
            continue;
        }
        const NamePattern pattern = parse_name_pattern(text, database);
        const auto in_schema = [&](const Target& t) {
            return !pattern.schema_name || t.schema == pattern.schema_name;
        };
        if (pattern.schema_name &&
            std::none_of(objects.begin(), objects.end(), in_schema) &&
            !schema_exists(*pattern.schema_name)) {
            throw_missing("schema", *pattern.schema_name, "3F000");
        }
        if (!pattern.name) continue;
        if (std::none_of(objects.begin(), objects.end(), [&](const Target& t) {
                return in_schema(t) && t.name == *pattern.name;
            })) {
            const std::string shown =
                pattern.schema_name ? *pattern.schema_name + "." + *pattern.name : *pattern.name;
            switch (request.kind) {
                case Kind::function: throw_missing("function", shown, "42883");
                case Kind::type: throw_missing("type", shown, "42704");
                case Kind::sequence: throw_missing("sequence", shown, "42P01");
                default: throw_missing("table", shown, "42P01");
            }
        }
    }
}

/// One change for one grantee on one target.
struct Change {
    const Target* target;
    const Role* grantee;
    Difference difference;
};

/// What to send, and what it does.
struct Plan {
    std::vector<Change> changes;  ///< one per grantee and target that differs
    std::vector<Statement> statements;
    bool empty() const { return changes.empty(); }
};

enum class Operation { grant, revoke, revoke_grant_option };

/// The statements for a plan: one per grantee, operation, privilege list and keyword (objects)
/// or target (future objects), naming every object that takes that change.
std::vector<Statement> statements_for(const Session& session, const Request& request,
                                      const std::vector<Change>& changes,
                                      const std::optional<Role>& owner) {
    struct Group {
        const Role* grantee;
        Operation operation;
        std::vector<std::string> privileges;
        std::string keyword;
        const Target* future;  ///< future objects: one statement each
        std::vector<std::string> names;
    };
    std::vector<Group> groups;
    const auto add = [&](const Change& change, Operation operation,
                         const std::vector<std::string>& privileges) {
        if (privileges.empty()) return;
        const Target& target = *change.target;
        const Target* future = target.future ? &target : nullptr;
        for (Group& group : groups) {
            if (group.grantee == change.grantee && group.operation == operation &&
                group.privileges == privileges && group.keyword == target.keyword &&
                group.future == future) {
                group.names.push_back(target.sql_name(session));
                return;
            }
        }
        groups.push_back({change.grantee, operation, privileges, target.keyword, future,
                          {future ? std::string() : target.sql_name(session)}});
    };
    // Revokes first: with --exact, a grant option is taken back before the same privilege
    // could be granted again without it.
    for (const Change& change : changes) {
        add(change, Operation::revoke_grant_option, change.difference.revoke_grant_option);
        add(change, Operation::revoke, change.difference.revoke);
    }
    for (const Change& change : changes) {
        add(change, Operation::grant, change.difference.grant);
    }
    std::vector<Statement> statements;
    for (const Group& group : groups) {
        const std::string privileges = join_privileges(group.privileges);
        const std::string grantee = group.grantee->sql(session);
        std::string on;
        if (group.future) {
            on = fmt::format("ON {}", group.keyword);
        } else {
            on = fmt::format("ON {} {}", group.keyword, fmt::join(group.names, ", "));
        }
        std::string sql;
        switch (group.operation) {
            case Operation::grant:
                sql = fmt::format("GRANT {} {} TO {}{}", privileges, on, grantee,
                                  request.with_grant_option ? " WITH GRANT OPTION" : "");
                break;
            case Operation::revoke:
                sql = fmt::format("REVOKE {} {} FROM {}{}", privileges, on, grantee,
                                  request.cascade ? " CASCADE" : "");
                break;
            case Operation::revoke_grant_option:
                sql = fmt::format("REVOKE GRANT OPTION FOR {} {} FROM {}{}", privileges, on,
                                  grantee, request.cascade ? " CASCADE" : "");
                break;
        }
        if (group.future) {
            std::string prefix = fmt::format("ALTER DEFAULT PRIVILEGES FOR ROLE {}",
                                             owner->sql(session));
            if (group.future->schema) {
                prefix += " IN SCHEMA " + session.quote_ident(*group.future->schema);
            }
            sql = prefix + " " + sql;
        }
        statements.push_back(Statement::plain(sql));
    }
    return statements;
}



Plan make_plan(const Session& session, const Context& context, const Snapshot& snapshot) {
    Plan plan;
    for (const Role& grantee : context.grantees) {
        for (const Target& target : snapshot.targets) {
            const auto held = target.held.find(grantee.oid);
            Difference difference =
                grant::difference(context.asked, held == target.held.end() ? Held{} : held->second,
                                  context.request.mode, context.request.with_grant_option,
                                  context.all);
            if (!difference.empty()) plan.changes.push_back({&target, &grantee, difference});
        }
    }
    plan.statements = statements_for(session, context.request, plan.changes, context.owner);
    return plan;
}

/// How a report names a group of targets: `table "app"."orders"`, `12 tables in schema
/// "app"`, `future tables of "owner" in schema "app"`, `database "app"`.
std::string targets_phrase(const Context& context, const std::vector<const Target*>& targets) {
    const KindInfo& info = kind_info(context.request.kind);
    const Target& first = *targets.front();
    if (first.future) {
        const std::string where = first.schema                     ? " in schema " + shown_name(*first.schema)
                                  : context.request.kind == Kind::schema ? ""
                                                                         : " in every schema";
        return fmt::format("future {} of {}{}", info.plural, context.owner->shown(), where);
    }
    if (targets.size() == 1) {
        const std::string word = first.keyword == "PROCEDURE" ? "procedure"
                                 : first.keyword == "DOMAIN"  ? "domain"
                                                              : std::string(info.option);
        return fmt::format("{} {}", word, first.shown());
    }
    if (first.schema) {
        return fmt::format("{} {} in schema {}", targets.size(), info.plural, shown_name(*first.schema));
    }
    return fmt::format("{} {}", targets.size(), info.plural);
}

/// Targets grouped as reports name them: future objects each alone, objects by schema.
std::vector<std::vector<const Target*>> report_groups(const std::vector<const Target*>& targets) {
    std::vector<std::vector<const Target*>> groups;
    for (const Target* target : targets) {
        auto found = std::find_if(groups.begin(), groups.end(), [&](const auto& group) {
            return !target->future && !group.front()->future &&
                   group.front()->schema == target->schema;
        });
        if (found == groups.end()) {
            groups.push_back({target});
        } else {
            found->push_back(target);
        }
    }
    return groups;
}

/// The report: a line per grantee, operation and group of targets; for a grantee and group
/// with nothing to change, a line saying what it already has.
Outcome report(const Session& session, const Context& context, const Snapshot& snapshot,
               const Plan& plan) {
    const Request& request = context.request;
    const bool dry_run = session.options().dry_run;
    std::vector<std::string> lines, changes;
    nlohmann::json documents = nlohmann::json::array();
    const KindInfo& info = kind_info(request.kind);
    std::vector<const Target*> all_targets;
    for (const Target& target : snapshot.targets) all_targets.push_back(&target);
    const std::string grant_option = request.with_grant_option ? " with grant option" : "";
    for (const Role& grantee : context.grantees) {
        for (const auto& group : report_groups(all_targets)) {
            // Targets of this group with the same change, in the order met.
            std::vector<std::pair<const Difference*, std::vector<const Target*>>> same;
            for (const Target* target : group) {
                const auto change = std::find_if(plan.changes.begin(), plan.changes.end(),
                                                 [&](const Change& c) {
                                                     return c.target == target && c.grantee == &grantee;
                                                 });
                nlohmann::json document = {{"grantee", grantee.is_public ? "PUBLIC" : grantee.name},
                                           {"kind", info.option},
                                           {"schema", target->schema ? nlohmann::json(*target->schema)
                                                                     : nlohmann::json(nullptr)},
                                           {"name", target->future ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(target->name)}};
                if (target->signature) document["arguments"] = *target->signature;
                if (target->future) document["for_future"] = context.owner->name;
                if (change == plan.changes.end()) {
                    document["action"] = "unchanged";
                    document["granted"] = nlohmann::json::array();
                    document["revoked"] = nlohmann::json::array();
                    documents.push_back(document);
                    continue;
                }
                const Difference& d = change->difference;
                std::vector<std::string> granted, revoked;
                for (const auto& p : d.grant) {
                    granted.push_back(request.with_grant_option ? p + " WITH GRANT OPTION" : p);
                }
                for (const auto& p : d.revoke) revoked.push_back(p);
                for (const auto& p : d.revoke_grant_option) revoked.push_back("GRANT OPTION FOR " + p);
                document["action"] = "altered";
                document["granted"] = granted;
                document["revoked"] = revoked;
                documents.push_back(document);
                auto found = std::find_if(same.begin(), same.end(), [&](const auto& entry) {
                    return entry.first->grant == d.grant && entry.first->revoke == d.revoke &&
                           entry.first->revoke_grant_option == d.revoke_grant_option;
                });
                if (found == same.end()) {
                    same.push_back({&d, {target}});
                } else {
                    found->second.push_back(target);
                }
            }
            for (const auto& [d, targets] : same) {
                const std::string phrase = targets_phrase(context, targets);
                const std::string who = grantee.shown();
                if (!d->revoke_grant_option.empty()) {
                    changes.push_back(fmt::format("{} grant option for {} on {} from {}",
                                                  dry_run ? "would revoke" : "revoked",
                                                  join_privileges(d->revoke_grant_option), phrase,
                                                  who));
                }
                if (!d->revoke.empty()) {
                    changes.push_back(fmt::format("{} {} on {} from {}",
                                                  dry_run ? "would revoke" : "revoked",
                                                  join_privileges(d->revoke), phrase, who));
                }
                if (!d->grant.empty()) {
                    changes.push_back(fmt::format("{} {}{} on {} to {}",
                                                  dry_run ? "would grant" : "granted",
                                                  join_privileges(d->grant), grant_option, phrase,
                                                  who));
                }
            }
            if (same.empty()) {
                const std::string phrase = targets_phrase(context, group);
                const std::string privileges = join_privileges(context.asked) + grant_option;
                switch (request.mode) {
                    case Mode::grant:
                        lines.push_back(fmt::format("{} already has {} on {}", grantee.shown(),
                                                    privileges, phrase));
                        break;
                    case Mode::revoke:
                        lines.push_back(fmt::format("{} has no {} on {}", grantee.shown(),
                                                    privileges, phrase));
                        break;
                    case Mode::exact:
                        lines.push_back(fmt::format("{} already has exactly {} on {}",
                                                    grantee.shown(), privileges, phrase));
                        break;
                }
            }
        }
    }
    if (snapshot.targets.empty()) {
        lines.push_back(fmt::format("no {} match {}", info.plural,
                                    fmt::join(request.patterns(), ", ")));
    }
    Outcome outcome;
    std::vector<std::string> all_lines = changes;
    all_lines.insert(all_lines.end(), lines.begin(), lines.end());
    outcome.text = fmt::format("{}", fmt::join(all_lines, "\n"));
    outcome.json = {{"action", plan.empty() ? "unchanged" : "altered"},
                    {"changes", changes},
                    {"privileges", documents},
                    {"dry_run", dry_run},
                    {"statements", session.changes()}};
    return outcome;
}

/// What the statements sent did not do, read back in their transaction: the server grants
/// nothing (with only a warning) when the grantor lacks the grant option, and a revoke
/// takes back only the grants of the role running it.
[[noreturn]] void throw_left(const Context& context, const Plan& left) {
    const Change& change = left.changes.front();
    const Target& target = *change.target;
    const std::string phrase = targets_phrase(context, {&target});
    const Difference& d = change.difference;
    const std::string who = change.grantee->shown();
    if (!d.grant.empty()) {
        throw Error(Exit::server,
                    fmt::format("could not grant {} on {} to {}", join_privileges(d.grant), phrase,
                                who),
                    "The server granted nothing (\"no privileges were granted\"): the role "
                    "running pg-grant neither owns it nor holds the privilege with grant option.",
                    "Run pg-grant as the owner (or a member of the owning role), or as a role "
                    "that holds these privileges WITH GRANT OPTION.",
                    "42501");
    }
    const std::vector<std::string>& privileges = d.revoke.empty() ? d.revoke_grant_option : d.revoke;
    const std::string what = (d.revoke.empty() ? "grant option for " : "") + join_privileges(privileges);
    std::set<std::string> grantors;
    const auto by_grantee = target.grantors.find(change.grantee->oid);
    if (by_grantee != target.grantors.end()) {
        for (const auto& p : privileges) {
            const auto found = by_grantee->second.find(p);
            if (found != by_grantee->second.end()) {
                grantors.insert(found->second.begin(), found->second.end());
            }
        }
    }
    std::vector<std::string> names;
    for (const auto& grantor : grantors) names.push_back(shown_name(grantor));
    throw Error(Exit::server,
                fmt::format("could not revoke {} on {} from {}", what, phrase, who),
                fmt::format("What is left was granted by {}; a grant is revoked by its grantor.",
                            fmt::join(names, ", ")),
                "Run pg-grant as that grantor (or a member of it), or revoke the grantor's grant "
                "option with --revoke --with-grant-option --cascade.",
                "42501");
}

/// A schema's future privileges that --revoke or --exact must take away, but that the role's
/// default privileges for every schema give: no statement on that schema can change it, so the
/// run is refused (exit 5) before anything is sent.
void check_future_can_converge(const Context& context, const Snapshot& snapshot) {
    const Request& request = context.request;
    if (request.mode == Mode::grant) return;
    for (const Target& target : snapshot.targets) {
        if (!target.future || !target.schema) continue;
        for (const Role& grantee : context.grantees) {
            const auto inherited = target.inherited.find(grantee.oid);
            if (inherited == target.inherited.end()) continue;
            // What the grantee must not hold, and whether only the grant option is meant.
            std::vector<std::string> stuck;
            for (const auto& p : context.all) {
                const bool asked =
                    std::find(context.asked.begin(), context.asked.end(), p) != context.asked.end();
                const bool option_only = request.with_grant_option ? request.mode == Mode::revoke
                                                                   : request.mode == Mode::exact && asked;
                const bool must_go = request.mode == Mode::revoke ? asked : (!asked || !request.with_grant_option);
                if (!must_go) continue;
                const auto& held = option_only ? inherited->second.grantable : inherited->second.privileges;
                if (request.mode == Mode::exact && asked && !request.with_grant_option &&
                    inherited->second.grantable.count(p) == 0) {
                    continue;
                }
                if (held.count(p) > 0) stuck.push_back((option_only ? "grant option for " : "") + p);
            }
            if (stuck.empty()) continue;
            throw Error(Exit::conflict,
                        fmt::format("{} would still get {} on {}", grantee.shown(),
                                    join_privileges(stuck), targets_phrase(context, {&target})),
                        fmt::format("The default privileges of {} for every schema give it (ALTER "
                                    "DEFAULT PRIVILEGES without IN SCHEMA, or the built-in ones); "
                                    "a schema's own only add to them.",
                                    context.owner->shown()),
                        fmt::format("Take it away for every schema: --{} '*.*' --for-future={}.",
                                    kind_info(request.kind).option, context.owner->name));
        }
    }
}

constexpr int grant_lock_key = 0x70676772;  // "pggr": one lock per database for pg-grant

Outcome run(Tool& tool, Request& request) {
    validate(request);
    Session session = tool.connector().connect(tool.connection_options().dbname.value_or(""));
    Context context{request, {}, std::nullopt, {}, {}, {}, session.server_version()};
    // The grantees and the --for-future role, looked up at once (the last one is the role).
    std::vector<std::string> names = request.grantees;
    if (request.for_future) names.push_back(*request.for_future);
    std::vector<Role> roles = look_up_roles(session, names, context.database);
    if (request.for_future) {
        context.owner = roles.back();
        roles.pop_back();
    }
    for (Role& role : roles) {
        if (std::none_of(context.grantees.begin(), context.grantees.end(),
                         [&](const Role& r) { return r.oid == role.oid; })) {
            context.grantees.push_back(std::move(role));
        }
    }
    context.asked = resolve(request.asked, request.kind, session.server_version());
    context.all = kind_privileges(request.kind, session.server_version());
    // A pattern's database part must be this database.
    for (const auto& text : request.patterns()) {
        if (request.kind != Kind::schema) parse_name_pattern(text, context.database);
    }

    Snapshot snapshot = read_snapshot(session, context);
    check_named_objects_exist(session, request, snapshot.targets, context.database);
    check_future_can_converge(context, snapshot);
    Plan plan = make_plan(session, context, snapshot);
    if (plan.empty()) return report(session, context, snapshot, plan);

    // The change: under the lock, read again (a concurrent run may have done it), send the
    // difference, and read back what it left before committing.
    const bool dry_run = session.options().dry_run;
    constexpr int attempts = 3;
    for (int attempt = 1;; ++attempt) {
        const auto end = [&](bool commit) {
            if (dry_run) {
                session.end_dry_run_transaction();
            } else if (commit) {
                session.query("COMMIT");
            } else {
                session.echo("ROLLBACK");
                PQclear(PQexec(session.raw(), "ROLLBACK"));
            }
        };
        if (dry_run) {
            session.begin_dry_run_transaction();
        } else {
            // Read committed whatever the database's default: the catalog is read again under
            // the lock, and must see what the run before committed.
            session.query("BEGIN ISOLATION LEVEL READ COMMITTED");
        }
        try {
            session.apply_pinned_locally();
            session.query(fmt::format("SELECT pg_catalog.pg_advisory_xact_lock({}, 0)",
                                      grant_lock_key));
            snapshot = read_snapshot(session, context);
            plan = make_plan(session, context, snapshot);
            if (!plan.empty()) {
                session.execute(plan.statements);
                const Snapshot after = read_snapshot(session, context);
                const Plan left = make_plan(session, context, after);
                if (!left.empty()) throw_left(context, left);
            }
            end(true);
            return report(session, context, snapshot, plan);
        } catch (const SqlError& error) {
            end(false);
            if (attempt < attempts && is_concurrent_catalog_change(error)) continue;
            if (error.sqlstate() == "2BP01") {  // dependent privileges exist
                throw SqlError(error.code(), error.what(), error.detail(),
                               "The roles granted it on to others: add --cascade to revoke "
                               "those grants too.",
                               error.sqlstate());
            }
            throw;
        } catch (...) {
            end(false);
            throw;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-grant",
               .purpose = "pg-grant grants privileges in a PostgreSQL database, and converges them.",
               .usage = {"pg-grant [OPTION]... PRIVILEGES --table PATTERN ROLE...",
                         "pg-grant [OPTION]... PRIVILEGES --table SCHEMA.* --for-future=OWNER ROLE...",
                         "pg-grant [OPTION]... PRIVILEGES --database ROLE...",
                         "pg-grant [OPTION]... --revoke PRIVILEGES --schema PATTERN ROLE..."},
               .closing =
                   "PRIVILEGES is a comma list (SELECT,INSERT) or ALL; ROLE is a role name or "
                   "PUBLIC.\nPatterns are read as psql reads them (app.*, \"My Table\"). What "
                   "the roles already hold\nis left as it is; only the difference is sent, in "
                   "one transaction. Nothing is ever\nrevoked without --revoke or --exact.\n\n"
                   "Examples:\n"
                   "  pg-grant -d app CONNECT,TEMPORARY --database reader\n"
                   "  pg-grant -d app USAGE --schema app reader writer\n"
                   "  pg-grant -d app SELECT --table 'app.*' --for-future=owner reader\n"
                   "  pg-grant -d app --exact SELECT --table app.orders reader",
               .database_option = DatabaseOption::dbname});
    Request request;
    CLI::App& app = tool.app();
    app.add_flag("--database", request.database, "the database of -d itself");
    app.add_option("--schema", request.schemas, "schemas matching PATTERN")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("--table", request.tables,
                   "tables, views, materialized views, foreign and partitioned tables")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("--sequence", request.sequences, "sequences matching PATTERN")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("--function", request.functions,
                   "functions, procedures and aggregates (every overload)")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("--type", request.types, "types and domains matching PATTERN")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("--for-future", request.for_future,
                   "also for objects OWNER creates later in the patterns' schemas")
        ->type_name("OWNER");
    app.add_flag("--revoke", request.revoke, "revoke the privileges instead");
    app.add_flag("--exact", request.exact,
                 "leave the roles exactly these privileges on the objects (revoke the rest)");
    app.add_flag("--with-grant-option", request.with_grant_option,
                 "WITH GRANT OPTION (with --revoke: revoke only the option)");
    app.add_flag("--cascade", request.cascade,
                 "with --revoke or --exact: also revoke what the roles granted on to others");
    app.add_option("privileges", request.privileges)->group("");
    app.add_option("roles", request.grantees)->group("");

    return tool.run(argc, argv, [&]() -> Outcome { return run(tool, request); });
}

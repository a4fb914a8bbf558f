/// pg-listtables: psql's \dt for scripts and people.
///
/// One catalog query, whatever the number of relations: pg_class joined to pg_namespace (and
/// pg_am for -x), filtered by relkind, by psql-style patterns passed as $n regular expressions,
/// and by schema; visibility (search_path) is not a filter. Output as psql's aligned table,
/// CSV, JSON, or one quoted schema.name per line.

#include <fmt/format.h>

#include <array>
#include <sstream>
#include <string>
#include <vector>

#include "common/name_pattern.hpp"
#include "tools/pg-listtables/table_format.hpp"
#include "common/tool.hpp"

namespace {

using namespace pgkit;

struct RelationKind {
    const char* option;  ///< the word for -t
    char relkind;
    const char* label;   ///< psql's word in the Type column
};
constexpr std::array<RelationKind, 6> relation_kinds{{
    {"table", 'r', "table"},
    {"partitioned", 'p', "partitioned table"},
    {"view", 'v', "view"},
    {"matview", 'm', "materialized view"},
    {"foreign", 'f', "foreign table"},
    {"sequence", 'S', "sequence"},
}};

struct Request {
    std::vector<std::string> patterns;
    std::vector<std::string> schemas, excluded_schemas, types;
    bool system = false;
    bool extended = false;
    bool null_terminated = false;  ///< -z: names end in NUL, not a line break
};

/// The relkinds asked for with -t (comma lists, repeatable); tables and partitioned tables
/// when none.
std::string relkinds(const Request& request) {
    std::string kinds;
    auto add = [&kinds](char relkind) {
        if (kinds.find(relkind) == std::string::npos) kinds += relkind;
    };
    for (const auto& list : request.types) {
        std::stringstream words(list);
        std::string word;
        while (std::getline(words, word, ',')) {
            const auto* kind = std::find_if(relation_kinds.begin(), relation_kinds.end(),
                                            [&](const RelationKind& k) { return word == k.option; });
            if (kind == relation_kinds.end()) {
                throw UsageError(fmt::format("unknown relation type \"{}\"", word),
                                 "Use table, partitioned, view, matview, foreign or sequence.");
            }
            add(kind->relkind);
        }
    }
    if (kinds.empty()) kinds = "rp";
    return kinds;
}

struct CatalogQuery {
    std::string sql;
    std::vector<std::optional<std::string>> params;
};

CatalogQuery build_query(const Request& request, const std::string& current_database) {
    CatalogQuery query;
    auto param = [&query](const std::string& value) {
        query.params.emplace_back(value);
        return fmt::format("${} COLLATE pg_catalog.default", query.params.size());
    };
    std::string type_case = "CASE c.relkind";
    std::string kinds_list;
    for (const auto& kind : relation_kinds) {
        type_case += fmt::format(" WHEN '{}' THEN '{}'", kind.relkind, kind.label);
    }
    type_case += " END";
    for (const char relkind : relkinds(request)) {
        kinds_list += fmt::format("{}'{}'", kinds_list.empty() ? "" : ",", relkind);
    }
    std::string sql = fmt::format(
        "SELECT n.nspname AS schema, c.relname AS name, {} AS type,"
        " pg_catalog.pg_get_userbyid(c.relowner) AS owner,"
        " pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)"
        " pg_catalog.quote_ident(c.relname) AS qualified",
        type_case);
    if (request.extended) {
        sql +=
            ", CASE c.relpersistence WHEN 'p' THEN 'permanent' WHEN 't' THEN 'temporary'"
            " WHEN 'u' THEN 'unlogged' END AS persistence,"
            " am.amname AS access_method,"
            " pg_catalog.pg_table_size(c.oid) AS size,"
            " pg_catalog.pg_size_pretty(pg_catalog.pg_table_size(c.oid)) AS size_pretty,"
            " CASE WHEN c.relkind IN ('r','p','m','f') AND c.reltuples >= 0"
            " THEN c.reltuples::pg_catalog.int8 END AS rows,"
            " pg_catalog.obj_description(c.oid, 'pg_class') AS description";
    }
    sql += " FROM pg_catalog.pg_class c"
           " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace";
    if (request.extended) sql += " LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam";
    sql += fmt::format(" WHERE c.relkind IN ({})", kinds_list);

    // Patterns: any of them may match (psql takes one; several are a union).
    bool schema_named = !request.schemas.empty();
    std::string any_pattern;
    for (const auto& text : request.patterns) {
        const NamePattern pattern = parse_name_pattern(text, current_database);
        std::string condition;
        if (pattern.schema_regex) {
            condition += "n.nspname OPERATOR(pg_catalog.~) " + param(*pattern.schema_regex);
        }
        if (pattern.name_regex) {
            condition += (condition.empty() ? "" : " AND ") +
                         ("c.relname OPERATOR(pg_catalog.~) " + param(*pattern.name_regex));
        }
        schema_named = schema_named || text.find('.') != std::string::npos;
        any_pattern += (any_pattern.empty() ? "" : " OR ") +
                       (condition.empty() ? std::string("true") : "(" + condition + ")");
    }
    if (!any_pattern.empty()) sql += " AND (" + any_pattern + ")";
    std::string included, excluded;
    for (const auto& schema : request.schemas) {
        included += (included.empty() ? "" : " OR ") +
                    ("n.nspname OPERATOR(pg_catalog.~) " + param(parse_single_pattern(schema, "schema")));
    }
    for (const auto& schema : request.excluded_schemas) {
        excluded += (excluded.empty() ? "" : " OR ") +
                    ("n.nspname OPERATOR(pg_catalog.~) " + param(parse_single_pattern(schema, "schema")));
    }
    if (!included.empty()) sql += " AND (" + included + ")";
    if (!excluded.empty()) sql += " AND NOT (" + excluded + ")";
    // System schemas are left out unless asked for with -S or named by a schema pattern.
    if (!request.system && !schema_named) {
        sql += " AND n.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'"
               " AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'"
               " AND n.nspname OPERATOR(pg_catalog.!~) '^pg_toast'"
               " AND n.nspname OPERATOR(pg_catalog.!~) '^pg_temp_'";
    }
    sql += " ORDER BY 1, 2";
    query.sql = std::move(sql);
    return query;
}

/// The listing in the format asked for.
std::string format_listing(const Result& result, Format format, const Request& request) {
    const bool extended = request.extended;
    const int rows = result.rows();
    auto cell = [&](int row, const char* column) { return result.value(row, result.column(column)); };
    if (format == Format::names) {
        // A quoted name may hold a line break; -z ends each name with NUL, which none holds.
        const char end = request.null_terminated ? '\0' : '\n';
        std::string out;
        for (int row = 0; row < rows; ++row) {
            out += result.text(row, result.column("qualified"));
            out += end;
        }
        return out;
    }
    if (format == Format::json) {
        nlohmann::json list = nlohmann::json::array();
        for (int row = 0; row < rows; ++row) {
            nlohmann::json item = {{"schema", *cell(row, "schema")}, {"name", *cell(row, "name")},
                                   {"type", *cell(row, "type")}, {"owner", *cell(row, "owner")}};
            if (extended) {
                const auto number = [&](const char* column) -> nlohmann::json {
                    const auto value = cell(row, column);
                    return value ? nlohmann::json(std::stoll(*value)) : nlohmann::json();
                };
                const auto text = [&](const char* column) -> nlohmann::json {
                    const auto value = cell(row, column);
                    return value ? nlohmann::json(*value) : nlohmann::json();
                };
                item["persistence"] = text("persistence");
                item["access_method"] = text("access_method");
                item["size"] = number("size");
                item["rows"] = number("rows");
                item["description"] = text("description");
            }
            list.push_back(std::move(item));
        }
        return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    Table table;
    const bool csv = format == Format::csv;
    std::vector<std::pair<std::string, const char*>> columns = {
        {csv ? "schema" : "Schema", "schema"}, {csv ? "name" : "Name", "name"},
        {csv ? "type" : "Type", "type"}, {csv ? "owner" : "Owner", "owner"}};
    if (extended) {
        columns.insert(columns.end(), {{csv ? "persistence" : "Persistence", "persistence"},
                                       {csv ? "access_method" : "Access method", "access_method"},
                                       {csv ? "size" : "Size", csv ? "size" : "size_pretty"},
                                       {csv ? "rows" : "Rows", "rows"},
                                       {csv ? "description" : "Description", "description"}});
    }
    for (const auto& [header, column] : columns) {
        table.headers.push_back(header);
        table.right_aligned.push_back(std::string_view(column) == "rows");
    }
    for (int row = 0; row < rows; ++row) {
        std::vector<std::optional<std::string>> values;
        for (const auto& column : columns) values.push_back(cell(row, column.second));
        table.rows.push_back(std::move(values));
    }
    return csv ? format_csv(table) : format_aligned(table, "List of relations");
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-listtables",
               .purpose = "pg-listtables lists the tables of a PostgreSQL database.",
               .usage = {"pg-listtables [OPTION]... [PATTERN]..."},
               .closing = "By default, tables and partitioned tables of every schema but the "
                          "system ones are\nlisted. PATTERN is read as psql's \\dt reads it: * "
                          "and ? are wildcards,\nschema.table names a schema, and names fold to "
                          "lower case unless double-quoted.",
               .database_option = DatabaseOption::dbname,
               .formats = {"text", "csv", "json", "names"},
               .changes = false});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("-n,--schema", request.schemas, "only schemas matching PATTERN (repeatable)")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("-N,--exclude-schema", request.excluded_schemas,
                   "no schemas matching PATTERN (repeatable)")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    app.add_option("-t,--type", request.types,
                   "table, partitioned, view, matview, foreign, sequence (a list)")
        ->type_name("LIST")
        ->allow_extra_args(false);
    app.add_flag("-S,--system", request.system, "include system schemas");
    app.add_flag("-x,--extended", request.extended,
                 "add persistence, access method, size, rows, description");
    app.add_flag("-z,--null", request.null_terminated,
                 "with --format names, end each name with NUL, not a newline");
    app.add_option("patterns", request.patterns)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        relkinds(request);  // a bad -t is a usage error before connecting
        if (request.null_terminated && tool.format() != Format::names) {
            throw UsageError("-z/--null goes with --format names");
        }
        for (const auto& pattern : request.patterns) {
            if (pattern.empty()) throw UsageError("PATTERN must not be empty");
            parse_name_pattern(pattern);
        }
        Connector connector = tool.connector();
        Session session = connector.connect(tool.connection_options().dbname.value_or(""));
        const CatalogQuery query = build_query(request, PQdb(session.raw()));
        Outcome outcome;
        if (session.options().dry_run) {
            std::string shown;
            for (std::size_t i = 0; i < query.params.size(); ++i) {
                shown += fmt::format("-- ${} = {}\n", i + 1, session.quote_literal(*query.params[i]));
            }
            shown += query.sql + ";\n";
            nlohmann::json params = nlohmann::json::array();
            for (const auto& value : query.params) params.push_back(*value);
            outcome.listing = tool.format() == Format::json
                                  ? nlohmann::json({{"ok", true}, {"exit_code", 0}, {"dry_run", true},
                                                    {"query", query.sql}, {"params", params}})
                                            .dump() + "\n"
                                  : shown;
            return outcome;
        }
        try {
            const Result result = session.query(query.sql, query.params);
            outcome.listing = format_listing(result, tool.format(), request);
        } catch (const SqlError& error) {
            if (error.is(SqlCondition::invalid_regular_expression)) {  // a pattern
                throw UsageError(fmt::format("invalid pattern: {}", error.what()));
            }
            throw;
        }
        return outcome;
    });
}

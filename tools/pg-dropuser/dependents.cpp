#include "tools/pg-dropuser/dependents.hpp"

#include "common/errors.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

namespace pgkit {

namespace {

Dependency dependency_of(std::string_view deptype) {
    if (deptype == "a") return Dependency::privileges;
    if (deptype == "r") return Dependency::policy;
    if (deptype == "i") return Dependency::initial_privileges;
    return Dependency::owner;
}

// The rows of pg_shdepend (as s) that name the role: owner, ACL, policy and
// initial-privileges dependencies ('p', the pin of a role the system needs, is not something
// to clean up).
const std::string where_role =
    " WHERE s.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass"
    " AND s.refobjid = $1::pg_catalog.oid AND s.deptype IN ('o', 'a', 'r', 'i')";

}  // namespace

Effect effect_of(const Dependent& dependent, const Cleanup& cleanup) {
    if (!dependent.connectable) return Effect::none;
    const bool shared = dependent.database.empty();
    const std::string& catalog = dependent.catalog;
    if (dependent.dependency == Dependency::owner) {
        const bool kept_by_reassign = catalog == "pg_default_acl" || catalog == "pg_user_mapping";
        if (cleanup.reassign && !kept_by_reassign) return Effect::reassigned;
        if (!cleanup.drop || shared) return Effect::none;
        return catalog == "pg_default_acl" ? Effect::default_privileges : Effect::dropped;
    }
    if (dependent.dependency == Dependency::initial_privileges && cleanup.reassign) {
        return Effect::reassigned;
    }
    if (!cleanup.drop) return Effect::none;
    return catalog == "pg_auth_members" ? Effect::membership : Effect::revoked;
}

namespace {

// The columns dependents_from() reads. (A database being dropped meanwhile has no
// pg_database row: named by its OID, and not connectable.)
constexpr const char* dependent_columns =
    "SELECT CASE WHEN s.dbid = 0 THEN '' ELSE coalesce(d.datname, s.dbid::pg_catalog.text) END,"
    " s.dbid = 0 OR coalesce(d.datallowconn AND d.datconnlimit <> -2, false), s.deptype,"
    " s.classid::pg_catalog.regclass::pg_catalog.text, s.classid, s.objid, s.objsubid"
    " FROM pg_catalog.pg_shdepend s LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid";

constexpr const char* here_and_shared =
    " AND s.dbid IN (0, (SELECT oid FROM pg_catalog.pg_database"
    " WHERE datname = pg_catalog.current_database()))";

constexpr const char* in_order = " ORDER BY s.dbid <> 0, 1, s.classid, s.objid, s.objsubid";

}  // namespace

std::vector<Dependent> dependents_from(const Result& rows) {
    std::vector<Dependent> dependents;
    for (int row = 0; row < rows.rows(); ++row) {
        Dependent dependent;
        dependent.database = rows.text(row, 0);
        dependent.connectable = rows.text(row, 1) == "t";
        dependent.dependency = dependency_of(rows.text(row, 2));
        dependent.catalog = rows.text(row, 3);
        dependent.object = fmt::format("{}/{}/{}", rows.text(row, 4), rows.text(row, 5),
                                       rows.text(row, 6));
        dependents.push_back(std::move(dependent));
    }
    return dependents;
}

std::vector<Dependent> read_dependents(Session& session, const std::string& role_oid,
                                       bool here_only) {
    return dependents_from(session.query(std::string(dependent_columns) + where_role +
                                             (here_only ? here_and_shared : "") + in_order,
                                         {role_oid}));
}

std::string dependents_here_query(const std::string& role_oid) {
    if (role_oid.empty() || role_oid.find_first_not_of("0123456789") != std::string::npos) {
        throw std::invalid_argument("not an OID: " + role_oid);
    }
    std::string where = where_role;
    where.replace(where.find("$1"), 2, "'" + role_oid + "'");
    return std::string(dependent_columns) + where + here_and_shared + in_order;
}

void name_dependents(Session& session, const std::string& role_oid,
                     std::vector<Dependent>& dependents) {
    std::optional<Result> rows;
    try {
        rows.emplace(session.query(
            "SELECT s.dbid = 0, s.classid || '/' || s.objid || '/' || s.objsubid, i.type,"
            " i.identity, pg_catalog.current_database() FROM pg_catalog.pg_shdepend s"
            " CROSS JOIN LATERAL pg_catalog.pg_identify_object(s.classid, s.objid, s.objsubid) i" +
                where_role + " AND i.identity IS NOT NULL" + here_and_shared,
            {role_oid}));
    } catch (const SqlError&) {
        // 13 fails ("cache lookup failed") on an object dropped meanwhile: counted, not named.
        return;
    }
    std::map<std::pair<bool, std::string>, std::pair<std::string, std::string>> names;
    std::string here;
    for (int row = 0; row < rows->rows(); ++row) {
        names[{rows->text(row, 0) == "t", std::string(rows->text(row, 1))}] = {
            std::string(rows->text(row, 2)), std::string(rows->text(row, 3))};
        here = rows->text(row, 4);
    }
    for (auto& dependent : dependents) {
        const bool shared = dependent.database.empty();
        if (!shared && dependent.database != here) continue;
        const auto found = names.find({shared, dependent.object});
        if (found == names.end()) continue;
        dependent.kind = found->second.first;
        dependent.identity = found->second.second;
    }
}

std::string dependency_name(Dependency dependency) {
    switch (dependency) {
    case Dependency::owner: return "owner";
    case Dependency::privileges: return "privileges";
    case Dependency::policy: return "policy";
    case Dependency::initial_privileges: return "initial privileges";
    }
    return "owner";
}

std::string describe(const Dependent& dependent) {
    const std::string object = dependent.identity.empty()
                                   ? dependent.kind
                                   : fmt::format("{} {}", dependent.kind, dependent.identity);
    switch (dependent.dependency) {
    case Dependency::owner: return "owner of " + object;
    case Dependency::privileges: return "privileges on " + object;
    case Dependency::policy: return "named in " + object;
    case Dependency::initial_privileges: return "initial privileges on " + object;
    }
    return object;
}

std::string describe_all(const std::vector<Dependent>& dependents, std::size_t most_per_line) {
    // In order of appearance: shared objects first, then each database.
    std::vector<std::string> order;
    struct Line {
        std::vector<std::string> named;
        std::map<Dependency, std::size_t> unnamed;
        bool connectable = true;
    };
    std::map<std::string, Line> lines;
    for (const auto& dependent : dependents) {
        auto [line, added] = lines.try_emplace(dependent.database);
        if (added) order.push_back(dependent.database);
        line->second.connectable = dependent.connectable;
        if (dependent.kind.empty()) ++line->second.unnamed[dependent.dependency];
        else line->second.named.push_back(describe(dependent));
    }
    std::string text;
    for (const auto& database : order) {
        const Line& line = lines[database];
        std::string items;
        const auto add = [&items](const std::string& item) {
            items += (items.empty() ? "" : ", ") + item;
        };
        for (std::size_t i = 0; i < line.named.size() && i < most_per_line; ++i) add(line.named[i]);
        if (line.named.size() > most_per_line) {
            add(fmt::format("and {} more", line.named.size() - most_per_line));
        }
        for (const auto& [dependency, count] : line.unnamed) {
            const char* noun = count == 1 ? "object" : "objects";
            switch (dependency) {
            case Dependency::owner: add(fmt::format("owner of {} {}", count, noun)); break;
            case Dependency::privileges: add(fmt::format("privileges on {} {}", count, noun)); break;
            case Dependency::policy: add(fmt::format("named in {} {}", count, count == 1 ? "policy" : "policies")); break;
            case Dependency::initial_privileges:
                add(fmt::format("initial privileges on {} {}", count, noun));
                break;
            }
        }
        const std::string where =
            database.empty() ? std::string("shared")
                             : fmt::format("in database \"{}\"{}", database,
                                           line.connectable ? "" : " (does not allow connections)");
        text += fmt::format("{}{}: {}", text.empty() ? "" : "\n", where, items);
    }
    return text;
}

}  // namespace pgkit

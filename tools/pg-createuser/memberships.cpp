#include "tools/pg-createuser/memberships.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/errors.hpp"
#include "common/names.hpp"
#include "common/text.hpp"

namespace pgkit {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() > suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// One membership held, from pg_auth_members (one row per grantor on 16+).
struct Held {
    std::string group, grantor;
    std::optional<bool> inherit, set;  ///< 16+
};

std::vector<Held> held_by(Session& session, const std::string& role_oid) {
    const bool options = session.server_version() >= 160000;
    const Result rows = session.query(
        fmt::format("SELECT g.rolname, pg_catalog.pg_get_userbyid(m.grantor), {}"
                    " FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
                    " WHERE m.member = $1::pg_catalog.oid ORDER BY 1, 2",
                    options ? "m.inherit_option, m.set_option" : "NULL::bool, NULL::bool"),
        {role_oid});
    std::vector<Held> held;
    for (int row = 0; row < rows.rows(); ++row) {
        Held one{std::string(rows.text(row, 0)), std::string(rows.text(row, 1)), {}, {}};
        if (!rows.is_null(row, 2)) one.inherit = rows.text(row, 2) == "t";
        if (!rows.is_null(row, 3)) one.set = rows.text(row, 3) == "t";
        held.push_back(std::move(one));
    }
    return held;
}

Statement grant(const Session& session, const std::string& role, const WantedMembership& wanted,
                const std::string& grantor = {}) {
    std::string sql = fmt::format("GRANT {} TO {}", session.quote_ident(wanted.group),
                                  session.quote_ident(role));
    std::vector<std::string> options;
    if (wanted.inherit) options.push_back(fmt::format("INHERIT {}", *wanted.inherit ? "TRUE" : "FALSE"));
    if (wanted.set) options.push_back(fmt::format("SET {}", *wanted.set ? "TRUE" : "FALSE"));
    if (!options.empty()) sql += " WITH " + join(options, ", ");
    // 16+: the options of another grantor's grant are changed in that grant, not in a new one.
    if (!grantor.empty()) sql += " GRANTED BY " + session.quote_ident(grantor);
    return Statement::plain(sql);
}

/// On 16 and later a grant is changed or revoked by its grantor, or by a role with its
/// privileges (a superuser has all): named before anything is sent, rather than the server's
/// bare "permission denied".
void check_may_act_for(Session& session, const std::string& role, const Held& held) {
    if (session.server_version() < 160000) return;
    const Result row = session.query(
        "SELECT r.rolsuper OR pg_catalog.pg_has_role(CURRENT_USER, $1, 'USAGE')"
        " FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER",
        {held.grantor});
    if (row.rows() == 1 && row.text(0, 0) == "t") return;
    throw Error(Exit::server,
                fmt::format("membership of \"{}\" in \"{}\" was granted by \"{}\"", role,
                            held.group, held.grantor),
                {},
                fmt::format("Changing or revoking it takes the privileges of \"{}\" (or a "
                            "superuser): connect as that role.",
                            held.grantor),
                "42501");
}

Statement revoke(const Session& session, const std::string& role, const Held& held) {
    // On 16 and later each grantor's grant is its own: revoked by name. Before 16 there is one.
    std::string sql = fmt::format("REVOKE {} FROM {}", session.quote_ident(held.group),
                                  session.quote_ident(role));
    if (session.server_version() >= 160000) sql += " GRANTED BY " + session.quote_ident(held.grantor);
    return Statement::plain(sql);
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

}  // namespace

WantedMembership parse_membership(const std::string& value) {
    WantedMembership wanted{value, {}, {}};
    bool more = true;
    while (more) {
        more = false;
        for (const auto& [suffix, inherit, set] :
             {std::tuple{":inherit", std::optional<bool>(true), std::optional<bool>()},
              std::tuple{":noinherit", std::optional<bool>(false), std::optional<bool>()},
              std::tuple{":set", std::optional<bool>(), std::optional<bool>(true)},
              std::tuple{":noset", std::optional<bool>(), std::optional<bool>(false)}}) {
            if (!ends_with(wanted.group, suffix)) continue;
            if ((inherit && wanted.inherit) || (set && wanted.set)) {
                throw UsageError(fmt::format("membership \"{}\" names an option twice", value));
            }
            wanted.group.resize(wanted.group.size() - std::string(suffix).size());
            if (inherit) wanted.inherit = inherit;
            if (set) wanted.set = set;
            more = true;
        }
    }
    return wanted;
}

bool MembershipRequest::has_options() const {
    return std::any_of(wanted.begin(), wanted.end(),
                       [](const WantedMembership& one) { return one.has_options(); });
}

void validate_memberships(MembershipRequest& request) {
    if (!request.member_of_arguments.empty() && request.exact_given) {
        throw UsageError("give the groups one way: -g/--member-of adds, --member-of-exact sets them all");
    }
    request.wanted.clear();
    std::set<std::string> named;
    const auto& sources = request.exact_given ? request.exact_arguments : request.member_of_arguments;
    for (const auto& value : sources) {
        if (value.empty()) continue;  // --member-of-exact= : no group at all
        WantedMembership wanted = parse_membership(value);
        check_identifier("role name", wanted.group);
        if (!named.insert(wanted.group).second) {
            throw UsageError(fmt::format("group \"{}\" is named more than once", wanted.group));
        }
        request.wanted.push_back(std::move(wanted));
    }
    for (const auto& group : request.not_member_of) {
        check_identifier("role name", group);
        if (named.count(group) != 0) {
            throw UsageError(fmt::format("group \"{}\" is both wanted and not", group));
        }
    }
}

std::vector<std::string> in_role_groups(const MembershipRequest& request) {
    std::vector<std::string> groups;
    for (const auto& wanted : request.wanted) {
        if (!wanted.has_options()) groups.push_back(wanted.group);
    }
    return groups;
}

std::vector<Statement> option_grants(const Session& session, const std::string& role,
                                     const MembershipRequest& request) {
    std::vector<Statement> grants;
    for (const auto& wanted : request.wanted) {
        if (wanted.has_options()) grants.push_back(grant(session, role, wanted));
    }
    return grants;
}

void refuse_options_before_16(const MembershipRequest& request, int server_version) {
    if (request.has_options() && server_version < 160000) {
        throw Error(Exit::server,
                    fmt::format("membership options INHERIT and SET need PostgreSQL 16 or later "
                                "(the server is {})",
                                server_version / 10000),
                    {}, "Leave :inherit, :noinherit, :set and :noset out on this server.", "0A000");
    }
}

void plan_memberships(Session& session, const std::string& role, const std::string& role_oid,
                      const MembershipRequest& request, Plan& plan) {
    refuse_options_before_16(request, session.server_version());
    const std::vector<Held> held = held_by(session, role_oid);
    for (const auto& wanted : request.wanted) {
        std::vector<const Held*> rows;
        for (const auto& one : held) {
            if (one.group == wanted.group) rows.push_back(&one);
        }
        if (rows.empty()) {
            plan.add(fmt::format("member of \"{}\"", wanted.group), grant(session, role, wanted));
            continue;
        }
        // Options asked for and held otherwise: each grant that differs is granted again with
        // them, by its own grantor (16+ keeps one grant per grantor).
        std::vector<std::string> differences;
        std::vector<Statement> regrants;
        for (const Held* one : rows) {
            const bool inherit_differs = wanted.inherit && one->inherit && *one->inherit != *wanted.inherit;
            const bool set_differs = wanted.set && one->set && *one->set != *wanted.set;
            if (!inherit_differs && !set_differs) continue;
            check_may_act_for(session, role, *one);
            if (differences.empty()) {
                if (inherit_differs) {
                    differences.push_back(fmt::format("inherit {} -> {}", yes_no(*one->inherit), yes_no(*wanted.inherit)));
                }
                if (set_differs) {
                    differences.push_back(fmt::format("set {} -> {}", yes_no(*one->set), yes_no(*wanted.set)));
                }
            }
            regrants.push_back(grant(session, role, wanted, one->grantor));
        }
        for (std::size_t i = 0; i < regrants.size(); ++i) {
            if (i == 0) {
                plan.add(fmt::format("member of \"{}\": {}", wanted.group, join(differences, ", ")),
                         regrants[i]);
            } else {
                plan.statements.push_back(regrants[i]);
            }
        }
    }
    std::set<std::string> leave(request.not_member_of.begin(), request.not_member_of.end());
    if (request.exact_given) {
        for (const auto& one : held) {
            const bool kept = std::any_of(request.wanted.begin(), request.wanted.end(),
                                          [&](const WantedMembership& w) { return w.group == one.group; });
            if (!kept) leave.insert(one.group);
        }
    }
    for (const auto& group : leave) {
        bool first = true;
        for (const auto& one : held) {
            if (one.group != group) continue;
            check_may_act_for(session, role, one);
            Statement statement = revoke(session, role, one);
            if (first) plan.add(fmt::format("not member of \"{}\"", group), statement);
            else plan.statements.push_back(statement);
            first = false;
        }
    }
}

}  // namespace pgkit

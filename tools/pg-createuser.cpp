/// pg-createuser: createuser's drop-in, with passwords that never travel in plain text and
/// --if-not-exists convergence.
///
/// The SQL is createuser 17's, clause for clause: CREATE ROLE name [PASSWORD] SUPERUSER|NO...
/// CREATEDB CREATEROLE INHERIT LOGIN REPLICATION BYPASSRLS [CONNECTION LIMIT] [VALID UNTIL]
/// [IN ROLE ...] [ROLE ...] [ADMIN ...], plus COMMENT ON ROLE for --comment, all in one
/// transaction.

#include <fmt/format.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/names.hpp"
#include "common/password_prompt.hpp"
#include "common/passwords.hpp"
#include "common/tool.hpp"

namespace {

using namespace pgkit;

/// A yes/no option pair (-d/-D): given yes, given no, or not given.
enum class Tri { unset, yes, no };

/// The role attributes, in createuser's order.
struct Attribute {
    const char* keyword;     ///< CREATE ROLE clause when yes ("NO" + keyword when no)
    const char* column;      ///< pg_roles column
    const char* change;      ///< how a change is reported: +createdb / -createdb
    bool default_value;      ///< createuser's default when not given
};
constexpr std::array<Attribute, 7> attributes{{
    {"SUPERUSER", "rolsuper", "superuser", false},
    {"CREATEDB", "rolcreatedb", "createdb", false},
    {"CREATEROLE", "rolcreaterole", "createrole", false},
    {"INHERIT", "rolinherit", "inherit", true},
    {"LOGIN", "rolcanlogin", "login", true},
    {"REPLICATION", "rolreplication", "replication", false},
    {"BYPASSRLS", "rolbypassrls", "bypassrls", false},
}};
enum AttributeIndex { superuser, createdb, createrole, inherit, login, replication, bypassrls };

struct FlagPair {
    bool yes = false;
    bool no = false;
};

struct Request {
    std::vector<std::string> arguments;  // [ROLENAME]
    std::string role;
    std::array<FlagPair, 7> flags;
    std::array<Tri, 7> attribute{};
    std::optional<int> connection_limit;
    std::optional<std::string> valid_until, comment, password_file, password_env;
    std::vector<std::string> member_of, with_member, with_admin;
    bool pwprompt = false, interactive = false, if_not_exists = false, update_password = false,
         encrypted = false;
    std::optional<std::string> password;  ///< plain text or a verifier
    std::vector<std::string> warnings;
};

std::string default_role_name() {
    if (const char* user = std::getenv("PGUSER"); user != nullptr && *user != '\0') return user;
    if (const passwd* entry = getpwuid(geteuid()); entry != nullptr) return entry->pw_name;
    throw UsageError("could not determine the current user name; name the role");
}

std::string ask(const std::string& prompt) {
    const auto answer = read_line_from_terminal(prompt, true);
    if (!answer) {
        throw UsageError("--interactive needs a terminal to ask on",
                         "Give the role name and the attributes as options instead.");
    }
    return *answer;
}

bool ask_yes_no(const std::string& question) {
    while (true) {
        const std::string answer = ask(question + " (y/n) ");
        if (answer == "y" || answer == "yes") return true;
        if (answer == "n" || answer == "no") return false;
        std::cerr << "Please answer \"y\" or \"n\".\n";
    }
}

void validate(Request& request) {
    if (request.arguments.size() > 1) {
        throw UsageError(fmt::format("too many command-line arguments (first is \"{}\")",
                                     request.arguments[1]));
    }
    constexpr std::array<const char*, 7> pair_names{
        "-s/--superuser and -S/--no-superuser", "-d/--createdb and -D/--no-createdb",
        "-r/--createrole and -R/--no-createrole", "-i/--inherit and -I/--no-inherit",
        "-l/--login and -L/--no-login", "--replication and --no-replication",
        "--bypassrls and --no-bypassrls"};
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        const FlagPair& flag = request.flags[i];
        if (flag.yes && flag.no) {
            throw UsageError(fmt::format("{} cannot be used together", pair_names[i]));
        }
        request.attribute[i] = flag.yes ? Tri::yes : flag.no ? Tri::no : Tri::unset;
    }
    if (request.connection_limit && *request.connection_limit < -1) {
        throw UsageError("connection limit must be -1 (no limit) or more");
    }
    const int sources = int(request.pwprompt) + int(request.password_file.has_value()) +
                        int(request.password_env.has_value());
    if (sources > 1) {
        throw UsageError("give the password one way only: -P, --password-file or --password-env");
    }
    if (request.update_password && sources == 0) {
        throw UsageError("--update-password needs a password (-P, --password-file or "
                         "--password-env)");
    }
    if (request.arguments.empty() && request.interactive) {
        request.role = ask("Enter name of role to add: ");
    } else {
        request.role = request.arguments.empty() ? default_role_name() : request.arguments[0];
    }
    check_identifier("role name", request.role);
    for (const auto* list : {&request.member_of, &request.with_member, &request.with_admin}) {
        for (const auto& name : *list) check_identifier("role name", name);
    }
}

/// Reads the password before connecting, so that a bad source sends nothing.
void read_password(Request& request) {
    if (request.password_file) {
        request.password = read_password_file(*request.password_file, request.warnings);
    } else if (request.password_env) {
        request.password = read_password_env(*request.password_env);
    } else if (request.pwprompt) {
        request.password = prompt_new_password();
    }
}

/// createuser's questions, asked only with --interactive and only for what was not given.
void ask_interactively(Request& request) {
    if (!request.interactive) return;
    const std::array<std::pair<AttributeIndex, const char*>, 3> questions{{
        {superuser, "Shall the new role be a superuser?"},
        {createdb, "Shall the new role be allowed to create databases?"},
        {createrole, "Shall the new role be allowed to create more new roles?"},
    }};
    for (const auto& [index, question] : questions) {
        if (index != superuser && request.attribute[superuser] == Tri::yes) continue;
        if (request.attribute[index] == Tri::unset) {
            request.attribute[index] = ask_yes_no(question) ? Tri::yes : Tri::no;
        }
    }
}

/// The password as sent: a verifier, hashed here, never the plain text.
std::string password_verifier(const Session& session, const Request& request) {
    if (is_password_verifier(*request.password)) return *request.password;
    std::unique_ptr<char, decltype(&PQfreemem)> hashed(
        PQencryptPasswordConn(session.raw(), request.password->c_str(), request.role.c_str(),
                              nullptr),
        &PQfreemem);
    if (!hashed) {
        throw Error(Exit::server, fmt::format("password encryption failed: {}",
                                              first_line(PQerrorMessage(session.raw()))));
    }
    return hashed.get();
}

/// A statement twice: as sent, and as shown (--echo, JSON) with the verifier masked.
struct Statement {
    std::string sql, shown;
    void append(const std::string& text) {
        sql += text;
        shown += text;
    }
};

std::string quoted_list(const Session& session, const std::vector<std::string>& names) {
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ",") + session.quote_ident(name);
    return list;
}

Statement create_statement(const Session& session, const Request& request) {
    Statement statement;
    statement.append("CREATE ROLE " + session.quote_ident(request.role));
    if (request.password) {
        statement.sql += " PASSWORD " + session.quote_literal(password_verifier(session, request));
        statement.shown += " PASSWORD '********'";
    }
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        const Tri value = request.attribute[i];
        const bool yes = value == Tri::unset ? attributes[i].default_value : value == Tri::yes;
        statement.append(fmt::format(" {}{}", yes ? "" : "NO", attributes[i].keyword));
    }
    if (request.connection_limit) {
        statement.append(fmt::format(" CONNECTION LIMIT {}", *request.connection_limit));
    }
    if (request.valid_until) {
        statement.append(" VALID UNTIL " + session.quote_literal(*request.valid_until));
    }
    if (!request.member_of.empty()) statement.append(" IN ROLE " + quoted_list(session, request.member_of));
    if (!request.with_member.empty()) statement.append(" ROLE " + quoted_list(session, request.with_member));
    if (!request.with_admin.empty()) statement.append(" ADMIN " + quoted_list(session, request.with_admin));
    if (request.comment) {
        statement.append(fmt::format(";\nCOMMENT ON ROLE {} IS {}", session.quote_ident(request.role),
                                     session.quote_literal(*request.comment)));
    }
    return statement;
}

struct Existing {
    std::string oid;
    std::array<bool, 7> attribute{};
    int connection_limit = -1;
    bool valid_until_differs = false;
    std::optional<std::string> comment;
};

std::optional<Existing> look_up(Session& session, const Request& request) {
    std::string columns;
    for (const auto& attribute : attributes) columns += fmt::format("r.{}, ", attribute.column);
    const Result result = session.query(
        "SELECT " + columns +
            "r.oid, r.rolconnlimit,"
            " $2::pg_catalog.timestamptz IS DISTINCT FROM r.rolvaliduntil AS valid_until_differs,"
            + std::string(request.comment ? " pg_catalog.shobj_description(r.oid, 'pg_authid')"
                                          : " NULL::text") +
            " AS comment FROM pg_catalog.pg_roles r WHERE r.rolname = $1",
        {request.role, request.valid_until});
    if (result.rows() == 0) return std::nullopt;
    Existing existing;
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        existing.attribute[i] = result.text(0, static_cast<int>(i)) == "t";
    }
    existing.oid = result.text(0, result.column("oid"));
    existing.connection_limit = std::stoi(std::string(result.text(0, result.column("rolconnlimit"))));
    existing.valid_until_differs = result.text(0, result.column("valid_until_differs")) == "t";
    existing.comment = result.value(0, result.column("comment"));
    return existing;
}

/// Whether `member` is a member of `group` (with the admin option, when asked).
bool has_membership(Session& session, const std::string& group_oid_sql,
                    const std::string& member_oid_sql, const std::vector<std::optional<std::string>>& params,
                    bool admin) {
    const Result result = session.query(
        fmt::format("SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.roleid = {} AND m.member "
                    "= {}{}",
                    group_oid_sql, member_oid_sql, admin ? " AND m.admin_option" : ""),
        params);
    return result.rows() > 0;
}

constexpr const char* oid_of_name =
    "(SELECT o.oid FROM pg_catalog.pg_roles o WHERE o.rolname = $1)";

/// What --update-password does: nothing when the stored verifier already matches.
PasswordMatch stored_password_match(Session& session, const Request& request) {
    try {
        const Result result = session.query(
            "SELECT a.rolpassword FROM pg_catalog.pg_authid a WHERE a.rolname = $1",
            {request.role});
        if (result.rows() == 0 || result.is_null(0, 0)) return PasswordMatch::differs;
        return match_stored_password(*request.password, request.role, result.text(0, 0));
    } catch (const SqlError& error) {
        if (error.sqlstate() == "42501") return PasswordMatch::unknown;  // not a superuser
        throw;
    }
}

struct Plan {
    std::vector<std::string> changes;
    Statement batch;
    std::string password = "none";  ///< none, kept, unchanged, set
};

Plan plan_convergence(Session& session, const Request& request, const Existing& existing) {
    Plan plan;
    const std::string name = session.quote_ident(request.role);
    Statement alter;
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        if (request.attribute[i] == Tri::unset) continue;
        const bool wanted = request.attribute[i] == Tri::yes;
        if (wanted != existing.attribute[i]) {
            alter.append(fmt::format(" {}{}", wanted ? "" : "NO", attributes[i].keyword));
            plan.changes.push_back(fmt::format("{}{}", wanted ? "+" : "-", attributes[i].change));
        }
    }
    if (request.connection_limit && *request.connection_limit != existing.connection_limit) {
        alter.append(fmt::format(" CONNECTION LIMIT {}", *request.connection_limit));
        plan.changes.push_back(fmt::format("connection limit {} -> {}", existing.connection_limit,
                                           *request.connection_limit));
    }
    if (request.valid_until && existing.valid_until_differs) {
        alter.append(" VALID UNTIL " + session.quote_literal(*request.valid_until));
        plan.changes.push_back(fmt::format("valid until {}", *request.valid_until));
    }
    if (request.password) {
        if (!request.update_password) {
            plan.password = "kept";
        } else if (stored_password_match(session, request) == PasswordMatch::matches) {
            plan.password = "unchanged";
        } else {
            alter.sql += " PASSWORD " + session.quote_literal(password_verifier(session, request));
            alter.shown += " PASSWORD '********'";
            plan.password = "set";
            plan.changes.push_back("password");
        }
    }
    auto add = [&plan](const std::string& sql) {
        plan.batch.append((plan.batch.sql.empty() ? "" : ";\n") + sql);
    };
    if (!alter.sql.empty()) {
        plan.batch.sql = "ALTER ROLE " + name + alter.sql;
        plan.batch.shown = "ALTER ROLE " + name + alter.shown;
    }
    const std::string self = fmt::format("{}::pg_catalog.oid", session.quote_literal(existing.oid));
    for (const auto& group : request.member_of) {
        if (!has_membership(session, oid_of_name, self, {group}, false)) {
            add(fmt::format("GRANT {} TO {}", session.quote_ident(group), name));
            plan.changes.push_back(fmt::format("member of \"{}\"", group));
        }
    }
    for (const auto& member : request.with_member) {
        if (!has_membership(session, self, oid_of_name, {member}, false)) {
            add(fmt::format("GRANT {} TO {}", name, session.quote_ident(member)));
            plan.changes.push_back(fmt::format("member \"{}\"", member));
        }
    }
    for (const auto& admin : request.with_admin) {
        if (!has_membership(session, self, oid_of_name, {admin}, true)) {
            add(fmt::format("GRANT {} TO {} WITH ADMIN OPTION", name, session.quote_ident(admin)));
            plan.changes.push_back(fmt::format("admin \"{}\"", admin));
        }
    }
    if (request.comment && *request.comment != existing.comment.value_or("")) {
        add(fmt::format("COMMENT ON ROLE {} IS {}", name, session.quote_literal(*request.comment)));
        plan.changes.push_back("comment");
    }
    return plan;
}

Outcome report(const Request& request, const Session& session, const std::string& action,
               const std::vector<std::string>& changes, const std::string& password) {
    const bool dry_run = session.options().dry_run;
    const std::string quoted = fmt::format("\"{}\"", request.role);
    Outcome outcome;
    if (action == "created") {
        outcome.text = fmt::format("{} role {}", dry_run ? "would create" : "created", quoted);
    } else if (action == "altered") {
        outcome.text = fmt::format("{} role {}: {}", dry_run ? "would alter" : "altered", quoted,
                                   fmt::join(changes, ", "));
    } else {
        outcome.text = fmt::format("role {} already exists", quoted);
    }
    outcome.json = {{"role", request.role},    {"action", action},
                    {"changes", changes},      {"password", password},
                    {"dry_run", dry_run},      {"statements", session.changes()}};
    return outcome;
}

Error already_exists(const Request& request) {
    return Error(Exit::conflict, fmt::format("role \"{}\" already exists", request.role), {},
                 "Use --if-not-exists to accept an existing role and bring it to the attributes "
                 "and memberships asked for.",
                 "42710");
}

Outcome converge(Session& session, const Request& request) {
    constexpr int attempts = 5;
    for (int attempt = 1;; ++attempt) {
        const auto existing = look_up(session, request);
        if (!existing) {
            throw Error(Exit::server, fmt::format("role \"{}\" was dropped while being checked",
                                                  request.role));
        }
        const Plan plan = plan_convergence(session, request, *existing);
        if (plan.batch.sql.empty()) {
            return report(request, session, "unchanged", {}, plan.password);
        }
        try {
            session.execute(plan.batch.sql, plan.batch.shown);  // one transaction
        } catch (const Error& error) {
            if (attempt < attempts && is_concurrent_catalog_change(error)) continue;
            throw;
        }
        return report(request, session, "altered", plan.changes, plan.password);
    }
}

Outcome create(Session& session, const Request& request) {
    const Statement statement = create_statement(session, request);
    try {
        session.execute(statement.sql, statement.shown);  // CREATE ROLE and COMMENT: one transaction
    } catch (const Error& error) {
        const bool duplicate = error.sqlstate() == "42710" || error.sqlstate() == "23505";
        if (!duplicate) throw;
        if (!request.if_not_exists) throw already_exists(request);
        return converge(session, request);  // a concurrent run created it first
    }
    return report(request, session, "created", {}, request.password ? "set" : "none");
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-createuser",
               .purpose = "pg-createuser creates a new PostgreSQL role.",
               .usage = {"pg-createuser [OPTION]... [ROLENAME]"},
               .closing = "By default, a role that can log in, named as the current user, is "
                          "created.\nA password is read from a file, a variable or the terminal, "
                          "never from the command\nline, and is hashed before it is sent.",
               .database_option = DatabaseOption::maintenance_db});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("-a,--with-admin", request.with_admin,
                   "ROLE will be a member of new role with admin option")
        ->type_name("ROLE")
        ->allow_extra_args(false);
    app.add_option("-c,--connection-limit", request.connection_limit,
                   "connection limit for role (default: no limit)")
        ->type_name("N");
    app.add_flag("-d,--createdb", request.flags[createdb].yes, "role can create new databases");
    app.add_flag("-D,--no-createdb", request.flags[createdb].no,
                 "role cannot create databases (default)");
    app.add_option("-g,--member-of,--role", request.member_of,
                   "new role will be a member of ROLE (--role: old name)")
        ->type_name("ROLE")
        ->allow_extra_args(false);
    app.add_flag("-i,--inherit", request.flags[inherit].yes,
                 "role inherits privileges of its roles (default)");
    app.add_flag("-I,--no-inherit", request.flags[inherit].no, "role does not inherit privileges");
    app.add_flag("-l,--login", request.flags[login].yes, "role can login (default)");
    app.add_flag("-L,--no-login", request.flags[login].no, "role cannot login");
    app.add_option("-m,--with-member", request.with_member, "ROLE will be a member of new role")
        ->type_name("ROLE")
        ->allow_extra_args(false);
    app.add_flag("-P,--pwprompt", request.pwprompt, "ask for the new role's password (twice)");
    app.add_option("--password-file", request.password_file,
                   "read the password from the first line of FILE (-: stdin)")
        ->type_name("FILE");
    app.add_option("--password-env", request.password_env,
                   "read the password from environment variable VAR")
        ->type_name("VAR");
    app.add_flag("-r,--createrole", request.flags[createrole].yes, "role can create new roles");
    app.add_flag("-R,--no-createrole", request.flags[createrole].no,
                 "role cannot create roles (default)");
    app.add_flag("-s,--superuser", request.flags[superuser].yes, "role will be superuser");
    app.add_flag("-S,--no-superuser", request.flags[superuser].no,
                 "role will not be superuser (default)");
    app.add_option("-v,--valid-until", request.valid_until,
                   "password expiration date and time for role")
        ->type_name("TIMESTAMP");
    app.add_flag("--interactive", request.interactive,
                 "prompt for missing role name and attributes");
    app.add_flag("--bypassrls", request.flags[bypassrls].yes,
                 "role can bypass row-level security (RLS) policy");
    app.add_flag("--no-bypassrls", request.flags[bypassrls].no,
                 "role cannot bypass row-level security (default)");
    app.add_flag("--replication", request.flags[replication].yes,
                 "role can initiate replication");
    app.add_flag("--no-replication", request.flags[replication].no,
                 "role cannot initiate replication (default)");
    app.add_option("--comment", request.comment, "comment on the role (COMMENT ON ROLE)")
        ->type_name("TEXT");
    app.add_flag("--if-not-exists", request.if_not_exists,
                 "accept an existing role and converge it");
    app.add_flag("--update-password", request.update_password,
                 "with --if-not-exists, set the password if it differs");
    // Accepted and ignored, as createuser does: passwords are always sent hashed.
    app.add_flag("-E,--encrypted", request.encrypted)->group("");
    app.add_option("arguments", request.arguments)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        validate(request);
        read_password(request);
        for (const auto& warning : request.warnings) tool.warn(warning);
        ask_interactively(request);
        if (request.attribute[superuser] == Tri::yes) {
            // As createuser: not much point in restricting a superuser.
            request.attribute[createdb] = Tri::yes;
            request.attribute[createrole] = Tri::yes;
        }
        Session session = tool.connector().connect_maintenance();
        if (look_up(session, request)) {
            if (!request.if_not_exists) throw already_exists(request);
            return converge(session, request);
        }
        return create(session, request);
    });
}

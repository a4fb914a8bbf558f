/// pg-createuser: createuser's drop-in, with passwords that never travel in plain text and
/// --if-not-exists convergence.
///
/// The SQL is createuser 17's, clause for clause: CREATE ROLE name [PASSWORD] SUPERUSER|NO...
/// CREATEDB CREATEROLE INHERIT LOGIN REPLICATION BYPASSRLS [CONNECTION LIMIT] [VALID UNTIL]
/// [IN ROLE ...] [ROLE ...] [ADMIN ...], plus COMMENT ON ROLE for --comment, all in one
/// transaction.

#include <fmt/format.h>
#include <libpq-fe.h>

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/converge.hpp"
#include "common/names.hpp"
#include "common/settings.hpp"
#include "common/tool.hpp"
#include "tools/pg-createuser/attributes.hpp"
#include "tools/pg-createuser/generated_password.hpp"
#include "tools/pg-createuser/memberships.hpp"
#include "tools/pg-createuser/passwords.hpp"

namespace {

using namespace pgkit;

struct Request {
    std::vector<std::string> arguments;  // [ROLENAME]
    std::string role;
    AttributeFlags flags;
    AttributeValues attribute{};
    std::optional<int> connection_limit;
    std::optional<std::string> valid_until, comment, password_file, password_env;
    MembershipRequest memberships;  ///< -g, --member-of-exact, --not-member-of
    std::vector<std::string> with_member, with_admin;
    bool pwprompt = false, interactive = false, if_not_exists = false, update_password = false,
         encrypted = false;
    std::optional<std::string> password;  ///< plain text or a verifier
    SettingsRequest settings;
    std::optional<std::string> in_database;  ///< --in-database: the settings of the role there
    std::optional<std::string> generate_file, alphabet_word;  ///< --generate-password, --password-alphabet
    std::optional<int> password_length;
    PasswordAlphabet alphabet = PasswordAlphabet::alphanumeric;
};

void validate(Request& request) {
    check_argument_count(request.arguments, 1);
    request.attribute = attribute_values(request.flags);
    check_connection_limit(request.connection_limit);
    const int sources = int(request.pwprompt) + int(request.password_file.has_value()) +
                        int(request.password_env.has_value()) +
                        int(request.generate_file.has_value());
    if (sources > 1) {
        throw UsageError("give the password one way only: -P, --password-file, --password-env "
                         "or --generate-password");
    }
    if (request.update_password && sources == 0) {
        throw UsageError("--update-password needs a password (-P, --password-file, "
                         "--password-env or --generate-password)");
    }
    if (request.generate_file) {
        if (*request.generate_file == "-") {
            throw UsageError("--generate-password needs a file: a generated password is never "
                             "printed");
        }
        if (request.password_length && (*request.password_length < 16 || *request.password_length > 1024)) {
            throw UsageError("--password-length must be 16 to 1024");
        }
        if (request.alphabet_word) {
            const auto alphabet = parse_password_alphabet(*request.alphabet_word);
            if (!alphabet) {
                throw UsageError(fmt::format("invalid password alphabet \"{}\": use alphanumeric, "
                                             "hex or urlsafe",
                                             *request.alphabet_word));
            }
            request.alphabet = *alphabet;
        }
    } else if (request.password_length || request.alphabet_word) {
        throw UsageError("--password-length and --password-alphabet shape --generate-password's "
                         "password: give --generate-password=FILE");
    }
    if (request.arguments.empty() && request.interactive) {
        request.role = ask_role_name();
    } else {
        request.role =
            request.arguments.empty() ? default_name({"PGUSER"}, "role") : request.arguments[0];
    }
    check_identifier("role name", request.role);
    validate_memberships(request.memberships);
    for (const auto* list : {&request.with_member, &request.with_admin}) {
        for (const auto& name : *list) check_identifier("role name", name);
    }
    validate_settings(request.settings);
    if (request.in_database) {
        check_identifier("database name", *request.in_database);
        if (request.settings.empty()) {
            throw UsageError("--in-database applies to --set and --reset: give one of them");
        }
    }
}

/// Where the role's --set and --reset go: the role, or the role in one database.
SettingsTarget settings_target(Session& session, const Request& request,
                               const std::string& role_oid) {
    SettingsTarget target;
    target.alter = "ALTER ROLE " + session.quote_ident(request.role);
    target.role_oid = role_oid;
    if (request.in_database) {
        const Result row = session.query(
            "SELECT oid FROM pg_catalog.pg_database WHERE datname = $1", {*request.in_database});
        if (row.rows() == 0) {
            throw Error(Exit::server,
                        fmt::format("database \"{}\" does not exist", *request.in_database), {},
                        "--in-database names the database the settings apply in: create it "
                        "first (pg-createdb), or check the name.",
                        "3D000");
        }
        target.alter += " IN DATABASE " + session.quote_ident(*request.in_database);
        target.database_oid = std::string(row.text(0, 0));
        target.what = fmt::format("in database \"{}\"", *request.in_database);
    }
    return target;
}

std::string quoted_list(const Session& session, const std::vector<std::string>& names) {
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ",") + session.quote_ident(name);
    return list;
}

/// CREATE ROLE, and COMMENT ON ROLE for --comment: sent together, one transaction.
std::vector<Statement> create_statements(const Session& session, const Request& request) {
    Statement statement;
    statement.append("CREATE ROLE " + session.quote_ident(request.role));
    if (request.password) {
        statement.append(" PASSWORD ");
        statement.append_secret(session.quote_literal(password_verifier(session, *request.password, request.role)));
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
    if (const auto groups = in_role_groups(request.memberships); !groups.empty()) {
        statement.append(" IN ROLE " + quoted_list(session, groups));
    }
    if (!request.with_member.empty()) statement.append(" ROLE " + quoted_list(session, request.with_member));
    if (!request.with_admin.empty()) statement.append(" ADMIN " + quoted_list(session, request.with_admin));
    std::vector<Statement> statements{statement};
    // Groups with membership options (16+): GRANT ... WITH, in the same transaction.
    for (auto& grant : option_grants(session, request.role, request.memberships)) {
        statements.push_back(std::move(grant));
    }
    if (request.comment) {
        statements.push_back(Statement::plain(fmt::format(
            "COMMENT ON ROLE {} IS {}", session.quote_ident(request.role),
            session.quote_literal(*request.comment))));
    }
    return statements;
}

struct Existing {
    std::string oid;
    std::array<bool, 7> attribute{};
    int connection_limit = -1;
    bool valid_until_differs = false;
    std::optional<std::string> comment;
};

std::optional<Existing> look_up_role(Session& session, const Request& request) {
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

/// What happened to the password given: JSON's `password`.
enum class PasswordAction { none, kept, unchanged, set };

std::string_view password_action_name(PasswordAction action) {
    constexpr std::array<std::string_view, 4> names{"none", "kept", "unchanged", "set"};
    return names[static_cast<std::size_t>(action)];
}

/// The role asked for, in the create-or-converge flow.
constexpr ObjectKind role_kind{
    "role", "42710",
    "Use --if-not-exists to accept an existing role and bring it to the "
    "attributes and memberships asked for."};

class Role final : public CatalogObject<Existing> {
public:
    explicit Role(const Request& request)
        : CatalogObject(role_kind, request.role), request_(request) {}
    explicit Role(const Request&&) = delete;  // keeps a reference
    PasswordAction password() const { return password_; }

    std::optional<Existing> read(Session& session) override {
        return look_up_role(session, request_);
    }

    void create(Session& session) override {
        refuse_options_before_16(request_.memberships, session.server_version());
        std::vector<Statement> statements = create_statements(session, request_);
        if (!request_.settings.empty()) {
            // The role has no OID yet: its settings go in the same transaction, by name.
            const auto settings = settings_statements(
                session, settings_target(session, request_, "0"), request_.settings);
            statements.insert(statements.end(), settings.begin(), settings.end());
        }
        session.execute(statements);
        password_ = request_.password ? PasswordAction::set : PasswordAction::none;
    }

    /// The attributes, limits, password (with --update-password), memberships and comment
    /// asked for; nothing is revoked but what --member-of-exact and --not-member-of name.
    Plan plan(Session& session) override;

private:
    const Request& request_;
    PasswordAction password_ = PasswordAction::none;
};

Plan Role::plan(Session& session) {
    const Existing& existing = this->existing();
    Plan plan;
    const std::string name = session.quote_ident(request_.role);
    Statement alter;
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        if (request_.attribute[i] == Tri::unset) continue;
        const bool wanted = request_.attribute[i] == Tri::yes;
        if (wanted != existing.attribute[i]) {
            alter.append(fmt::format(" {}{}", wanted ? "" : "NO", attributes[i].keyword));
            plan.changes.push_back(fmt::format("{}{}", wanted ? "+" : "-", attributes[i].change));
        }
    }
    if (request_.connection_limit && *request_.connection_limit != existing.connection_limit) {
        alter.append(fmt::format(" CONNECTION LIMIT {}", *request_.connection_limit));
        plan.changes.push_back(fmt::format("connection limit {} -> {}", existing.connection_limit,
                                           *request_.connection_limit));
    }
    if (request_.valid_until && existing.valid_until_differs) {
        alter.append(" VALID UNTIL " + session.quote_literal(*request_.valid_until));
        plan.changes.push_back(fmt::format("valid until {}", *request_.valid_until));
    }
    password_ = PasswordAction::none;
    if (request_.password) {
        if (!request_.update_password) {
            password_ = PasswordAction::kept;
        } else if (stored_password_match(session, *request_.password, request_.role) == PasswordMatch::matches) {
            password_ = PasswordAction::unchanged;
        } else {
            alter.append(" PASSWORD ");
            alter.append_secret(session.quote_literal(password_verifier(session, *request_.password, request_.role)));
            password_ = PasswordAction::set;
            plan.changes.push_back("password");
        }
    }
    if (!alter.empty()) {
        Statement statement = Statement::plain("ALTER ROLE " + name);
        statement.sql += alter.sql;
        statement.shown += alter.shown;
        plan.statements.push_back(std::move(statement));
    }
    const std::string self = fmt::format("{}::pg_catalog.oid", session.quote_literal(existing.oid));
    plan_memberships(session, request_.role, existing.oid, request_.memberships, plan);
    for (const auto& member : request_.with_member) {
        if (!has_membership(session, self, oid_of_name, {member}, false)) {
            plan.add(fmt::format("member \"{}\"", member),
                     Statement::plain(fmt::format("GRANT {} TO {}", name, session.quote_ident(member))));
        }
    }
    for (const auto& admin : request_.with_admin) {
        if (!has_membership(session, self, oid_of_name, {admin}, true)) {
            plan.add(fmt::format("admin \"{}\"", admin),
                     Statement::plain(fmt::format("GRANT {} TO {} WITH ADMIN OPTION", name,
                                                  session.quote_ident(admin))));
        }
    }
    if (request_.comment && *request_.comment != existing.comment.value_or("")) {
        plan.add("comment", Statement::plain(fmt::format("COMMENT ON ROLE {} IS {}", name,
                                                         session.quote_literal(*request_.comment))));
    }
    plan_settings(session, settings_target(session, request_, existing.oid), request_.settings, plan);
    return plan;
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
    tool.allow_empty(app.add_option("--member-of-exact", request.memberships.exact_arguments,
                                    "exactly these groups (comma list), others revoked")
                         ->type_name("ROLE,...")
                         ->delimiter(',')
                         ->allow_extra_args(false));
    app.add_option("--not-member-of", request.memberships.not_member_of,
                   "with --if-not-exists, revoke membership in ROLE")
        ->type_name("ROLE")
        ->allow_extra_args(false);
    app.add_option("-g,--member-of,--role", request.memberships.member_of_arguments,
                   "member of ROLE (ROLE:noinherit, ROLE:noset: 16+; --role: old name)")
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
    app.add_option("--generate-password", request.generate_file,
                   "make a random password and write it to FILE (mode 0600), never printed")
        ->type_name("FILE");
    app.add_option("--password-length", request.password_length,
                   "length of a generated password (default 32)")
        ->type_name("N");
    app.add_option("--password-alphabet", request.alphabet_word,
                   "characters of a generated one: alphanumeric (default), hex, urlsafe")
        ->type_name("WORD");
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
    tool.allow_empty(
        app.add_option("--comment", request.comment, "comment on the role (COMMENT ON ROLE)")
            ->type_name("TEXT"));
    add_settings_options(app, request.settings, "role", "ALTER ROLE");
    app.add_option("--in-database", request.in_database,
                   "--set and --reset apply to the role in database DB only")
        ->type_name("DB");
    app.add_flag("--if-not-exists", request.if_not_exists,
                 "accept an existing role and converge it");
    app.add_flag("--update-password", request.update_password,
                 "with --if-not-exists, set the password if it differs");
    // Accepted and ignored, as createuser does: passwords are always sent hashed.
    app.add_flag("-E,--encrypted", request.encrypted)->group("");
    app.add_option("arguments", request.arguments)->group("");

    return tool.run(argc, argv, [&]() -> Outcome {
        request.memberships.exact_given = app.count("--member-of-exact") > 0;
        validate(request);
        std::vector<std::string> warnings;
        request.password = read_new_password(request.password_file, request.password_env,
                                             request.pwprompt, warnings);
        // A generated password is written to a temporary file before it is sent, and put in
        // place only once the role has it; otherwise the temporary file goes.
        std::optional<PendingPasswordFile> generated;
        if (request.generate_file) {
            request.password = generate_password(
                static_cast<std::size_t>(request.password_length.value_or(32)), request.alphabet);
            generated.emplace(*request.generate_file);
        }
        for (const auto& warning : warnings) tool.warn(warning);
        if (request.interactive) ask_attributes(request.attribute);
        apply_superuser_implies(request.attribute);
        Session session = tool.connector().connect_maintenance();
        Role role(request);
        // Staged once connected, so that Ctrl-C unwinds and removes it (before a connection
        // the signal ends the process at once); in a dry run too, to prove the directory.
        if (generated) generated->stage(*request.password);
        Outcome outcome =
            report(session, role, create_or_converge(session, role, request.if_not_exists));
        outcome.json["password"] = password_action_name(role.password());
        if (generated) {
            const bool written = role.password() == PasswordAction::set && !tool.behaviour().dry_run;
            if (written) generated->commit();
            outcome.json["password_file"] = written ? nlohmann::json(generated->path()) : nlohmann::json();
            std::error_code ignored;
            if (role.password() == PasswordAction::kept &&
                !std::filesystem::exists(generated->path(), ignored)) {
                tool.warn(fmt::format("role \"{}\" exists and keeps its password; \"{}\" was not "
                                      "written (--update-password makes a new one)",
                                      request.role, generated->path()));
            }
        }
        return outcome;
    });
}

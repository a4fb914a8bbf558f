#define BOOST_TEST_MODULE pg-createuser against a real server
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tools/pg-createuser/passwords.hpp"
#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace data = boost::unit_test::data;
using namespace pgkit::test;
using Env = std::map<std::string, std::optional<std::string>>;

namespace {

Outcome createuser(const std::vector<std::string>& args, const Env& env = {},
                   const std::string& stdin_data = {}) {
    return run_tool("pg-createuser", args, env, stdin_data);
}

using Dialogue = std::vector<std::pair<std::string, std::string>>;

/// Runs pg-createuser on a terminal of its own, typing each reply once its prompt shows.
Outcome createuser_on_terminal(const std::vector<std::string>& args, const Dialogue& dialogue) {
    Command command;
    command.argv = {tool_path("pg-createuser")};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = tool_env(shared_cluster());
    return run_on_terminal(command, dialogue);
}

bool role_exists(const std::string& name) {
    return admin().value("SELECT count(*) FROM pg_roles WHERE rolname = $1", {name}) == "1";
}

std::optional<std::string> role_field(const std::string& name, const std::string& expression) {
    return admin().value("SELECT " + expression + " FROM pg_authid r WHERE rolname = $1", {name});
}

bool is_member(const std::string& member, const std::string& group, bool admin_option = false) {
    return admin().value(
               "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
               "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = $2" +
                   std::string(admin_option ? " AND m.admin_option" : ""),
               {group, member}) == "1";
}

void drop_role(const std::string& name) { admin().exec("DROP ROLE IF EXISTS " + quote_ident(name)); }

void make_role(const std::string& name) {
    drop_role(name);
    admin().exec("CREATE ROLE " + quote_ident(name));
}

/// A real login over TCP, where the test cluster asks for a SCRAM password.
bool can_log_in(const std::string& role, const std::string& password) {
    const Cluster& cluster = shared_cluster();
    const char* keywords[] = {"host", "port", "user", "password", "dbname", "connect_timeout",
                              nullptr};
    const std::string port = cluster.port();  // port() returns a copy: keep it alive
    const char* values[] = {"127.0.0.1", port.c_str(), role.c_str(), password.c_str(),
                            "postgres", "10", nullptr};
    PGconn* connection = PQconnectdbParams(keywords, values, 0);
    const bool ok = PQstatus(connection) == CONNECTION_OK;
    PQfinish(connection);
    return ok;
}

bool server_log_contains(const std::string& text) {
    return contains(read_file(shared_cluster().log_path()), text);
}

/// A password no other test uses, so that finding it anywhere is meaningful.
std::string fresh_password(const std::string& tag) { return "pw-" + unique_name(tag) + "-Zq9"; }

std::string write_file(const std::string& content, mode_t mode = 0600) {
    const std::string path = "/tmp/" + unique_name("pgkit-pwfile");
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_bad_option) {
    const Outcome help = createuser({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-createuser creates a new PostgreSQL role.", 0) == 0);
    BOOST_TEST(createuser({"-?"}).out == help.out);
    const Outcome version = createuser({"--version"});
    BOOST_TEST(version.exit_code == 0);
    BOOST_TEST(version.out.rfind("pg-createuser (pgkit) ", 0) == 0);
    const Outcome bad = createuser({"--no-such-option"});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(contains(bad.err, "pg-createuser: hint: Try \"pg-createuser --help\""));
}

const std::vector<std::string> bad_argument_lists[] = {
    {"a", "b"},
    {"-d", "-D", "badpair"},
    {"--login", "--no-login", "badpair"},
    {"-c", "-5", "badlimit"},
    {std::string(64, 'r')},
    {"-g", std::string(64, 'g'), "badgroup"},
    {"--password-env", "PGKIT_UNSET_VARIABLE", "badenv"},
    {"--password-env", "PGKIT_EMPTY", "badenv"},
    {"--password-env", "PGKIT_EMPTY", "--password-file", "/dev/null", "badtwo"},
    {"--if-not-exists", "--update-password", "badupdate"},
    {"-P", "badprompt"},
    {"--interactive"},
};
const char* const bad_argument_messages[] = {
    "too many command-line arguments (first is \"b\")",
    "-d/--createdb and -D/--no-createdb cannot be used together",
    "-l/--login and -L/--no-login cannot be used together",
    "connection limit must be -1",
    "is too long (64 bytes; the limit is 63)",
    "is too long",
    "environment variable \"PGKIT_UNSET_VARIABLE\" is not set",
    "the password from environment variable \"PGKIT_EMPTY\" is empty",
    "give the password one way only",
    "--update-password needs a password",
    "-P/--pwprompt needs a terminal",
    "--interactive needs a terminal",
};

BOOST_DATA_TEST_CASE(bad_arguments_are_exit_2_and_nothing_is_created,
                     data::make(bad_argument_lists) ^ data::make(bad_argument_messages), args,
                     message) {
    const Outcome result = createuser(args, {{"PGKIT_EMPTY", ""}});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, message), "stderr: " << result.err);
    for (const char* name : {"a", "badpair", "badlimit", "badgroup", "badenv", "badtwo",
                             "badupdate", "badprompt"}) {
        BOOST_TEST(!role_exists(name));
    }
}

BOOST_AUTO_TEST_CASE(empty_password_file_is_exit_2) {
    const std::string file = write_file("\n");
    const Outcome result = createuser({"--password-file", file, "emptypw"});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, "is empty"));
    BOOST_TEST(!role_exists("emptypw"));
    ::unlink(file.c_str());
}

BOOST_AUTO_TEST_CASE(missing_password_file_is_exit_6_naming_the_file) {
    const Outcome result = createuser({"--password-file", "/nonexistent/pw", "nofile"});
    BOOST_TEST(result.exit_code == 6);
    BOOST_TEST(contains(result.err, "could not read password file \"/nonexistent/pw\""));
    BOOST_TEST(!role_exists("nofile"));
}

BOOST_AUTO_TEST_CASE(rolename_defaults_to_pguser_as_createuser_does) {
    // PGUSER is also the login user: connect explicitly as postgres with -U.
    const std::string name = unique_name("from_pguser");
    const Outcome result = createuser({"-U", "postgres"}, {{"PGUSER", name}});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(role_exists(name));
    drop_role(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(attributes)

BOOST_AUTO_TEST_CASE(defaults_are_createusers_login_inherit_and_nothing_else) {
    const std::string name = unique_name("plain");
    const Outcome result = createuser({name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "created role \"" + name + "\"\n");
    BOOST_TEST(role_field(name, "rolcanlogin::text || rolinherit::text || rolsuper::text || "
                                "rolcreatedb::text || rolcreaterole::text || "
                                "rolreplication::text || rolbypassrls::text || "
                                "rolconnlimit::text || (rolpassword IS NULL)::text") ==
               "truetruefalsefalsefalsefalsefalse-1true");
    drop_role(name);
}

const std::vector<std::string> attribute_options[] = {
    {"-d"}, {"--createdb"}, {"-r"}, {"-s"}, {"-I"}, {"-L"}, {"--replication"},
    {"--bypassrls"}, {"-c", "7"}, {"-v", "2031-02-03 04:05:06+00"}, {"--comment", "it's a role"},
};
const char* const attribute_checks[] = {
    "rolcreatedb",
    "rolcreatedb",
    "rolcreaterole",
    "rolsuper AND rolcreatedb AND rolcreaterole",
    "NOT rolinherit",
    "NOT rolcanlogin",
    "rolreplication",
    "rolbypassrls",
    "rolconnlimit = 7",
    "rolvaliduntil = '2031-02-03 04:05:06+00'",
    "shobj_description(oid, 'pg_authid') = 'it''s a role'",
};

BOOST_DATA_TEST_CASE(each_option_reaches_pg_roles,
                     data::make(attribute_options) ^ data::make(attribute_checks), args, check) {
    const std::string name = unique_name("attr");
    std::vector<std::string> full = args;
    full.push_back(name);
    const Outcome result = createuser(full);
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(role_field(name, "(" + std::string(check) + ")::text") == "true");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(memberships_reach_pg_auth_members) {
    const std::string group = unique_name("group");
    const std::string group2 = unique_name("group2");
    const std::string member = unique_name("member");
    const std::string admin_role = unique_name("admin");
    for (const auto& role : {group, group2, member, admin_role}) make_role(role);
    const std::string name = unique_name("joined");
    const Outcome result = createuser(
        {"-g", group, "--role", group2, "-m", member, "-a", admin_role, name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(is_member(name, group));
    BOOST_TEST(is_member(name, group2));
    BOOST_TEST(is_member(member, name));
    BOOST_TEST(is_member(admin_role, name, /*admin_option=*/true));
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(missing_member_role_is_exit_1_and_nothing_is_created) {
    const std::string name = unique_name("halfmade");
    const Outcome result = createuser({"-g", "no_such_group", "--comment", "x", name});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "role \"no_such_group\" does not exist"));
    BOOST_TEST(!role_exists(name));
}

BOOST_AUTO_TEST_CASE(sends_the_same_sql_as_postgresqls_createuser) {
    const std::string group = unique_name("sqlgroup");
    make_role(group);
    const std::string name = unique_name("samesql");
    // Options createuser 15 has (-v, -m, -a and --bypassrls came in 16).
    const std::vector<std::string> options = {"-e", "-d", "-r", "-I", "-c", "3", "-g", group,
                                              "--replication", name};
    Command theirs;
    theirs.argv = {shared_cluster().client_tool("createuser")};
    theirs.argv.insert(theirs.argv.end(), options.begin(), options.end());
    theirs.env = tool_env(shared_cluster());
    const Outcome reference = run(theirs);
    BOOST_TEST_REQUIRE(reference.exit_code == 0, reference.err);
    drop_role(name);
    const Outcome ours = createuser(options);
    BOOST_TEST(ours.exit_code == 0, ours.err);
    auto create_role_line = [](const std::string& text) {
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("CREATE ROLE", 0) == 0) {
                std::string normal;
                for (char c : line) {
                    if (c != '"') normal += c;
                }
                // createuser 15 predates --bypassrls (16) and leaves the clause out.
                for (const std::string clause : {" NOBYPASSRLS"}) {
                    if (auto at = normal.find(clause); at != std::string::npos) {
                        normal.erase(at, clause.size());
                    }
                }
                return normal;
            }
        }
        return std::string();
    };
    BOOST_TEST(!create_role_line(reference.out).empty());
    BOOST_TEST(create_role_line(ours.err) == create_role_line(reference.out),
               ours.err << "\nvs\n" << reference.out);
    drop_role(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(passwords)

BOOST_AUTO_TEST_CASE(password_file_sets_a_scram_verifier_that_logs_in_over_tcp) {
    const std::string name = unique_name("fromfile");
    const std::string password = fresh_password("file");
    const std::string file = write_file(password + "\nsecond line ignored\n");
    const Outcome result = createuser({"--echo", "--password-file", file, name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(role_field(name, "left(rolpassword, 14)") == "SCRAM-SHA-256$");
    BOOST_TEST(can_log_in(name, password));
    BOOST_TEST(!can_log_in(name, "second line ignored"));
    BOOST_TEST(contains(result.err, "PASSWORD '********'"));
    BOOST_TEST(!contains(result.err + result.out, password));
    BOOST_TEST(!result.err.empty());
    BOOST_TEST(!contains(result.err, "warning"));
    ::unlink(file.c_str());
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(password_from_stdin_with_a_dash) {
    const std::string name = unique_name("fromstdin");
    const std::string password = fresh_password("stdin");
    const Outcome result = createuser({"--password-file", "-", name}, {}, password + "\r\n");
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(can_log_in(name, password));
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(password_env_sets_a_password_that_logs_in) {
    const std::string name = unique_name("fromenv");
    const std::string password = fresh_password("env");
    const Outcome result = createuser({"--format", "json", "--password-env", "APP_PW", name},
                                      {{"APP_PW", password}});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(can_log_in(name, password));
    const auto document = nlohmann::json::parse(result.out);
    BOOST_TEST(document["password"] == "set");
    BOOST_TEST(!contains(result.out, password));
    BOOST_TEST(contains(document["statements"][0].get<std::string>(), "PASSWORD '********'"));
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(pwprompt_asks_twice_on_a_terminal) {
    const std::string name = unique_name("prompted");
    const std::string password = fresh_password("prompt");
    const Outcome result = createuser_on_terminal(
        {"-P", name},
        {{"Enter password for new role: ", password + "\n"}, {"Enter it again: ", password + "\n"}});
    BOOST_TEST(result.exit_code == 0, result.out);
    BOOST_TEST(contains(result.out, "Enter password for new role: "));
    BOOST_TEST(contains(result.out, "Enter it again: "));
    BOOST_TEST(!contains(result.out, password), "the terminal echoed the password");
    BOOST_TEST(can_log_in(name, password));

    const std::string other = unique_name("mismatch");
    const Outcome mismatch = createuser_on_terminal(
        {"-P", other}, {{"Enter password for new role: ", "one\n"}, {"Enter it again: ", "two\n"}});
    BOOST_TEST(mismatch.exit_code == 2);
    BOOST_TEST(contains(mismatch.out, "passwords didn't match"));
    BOOST_TEST(!role_exists(other));
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(interactive_asks_for_the_name_and_attributes) {
    const std::string name = unique_name("asked");
    const Outcome result = createuser_on_terminal(
        {"--interactive"},
        {{"Enter name of role to add: ", name + "\n"}, {"(y/n) ", "n\n"}, {"(y/n) ", "y\n"},
         {"(y/n) ", "n\n"}});
    BOOST_TEST(result.exit_code == 0, result.out);
    BOOST_TEST(contains(result.out, "Shall the new role be a superuser? (y/n)"));
    BOOST_TEST(role_field(name, "(NOT rolsuper AND rolcreatedb AND NOT rolcreaterole)::text") ==
               "true");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(an_existing_verifier_is_passed_on_as_it_is) {
    const std::string scram_name = unique_name("scramverifier");
    const std::string password = fresh_password("verifier");
    const std::string verifier = pgkit::scram_sha256_verifier(password, "0123456789abcdef", 4096);
    BOOST_TEST(createuser({"--password-env", "V", scram_name}, {{"V", verifier}}).exit_code == 0);
    BOOST_TEST(role_field(scram_name, "rolpassword") == verifier);
    BOOST_TEST(can_log_in(scram_name, password));

    const std::string md5_name = unique_name("md5verifier");
    const std::string md5 = "md5" + std::string(32, 'a');
    const Outcome md5_made = createuser({"--password-env", "V", md5_name}, {{"V", md5}});
    BOOST_TEST(md5_made.exit_code == 0);
    BOOST_TEST(role_field(md5_name, "rolpassword") == md5);
    // PostgreSQL 18 deprecates MD5 passwords: its warning reaches the user whole.
    const bool deprecated = shared_cluster().server_major() >= 18;
    BOOST_TEST(contains(md5_made.err, "pg-createuser: warning: setting an MD5-encrypted password") ==
                   deprecated, md5_made.err);
    BOOST_TEST(contains(md5_made.err, "pg-createuser: detail: MD5 password support is deprecated") ==
                   deprecated, md5_made.err);
    drop_role(scram_name);
    drop_role(md5_name);
}

BOOST_AUTO_TEST_CASE(group_readable_password_file_gets_a_warning) {
    const std::string name = unique_name("loosefile");
    const std::string file = write_file(fresh_password("loose") + "\n", 0644);
    const Outcome result = createuser({"--password-file", file, name});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(contains(result.err, "pg-createuser: warning: password file \"" + file +
                                        "\" has group or world access"));
    ::unlink(file.c_str());
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(update_password_changes_only_a_different_password) {
    const std::string name = unique_name("rotate");
    const std::string first = fresh_password("first");
    BOOST_TEST(createuser({"--password-env", "PW", name}, {{"PW", first}}).exit_code == 0);
    const auto stored = role_field(name, "rolpassword");

    // The same password: verified against the stored SCRAM keys, nothing sent.
    const Outcome same = createuser(
        {"--if-not-exists", "--update-password", "--format", "json", "--password-env", "PW", name},
        {{"PW", first}});
    BOOST_TEST(same.exit_code == 0, same.err);
    const auto same_report = nlohmann::json::parse(same.out);
    BOOST_TEST(same_report["password"] == "unchanged");
    BOOST_TEST(same_report["statements"].empty());
    BOOST_TEST(role_field(name, "rolpassword") == stored);

    // Without --update-password, an existing role's password is left alone.
    const std::string second = fresh_password("second");
    const Outcome kept = createuser({"--if-not-exists", "--format", "json", "--password-env",
                                     "PW", name},
                                    {{"PW", second}});
    BOOST_TEST(nlohmann::json::parse(kept.out)["password"] == "kept");
    BOOST_TEST(can_log_in(name, first));

    // A different one is set.
    const Outcome changed =
        createuser({"--if-not-exists", "--update-password", "--password-env", "PW", name},
                   {{"PW", second}});
    BOOST_TEST(changed.exit_code == 0, changed.err);
    BOOST_TEST(changed.out == "altered role \"" + name + "\": password\n");
    BOOST_TEST(can_log_in(name, second));
    BOOST_TEST(!can_log_in(name, first));
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(update_password_sets_it_when_the_verifier_cannot_be_read) {
    // A CREATEROLE role may change passwords but not read pg_authid.
    const std::string manager = unique_name("manager");
    drop_role(manager);
    admin().exec("CREATE ROLE " + manager + " LOGIN CREATEROLE");
    const std::string name = unique_name("managed");
    const std::string password = fresh_password("managed");
    BOOST_TEST(createuser({"-U", manager, "--password-env", "PW", name}, {{"PW", password}})
                   .exit_code == 0);
    const Outcome again = createuser({"-U", manager, "--if-not-exists", "--update-password",
                                      "--format", "json", "--password-env", "PW", name},
                                     {{"PW", password}});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(nlohmann::json::parse(again.out)["password"] == "set");
    BOOST_TEST(can_log_in(name, password));
    drop_role(name);
    drop_role(manager);
}

BOOST_AUTO_TEST_CASE(no_plain_password_reaches_the_server_log) {
    // Runs after the tests above in this suite; the server logs every statement.
    BOOST_TEST(admin().value("SHOW log_statement") == "all");
    const std::string name = unique_name("logged");
    const std::string password = fresh_password("logged");
    BOOST_TEST(createuser({"--password-env", "PW", name}, {{"PW", password}}).exit_code == 0);
    BOOST_TEST(createuser({"--if-not-exists", "--update-password", "--password-env", "PW", name},
                          {{"PW", password + "x"}})
                   .exit_code == 0);
    BOOST_TEST(eventually([&] { return server_log_contains("ALTER ROLE \"" + name + "\""); }));
    BOOST_TEST(!server_log_contains(password));
    BOOST_TEST(!server_log_contains("pw-"), "a plain test password is in the server log");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(a_generated_password_goes_to_its_file_only_and_only_when_set) {
    const std::string dir = "/tmp/" + unique_name("pgkit-generated");
    std::filesystem::create_directories(dir);
    const std::string file = dir + "/app.password";
    const auto read_password = [&file] {
        std::ifstream in(file);
        std::string line;
        std::getline(in, line);
        return line;
    };
    const auto entries = [&dir] {
        return std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator());
    };
    const std::string name = unique_name("generated");
    // A dry run writes nothing, but proves the directory takes the file.
    const Outcome dry = createuser({"--dry-run", "--generate-password=" + file, name});
    BOOST_TEST(dry.exit_code == 0, dry.err);
    BOOST_TEST(entries() == 0);
    const Outcome nowhere = createuser({"--dry-run", "--generate-password=" + dir + "/missing/pw", name});
    BOOST_TEST(nowhere.exit_code == 6);
    // A role that cannot be made: no file, no temporary file left.
    const Outcome failed = createuser({"--generate-password=" + file, "--member-of", unique_name("nogroup"), name});
    BOOST_TEST(failed.exit_code == 1);
    BOOST_TEST(entries() == 0);
    // Made: the file has it, mode 0600, 32 letters and digits, and it logs in.
    const Outcome made = createuser({"-e", "--format", "json", "--generate-password=" + file, name});
    BOOST_TEST(made.exit_code == 0, made.err);
    const std::string first = read_password();
    BOOST_TEST(first.size() == 32U);
    BOOST_TEST(first.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
    struct stat status {};
    BOOST_TEST_REQUIRE(::stat(file.c_str(), &status) == 0);
    BOOST_TEST((status.st_mode & 0777) == 0600U);
    BOOST_TEST(can_log_in(name, first));
    BOOST_TEST(nlohmann::json::parse(made.out)["password_file"] == file);
    BOOST_TEST(!contains(made.out + made.err, first));
    BOOST_TEST(!server_log_contains(first));
    // Again without --update-password: kept, the file untouched.
    const Outcome kept = createuser({"--if-not-exists", "--generate-password=" + file, name});
    BOOST_TEST(kept.exit_code == 0, kept.err);
    BOOST_TEST(read_password() == first);
    BOOST_TEST(entries() == 1);
    // Rotated: a new one, 20 hex digits, the old one no longer logs in.
    const Outcome rotated = createuser({"--if-not-exists", "--update-password", "--generate-password=" + file,
                                        "--password-length=20", "--password-alphabet=hex", name});
    BOOST_TEST(rotated.exit_code == 0, rotated.err);
    BOOST_TEST(rotated.out == "altered role \"" + name + "\": password\n");
    const std::string second = read_password();
    BOOST_TEST(second.size() == 20U);
    BOOST_TEST(second.find_first_not_of("0123456789abcdef") == std::string::npos);
    BOOST_TEST(can_log_in(name, second));
    BOOST_TEST(!can_log_in(name, first));
    // Refused before connecting.
    BOOST_TEST(createuser({"--generate-password=-", name}).exit_code == 2);
    BOOST_TEST(createuser({"--generate-password=" + file, "--password-env=X", name}).exit_code == 2);
    BOOST_TEST(createuser({"--generate-password=" + file, "--password-length=8", name}).exit_code == 2);
    BOOST_TEST(createuser({"--password-alphabet=hex", name}).exit_code == 2);
    BOOST_TEST(createuser({"--generate-password=" + file, "--password-alphabet=emoji", name}).exit_code == 2);
    drop_role(name);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(convergence)

BOOST_AUTO_TEST_CASE(json_statements_hold_one_statement_each) {
    const std::string name = unique_name("onebyone");
    const std::string group = unique_name("onebyone_group");
    make_role(group);
    const Outcome created =
        createuser({"--format", "json", "--comment", "first; words", name});
    BOOST_TEST_REQUIRE(created.exit_code == 0, created.err);
    const auto made = nlohmann::json::parse(created.out)["statements"];
    BOOST_TEST_REQUIRE(made.size() == 2u, made.dump());
    BOOST_TEST(made[0].get<std::string>().rfind("CREATE ROLE ", 0) == 0);
    BOOST_TEST(made[1].get<std::string>() ==
               "COMMENT ON ROLE \"" + name + "\" IS 'first; words'");
    const Outcome altered = createuser({"--format", "json", "--if-not-exists", "-d", "-g", group,
                                        "--comment", "second", name});
    BOOST_TEST_REQUIRE(altered.exit_code == 0, altered.err);
    const auto changed = nlohmann::json::parse(altered.out)["statements"];
    BOOST_TEST_REQUIRE(changed.size() == 3u, changed.dump());
    BOOST_TEST(changed[0].get<std::string>() == "ALTER ROLE \"" + name + "\" CREATEDB");
    BOOST_TEST(changed[1].get<std::string>() == "GRANT \"" + group + "\" TO \"" + name + "\"");
    BOOST_TEST(changed[2].get<std::string>().rfind("COMMENT ON ROLE ", 0) == 0);
    // Still one transaction: the three changes are all there.
    BOOST_TEST(admin().value("SELECT rolcreatedb FROM pg_roles WHERE rolname = $1", {name}) == "t");
    drop_role(name);
    drop_role(group);
}

BOOST_AUTO_TEST_CASE(existing_role_is_exit_5_without_if_not_exists) {
    const std::string name = unique_name("existing");
    BOOST_TEST(createuser({name}).exit_code == 0);
    const Outcome again = createuser({name});
    BOOST_TEST(again.exit_code == 5);
    BOOST_TEST(contains(again.err, "role \"" + name + "\" already exists"));
    const Outcome json = createuser({"--format", "json", name});
    BOOST_TEST(nlohmann::json::parse(json.out)["sqlstate"] == "42710");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(what_is_asked_is_altered_and_reported) {
    const std::string group = unique_name("readers");
    const std::string member = unique_name("bob");
    make_role(group);
    make_role(member);
    const std::string name = unique_name("converge");
    BOOST_TEST(createuser({name}).exit_code == 0);
    const Outcome result = createuser({"--if-not-exists", "-d", "-L", "-c", "5", "-g", group, "-m",
                                       member, "--comment", "hello", name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "altered role \"" + name + "\": +createdb, -login, connection limit "
                                                        "-1 -> 5, member of \"" +
                                 group + "\", member \"" + member + "\", comment\n");
    BOOST_TEST(role_field(name, "(rolcreatedb AND NOT rolcanlogin AND rolconnlimit = 5)::text") ==
               "true");
    BOOST_TEST(is_member(name, group));
    BOOST_TEST(is_member(member, name));
    // Run again: nothing left to do.
    const Outcome again = createuser({"--if-not-exists", "-d", "-L", "-c", "5", "-g", group, "-m",
                                      member, "--comment", "hello", name});
    BOOST_TEST(again.out == "role \"" + name + "\" already exists\n");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(nothing_is_revoked_or_reset) {
    const std::string group = unique_name("keepgroup");
    make_role(group);
    const std::string name = unique_name("keep");
    BOOST_TEST(createuser({"-d", "-r", "-c", "4", "-g", group, "--comment", "kept", name})
                   .exit_code == 0);
    BOOST_TEST(createuser({"--if-not-exists", name}).exit_code == 0);
    BOOST_TEST(createuser({"--if-not-exists", "-I", name}).exit_code == 0);
    BOOST_TEST(role_field(name, "(rolcreatedb AND rolcreaterole AND rolconnlimit = 4 AND NOT "
                                "rolinherit)::text") == "true");
    BOOST_TEST(is_member(name, group));
    BOOST_TEST(role_field(name, "shobj_description(oid, 'pg_authid')") == "kept");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(valid_until_is_compared_as_a_timestamp) {
    const std::string name = unique_name("expiring");
    BOOST_TEST(createuser({"-v", "2030-01-01 00:00:00+00", name}).exit_code == 0);
    const Outcome same = createuser({"--if-not-exists", "-v", "2030-01-01T00:00:00Z", name});
    BOOST_TEST(same.out == "role \"" + name + "\" already exists\n");
    const Outcome later = createuser({"--if-not-exists", "-v", "infinity", name});
    BOOST_TEST(contains(later.out, "valid until infinity"));
    BOOST_TEST(role_field(name, "rolvaliduntil::text") == "infinity");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(admin_option_is_added_to_an_existing_plain_membership) {
    const std::string name = unique_name("adminable");
    const std::string carol = unique_name("carol");
    make_role(carol);
    BOOST_TEST(createuser({"-m", carol, name}).exit_code == 0);
    BOOST_TEST(!is_member(carol, name, true));
    const Outcome result = createuser({"--if-not-exists", "-a", carol, name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(contains(result.out, "admin \"" + carol + "\""));
    BOOST_TEST(is_member(carol, name, true));
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(eight_concurrent_runs_with_a_membership_all_exit_0) {
    const std::string group = unique_name("racegroup");
    make_role(group);
    const std::string name = unique_name("race");
    std::vector<Running> runs;
    for (int i = 0; i < 8; ++i) {
        runs.push_back(start_tool("pg-createuser",
                                  {"--if-not-exists", "-g", group, "-d", "--comment", "raced", name}));
    }
    for (auto& run : runs) {
        const Outcome result = run.wait();
        BOOST_TEST(result.exit_code == 0, result.err);
    }
    BOOST_TEST(role_exists(name));
    BOOST_TEST(admin().value("SELECT count(*) FROM pg_auth_members m JOIN pg_roles u ON u.oid = "
                             "m.member WHERE u.rolname = $1",
                             {name}) == "1");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(dry_run_creates_and_alters_nothing) {
    const std::string name = unique_name("dry");
    const Outcome result = createuser({"--dry-run", "--password-env", "PW", name},
                                      {{"PW", fresh_password("dry")}});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "would create role \"" + name + "\"\n");
    BOOST_TEST(!role_exists(name));
    BOOST_TEST(createuser({name}).exit_code == 0);
    const Outcome alter = createuser({"--dry-run", "--if-not-exists", "-d", name});
    BOOST_TEST(alter.out == "would alter role \"" + name + "\": +createdb\n");
    BOOST_TEST(role_field(name, "rolcreatedb::text") == "false");
    drop_role(name);
}

BOOST_AUTO_TEST_CASE(dry_run_fails_where_the_real_run_would) {
    const std::string name = unique_name("dryfail");
    const Outcome missing_group = createuser({"--dry-run", "-g", "no_such_group_here", name});
    BOOST_TEST(missing_group.exit_code == 1, missing_group.err);
    BOOST_TEST(contains(missing_group.err, "role \"no_such_group_here\" does not exist"),
               missing_group.err);
    BOOST_TEST(missing_group.out.empty());
    BOOST_TEST(!role_exists(name));
    // Proved in a transaction that is rolled back, and --echo shows it.
    const Outcome proved = createuser({"--dry-run", "--echo", "--comment", "c", name});
    BOOST_TEST(proved.exit_code == 0, proved.err);
    BOOST_TEST(contains(proved.err, "BEGIN;\nCREATE ROLE \"" + name + "\""), proved.err);
    BOOST_TEST(contains(proved.err, "ROLLBACK;\n"), proved.err);
    BOOST_TEST(!role_exists(name));
    BOOST_TEST(createuser({name}).exit_code == 0);
    const Outcome alter = createuser({"--dry-run", "--if-not-exists", "-g", "no_such_group_here", name});
    BOOST_TEST(alter.exit_code == 1, alter.err);
    drop_role(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(settings)

/// The role's settings as pg_db_role_setting holds them, in `database` ("" for everywhere).
std::optional<std::string> role_settings(const std::string& role, const std::string& database = "") {
    return admin().value(
        "SELECT array_to_string(s.setconfig, ' | ') FROM pg_db_role_setting s WHERE s.setrole = "
        "(SELECT oid FROM pg_roles WHERE rolname = $1) AND s.setdatabase = coalesce((SELECT oid "
        "FROM pg_database WHERE datname = $2), 0)",
        {role, database});
}

BOOST_AUTO_TEST_CASE(settings_are_set_converged_and_reset_in_the_servers_own_form) {
    const std::string name = unique_name("set_role");
    const Outcome made = createuser({"--set", "search_path=\"$user\", public", "--set", "work_mem=64MB",
                                     "--set", "application_name=it's; DROP ROLE postgres", name});
    BOOST_TEST(made.exit_code == 0, made.err);
    BOOST_TEST(role_settings(name) ==
               "search_path=\"$user\", public | work_mem=64MB | application_name=it's; DROP ROLE postgres");
    // The same again, spelled as a shell script would: unchanged, nothing sent.
    const Outcome same = createuser({"--if-not-exists", "--format", "json", "--set", "search_path=\"$user\",public",
                                     "--set", "WORK_MEM=64MB", name});
    BOOST_TEST(same.exit_code == 0, same.err);
    const auto json = nlohmann::json::parse(same.out);
    BOOST_TEST(json["action"] == "unchanged", same.out);
    BOOST_TEST(json["statements"].empty());
    // A new value: altered, and only that one; --reset takes one away.
    const Outcome changed = createuser({"--if-not-exists", "--set", "work_mem=128MB", "--reset",
                                        "application_name", "--reset", "statement_timeout", name});
    BOOST_TEST(changed.exit_code == 0, changed.err);
    BOOST_TEST(changed.out == "altered role \"" + name + "\": set work_mem = 128MB, reset application_name\n");
    BOOST_TEST(role_settings(name) == "search_path=\"$user\", public | work_mem=128MB");
    // Unquoted schema names fold to lower case, as the server folds them in a list it reads.
    const Outcome folded = createuser({"--if-not-exists", "--set", "search_path=\"$user\", MyApp, \"Kept\"", name});
    BOOST_TEST(folded.out == "altered role \"" + name + "\": set search_path = \"$user\", myapp, \"Kept\"\n");
    BOOST_TEST(createuser({"--if-not-exists", "--set", "search_path=\"$user\", public", name}).exit_code == 0);
    // In one database only.
    const std::string database = unique_name("set_db");
    admin().exec("CREATE DATABASE " + database);
    const Outcome there = createuser({"--if-not-exists", "--in-database", database, "--set",
                                      "statement_timeout=5s", name});
    BOOST_TEST(there.out == "altered role \"" + name + "\": set statement_timeout = 5s in database \"" +
                                database + "\"\n");
    BOOST_TEST(role_settings(name, database) == "statement_timeout=5s");
    BOOST_TEST(role_settings(name) == "search_path=\"$user\", public | work_mem=128MB");
    // A dry run proves and keeps nothing.
    const Outcome dry = createuser({"--if-not-exists", "--dry-run", "--set", "work_mem=1MB", name});
    BOOST_TEST(dry.out == "would alter role \"" + name + "\": set work_mem = 1MB\n");
    BOOST_TEST(role_settings(name) == "search_path=\"$user\", public | work_mem=128MB");
    // Refusals: the server's for a parameter it does not know (exit 1), ours before connecting.
    const Outcome unknown = createuser({"--if-not-exists", "--set", "no_such_parameter=1", name});
    BOOST_TEST(unknown.exit_code == 1);
    BOOST_TEST(contains(unknown.err, "no_such_parameter"), unknown.err);
    BOOST_TEST(createuser({"--if-not-exists", "--set", "work_mem", name}).exit_code == 2);
    BOOST_TEST(createuser({"--if-not-exists", "--set", "x;y=1", name}).exit_code == 2);
    BOOST_TEST(createuser({"--if-not-exists", "--in-database", database, name}).exit_code == 2);
    const Outcome no_database = createuser({"--if-not-exists", "--in-database", unique_name("nodb"),
                                            "--set", "work_mem=1MB", name});
    BOOST_TEST(no_database.exit_code == 1);
    BOOST_TEST(contains(no_database.err, "does not exist"), no_database.err);
    admin().exec("DROP DATABASE " + database);
    drop_role(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memberships)

BOOST_AUTO_TEST_CASE(exact_memberships_revoke_the_rest_and_not_member_of_revokes_one) {
    const std::string a = unique_name("group_a"), b = unique_name("group_b"), c = unique_name("group_c");
    for (const auto& group : {a, b, c}) make_role(group);
    const std::string name = unique_name("member");
    BOOST_TEST(createuser({"-g", a, "-g", b, name}).exit_code == 0);
    // Exactly b and c: c granted, a revoked, b left as it is.
    const Outcome exact = createuser({"--if-not-exists", "--member-of-exact=" + b + "," + c, name});
    BOOST_TEST(exact.exit_code == 0, exact.err);
    BOOST_TEST(exact.out == "altered role \"" + name + "\": member of \"" + c + "\", not member of \"" + a + "\"\n");
    BOOST_TEST(!is_member(name, a));
    BOOST_TEST(is_member(name, b));
    BOOST_TEST(is_member(name, c));
    const Outcome again = createuser({"--if-not-exists", "--member-of-exact=" + b + "," + c, name});
    BOOST_TEST(again.out == "role \"" + name + "\" already exists\n");
    // One taken away; then none at all (an empty list).
    const Outcome one = createuser({"--if-not-exists", "--not-member-of", b, name});
    BOOST_TEST(one.out == "altered role \"" + name + "\": not member of \"" + b + "\"\n");
    BOOST_TEST(!is_member(name, b));
    BOOST_TEST(createuser({"--if-not-exists", "--member-of-exact=", name}).exit_code == 0);
    BOOST_TEST(!is_member(name, c));
    // Refused before connecting.
    BOOST_TEST(createuser({"--if-not-exists", "-g", a, "--member-of-exact=" + b, name}).exit_code == 2);
    BOOST_TEST(createuser({"--if-not-exists", "-g", a, "--not-member-of", a, name}).exit_code == 2);
    BOOST_TEST(createuser({"--if-not-exists", "-g", a + ":noset:noset", name}).exit_code == 2);
    drop_role(name);
    for (const auto& group : {a, b, c}) drop_role(group);
}

BOOST_AUTO_TEST_CASE(a_membership_another_role_granted_is_named_not_silently_kept) {
    if (!possible_here(shared_cluster().server_major() >= 16, "grantors of memberships count from 16 on")) return;
    const std::string manager = unique_name("manager");
    admin().exec("CREATE ROLE " + manager + " LOGIN CREATEROLE");
    Database as_manager(shared_cluster().conninfo() + " user=" + manager);
    const std::string group = unique_name("mgroup"), member = unique_name("mmember");
    as_manager.exec("CREATE ROLE " + group);
    as_manager.exec("CREATE ROLE " + member);
    admin().exec("GRANT " + group + " TO " + member);  // granted by the superuser
    const Outcome refused = createuser({"-U", manager, "--if-not-exists", "--not-member-of", group, member});
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(contains(refused.err, "membership of \"" + member + "\" in \"" + group +
                                         "\" was granted by \"postgres\""),
               refused.err);
    BOOST_TEST(is_member(member, group));
    // The superuser may: revoked.
    BOOST_TEST(createuser({"--if-not-exists", "--not-member-of", group, member}).exit_code == 0);
    BOOST_TEST(!is_member(member, group));
    for (const auto& role : {member, group, manager}) drop_role(role);
}

BOOST_AUTO_TEST_CASE(membership_options_are_set_and_converged_on_16_and_refused_before) {
    const std::string group = unique_name("optgroup");
    make_role(group);
    const std::string name = unique_name("optmember");
    if (shared_cluster().server_major() < 16) {
        const Outcome refused = createuser({"-g", group + ":noinherit", name});
        BOOST_TEST(refused.exit_code == 1);
        BOOST_TEST(contains(refused.err, "need PostgreSQL 16 or later"), refused.err);
        BOOST_TEST(!role_exists(name));
        drop_role(group);
        return;
    }
    const auto options = [&] {
        return admin().value("SELECT m.inherit_option::text || ' ' || m.set_option::text FROM "
                             "pg_auth_members m WHERE m.roleid = $1::regrole AND m.member = $2::regrole",
                             {quote_ident(group), quote_ident(name)});
    };
    BOOST_TEST(createuser({"-g", group + ":noinherit", name}).exit_code == 0);
    BOOST_TEST(options() == "false true");
    const Outcome changed = createuser({"--if-not-exists", "-g", group + ":inherit:noset", name});
    BOOST_TEST(changed.exit_code == 0, changed.err);
    BOOST_TEST(changed.out == "altered role \"" + name + "\": member of \"" + group + "\": inherit no -> yes, set yes -> no\n");
    BOOST_TEST(options() == "true false");
    const Outcome same = createuser({"--if-not-exists", "-g", group + ":inherit:noset", name});
    BOOST_TEST(same.out == "role \"" + name + "\" already exists\n");
    drop_role(name);
    drop_role(group);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connection)

BOOST_AUTO_TEST_CASE(unreachable_server_is_exit_3) {
    const Outcome result = createuser({"-h", tcp_host(), "-p", unused_port(), "nobody"});
    BOOST_TEST(result.exit_code == 3);
    BOOST_TEST(contains(result.err, "Connection refused"));
}

BOOST_AUTO_TEST_CASE(wrong_password_is_exit_4) {
    const Outcome result = createuser({"-h", tcp_host(), "nobody"}, {{"PGPASSWORD", "wrong"}});
    BOOST_TEST(result.exit_code == 4);
    BOOST_TEST(contains(result.err, "password authentication failed"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(locks)

BOOST_AUTO_TEST_CASE(lock_timeout_gives_up_and_ctrl_c_cancels_the_wait) {
    const std::string name = unique_name("lockrole");
    // Another session is creating the same role and has not committed: ours waits for it.
    Database blocker(shared_cluster().conninfo());
    blocker.exec("BEGIN");
    blocker.exec("CREATE ROLE " + name);
    const Outcome result = createuser({"--lock-timeout=1", name});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "canceling statement due to lock timeout"), result.err);

    Running run = start_tool("pg-createuser", {name});
    const bool waiting = eventually([&] {
        return admin().value("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                             "'pg-createuser' AND wait_event_type = 'Lock'") == "1";
    });
    BOOST_TEST_REQUIRE(waiting);
    run.send_signal(SIGINT);
    BOOST_TEST(run.wait().exit_code == 130);
    blocker.exec("ROLLBACK");
    BOOST_TEST(!role_exists(name));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hostile)

const std::string hostile_names[] = {
    "it's", "semi;colon", "\"double\"", "with space", "Upper Case", "back\\slash",
    "x; DROP ROLE postgres; --", "\xc3\xa9t\xc3\xa9 \xe2\x98\x83", "$1", std::string(63, 'h'),
};

BOOST_DATA_TEST_CASE(hostile_role_names_reach_the_catalog_exactly, data::make(hostile_names),
                     hostile) {
    // Unique: the hostile-input suite, running at the same time, makes roles of such names.
    const std::string name = unique_variant(hostile);
    const std::string password = fresh_password("hostile");
    const Outcome result = createuser({"--password-env", "PW", "--comment", name, name},
                                      {{"PW", password}});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(role_exists(name));
    BOOST_TEST(role_field(name, "shobj_description(oid, 'pg_authid')") == name);
    BOOST_TEST(can_log_in(name, password));
    BOOST_TEST(role_exists("postgres"));
    const Outcome again = createuser({"--if-not-exists", "--update-password", "--password-env",
                                      "PW", name},
                                     {{"PW", password}});
    BOOST_TEST(again.out == "role \"" + name + "\" already exists\n", again.err);
    drop_role(name);
}

BOOST_AUTO_TEST_SUITE_END()

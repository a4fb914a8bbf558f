#define BOOST_TEST_MODULE pg-createdb against a real server
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <chrono>
#include <thread>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

namespace data = boost::unit_test::data;
using namespace pgkit::test;
using Env = std::map<std::string, std::optional<std::string>>;

namespace {

Outcome createdb(const std::vector<std::string>& args, const Env& env = {}) {
    return run_tool("pg-createdb", args, env);
}

bool database_exists(const std::string& name) {
    return admin().value("SELECT count(*) FROM pg_database WHERE datname = $1", {name}) == "1";
}

std::optional<std::string> database_field(const std::string& name, const std::string& expression) {
    return admin().value("SELECT " + expression + " FROM pg_database d WHERE datname = $1", {name});
}

void drop_database(const std::string& name) {
    admin().exec("DROP DATABASE IF EXISTS " + quote_ident(name));
}

void create_role(const std::string& name) {
    admin().exec("DROP ROLE IF EXISTS " + quote_ident(name));
    admin().exec("CREATE ROLE " + quote_ident(name));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_prints_usage_and_exits_0) {
    const Outcome result = createdb({"--help"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.rfind("pg-createdb creates a PostgreSQL database.", 0) == 0);
    BOOST_TEST(contains(result.out, "Usage:\n  pg-createdb [OPTION]... [DBNAME] [DESCRIPTION]"));
    BOOST_TEST(createdb({"-?"}).out == result.out);
}

BOOST_AUTO_TEST_CASE(version_prints_the_kit_version) {
    const Outcome result = createdb({"--version"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.rfind("pg-createdb (pgkit) ", 0) == 0);
    BOOST_TEST(createdb({"-V"}).out == result.out);
}

BOOST_AUTO_TEST_CASE(fails_with_exit_2_on_an_unknown_option) {
    const Outcome result = createdb({"--no-such-option"});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, "pg-createdb: error: "));
    BOOST_TEST(contains(result.err, "--no-such-option"));
    BOOST_TEST(contains(result.err, "pg-createdb: hint: Try \"pg-createdb --help\""));
    BOOST_TEST(result.out.empty());
}

const std::vector<std::string> bad_argument_lists[] = {
    {"a", "b", "c"},
    {"-E", "klingon", "badenc"},
    {std::string(64, 'x')},
    {"--connection-limit", "-5", "badlimit"},
    {"--connection-limit", "many", "badlimit"},
    {"--locale-provider", "libc; DROP DATABASE postgres", "badprov"},
    {"-p", "99999", "badport"},
    {"--format", "yaml", "badformat"},
    {"--connect-timeout", "soon", "badtimeout"},
    {"-O", "", "badowner"},
    {"-T", std::string(64, 't'), "badtemplate"},
    {""},
};
const char* const bad_argument_messages[] = {
    "too many command-line arguments (first is \"c\")",
    "\"klingon\" is not a valid encoding name",
    "is too long (64 bytes; the limit is 63)",
    "connection limit must be -1",
    "invalid value",
    "invalid locale provider",
    "invalid port \"99999\"",
    "invalid output format \"yaml\"",
    "invalid value",
    "owner must not be empty",
    "template \"",
    "database name must not be empty",
};

BOOST_DATA_TEST_CASE(bad_arguments_are_exit_2_and_nothing_is_created,
                     data::make(bad_argument_lists) ^ data::make(bad_argument_messages), args,
                     message) {
    const Outcome result = createdb(args);
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, message), "stderr: " << result.err);
    for (const auto& name : {"badenc", "badlimit", "badprov", "badport", "badformat",
                             "badtimeout", "badowner", "badtemplate", "a"}) {
        BOOST_TEST(!database_exists(name));
    }
    BOOST_TEST(!database_exists(std::string(64, 'x').substr(0, 63)));
}

BOOST_AUTO_TEST_CASE(a_bad_port_is_exit_2_wherever_it_comes_from) {
    const std::string name = unique_name("badport");
    const Outcome from_environment = createdb({name}, {{"PGPORT", "99999"}});
    BOOST_TEST(from_environment.exit_code == 2);
    BOOST_TEST(contains(from_environment.err, "invalid port \"99999\": must be 1 to 65535 (from PGPORT)"),
               from_environment.err);
    const Outcome from_uri =
        createdb({"--maintenance-db", "postgresql://localhost:99999/postgres", name});
    BOOST_TEST(from_uri.exit_code == 2);
    BOOST_TEST(contains(from_uri.err, "(from the connection string)"), from_uri.err);
    const Outcome from_string = createdb({"--maintenance-db", "port=0 dbname=postgres", name});
    BOOST_TEST(from_string.exit_code == 2);
    // -p wins over PGPORT, as in libpq: a bad PGPORT it overrides is not looked at.
    const Outcome overridden =
        createdb({"-p", shared_cluster().var("PGPORT"), "--dry-run", name}, {{"PGPORT", "99999"}});
    BOOST_TEST(overridden.exit_code == 0, overridden.err);
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(a_missing_tablespaces_hint_names_a_tablespace) {
    const std::string name = unique_name("nospace");
    const Outcome result = createdb({"-D", "no_such_space_here", name});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "tablespace \"no_such_space_here\" does not exist"), result.err);
    BOOST_TEST(contains(result.err, "hint: Check the name, or create the tablespace first."),
               result.err);
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(dbname_defaults_to_pgdatabase_as_createdb_does) {
    const std::string name = unique_name("from_pgdatabase");
    const Outcome result = createdb({}, {{"PGDATABASE", name}});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(database_exists(name));
    drop_database(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(creation)

BOOST_AUTO_TEST_CASE(creates_a_database_and_says_so) {
    const std::string name = unique_name("plain");
    const Outcome result = createdb({name});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "created database \"" + name + "\"\n");
    BOOST_TEST(result.err.empty());
    BOOST_TEST(database_exists(name));
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(description_becomes_the_database_comment) {
    const std::string name = unique_name("described");
    BOOST_TEST(createdb({name, "Orders of the shop"}).exit_code == 0);
    BOOST_TEST(database_field(name, "shobj_description(d.oid, 'pg_database')") ==
               "Orders of the shop");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(owner_option_sets_the_owner) {
    const std::string role = unique_name("owner");
    create_role(role);
    const std::string name = unique_name("owned");
    BOOST_TEST(createdb({"-O", role, name}).exit_code == 0);
    BOOST_TEST(database_field(name, "pg_get_userbyid(d.datdba)") == role);
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(encoding_and_locale_options_reach_the_catalog) {
    const std::string latin = unique_name("latin");
    BOOST_TEST(createdb({"-E", "LATIN1", "-l", "C", "-T", "template0", latin}).exit_code == 0);
    BOOST_TEST(database_field(latin, "pg_encoding_to_char(d.encoding)") == "LATIN1");
    BOOST_TEST(database_field(latin, "d.datcollate") == "C");
    BOOST_TEST(database_field(latin, "d.datctype") == "C");

    const std::string split = unique_name("split_locale");
    BOOST_TEST(createdb({"--lc-collate", "C", "--lc-ctype", "C.UTF-8", "-T", "template0", split})
                   .exit_code == 0);
    BOOST_TEST(database_field(split, "d.datcollate") == "C");
    BOOST_TEST(database_field(split, "d.datctype") == "C.UTF-8");
    drop_database(latin);
    drop_database(split);
}

BOOST_AUTO_TEST_CASE(icu_locale_provider_options_reach_the_catalog) {
    const std::string name = unique_name("icu");
    const Outcome result = createdb(
        {"--locale-provider", "icu", "--icu-locale", "en-US", "-T", "template0", name});
    if (shared_cluster().server_major() < 15) {
        // Refused before anything is sent, naming the version that has it.
        BOOST_TEST(result.exit_code == 1);
        BOOST_TEST(contains(result.err, "option \"locale_provider\" not recognized"), result.err);
        BOOST_TEST(contains(result.err, "It needs PostgreSQL 15 or later."), result.err);
        BOOST_TEST(!database_exists(name));
        return;
    }
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(database_field(name, "d.datlocprovider::text") == "i");
    // daticulocale became datlocale in PostgreSQL 17.
    const char* column = shared_cluster().server_major() >= 17 ? "d.datlocale" : "d.daticulocale";
    BOOST_TEST(database_field(name, column) == "en-US");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(template_option_copies_the_template) {
    const std::string templ = unique_name("tmpl");
    admin().exec("CREATE DATABASE " + templ);
    {
        Database inside(shared_cluster().conninfo(templ));
        inside.exec("CREATE TABLE seeded_marker (id int)");
    }
    const std::string name = unique_name("from_tmpl");
    BOOST_TEST(createdb({"--template=" + templ, name}).exit_code == 0);
    Database copy(shared_cluster().conninfo(name));
    BOOST_TEST(copy.value("SELECT to_regclass('public.seeded_marker')::text") == "seeded_marker");
    drop_database(templ);
}

BOOST_AUTO_TEST_CASE(strategy_option_is_sent_and_accepted) {
    const std::string name = unique_name("strategy");
    const Outcome result = createdb({"-e", "-S", "file_copy", name});
    if (shared_cluster().server_major() < 15) {
        // A clear refusal naming the version, not the server's syntax error; nothing sent.
        BOOST_TEST(result.exit_code == 1);
        BOOST_TEST(contains(result.err, "option \"strategy\" not recognized"), result.err);
        BOOST_TEST(contains(result.err, "It needs PostgreSQL 15 or later."), result.err);
        BOOST_TEST(!contains(result.err, "CREATE DATABASE"), result.err);
        BOOST_TEST(!database_exists(name));
        return;
    }
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(contains(result.err, "STRATEGY \"file_copy\""));
    BOOST_TEST(database_exists(name));
    const Outcome bad = createdb({"-S", "teleport", unique_name("strategy_bad")});
    BOOST_TEST(bad.exit_code == 1);
    BOOST_TEST(contains(bad.err, "teleport"));
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(tablespace_option_places_the_database) {
    if (!admin().value("SELECT 1 FROM pg_tablespace WHERE spcname = 'pgkit_space'")) {
        admin().exec("CREATE TABLESPACE pgkit_space LOCATION '" +
                     shared_cluster().var("PGKIT_CLUSTER_TABLESPACE_DIR") + "'");
    }
    const std::string name = unique_name("spaced");
    BOOST_TEST(createdb({"-D", "pgkit_space", name}).exit_code == 0);
    BOOST_TEST(admin().value("SELECT t.spcname FROM pg_database d JOIN pg_tablespace t ON "
                             "t.oid = d.dattablespace WHERE d.datname = $1",
                             {name}) == "pgkit_space");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(connection_limit_option_sets_datconnlimit) {
    const std::string name = unique_name("limited");
    BOOST_TEST(createdb({"--connection-limit", "7", name}).exit_code == 0);
    BOOST_TEST(database_field(name, "d.datconnlimit") == "7");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(an_existing_database_gets_the_same_refusals_as_creation) {
    const int version = std::stoi(*admin().value("SHOW server_version_num"));
    const std::string name = unique_name("refusals");
    BOOST_TEST_REQUIRE(createdb({name}).exit_code == 0);
    // A tablespace that does not exist is named so, not reported as a different one.
    const Outcome space = createdb({"--if-not-exists", "-D", "no_such_space_here", name});
    BOOST_TEST(space.exit_code == 1);
    BOOST_TEST(contains(space.err, "tablespace \"no_such_space_here\" does not exist"), space.err);
    BOOST_TEST(!contains(space.err, "not \"no_such_space_here\""), space.err);
    // An option this server does not have is refused, as CREATE DATABASE refuses it.
    const Outcome builtin = createdb({"--if-not-exists", "--builtin-locale", "C.UTF-8", name});
    if (version < 170000) {
        BOOST_TEST(builtin.exit_code == 1);
        BOOST_TEST(contains(builtin.err, "option \"builtin_locale\" not recognized"), builtin.err);
    } else {
        BOOST_TEST(builtin.exit_code != 1, builtin.err);
    }
    // Without --if-not-exists the server's checks decide, in its order, as with createdb: a
    // locale it does not know is found before the name that exists.
    const Outcome locale = createdb({"-l", "no_such_locale", name});
    BOOST_TEST(locale.exit_code == 1, locale.err);
    BOOST_TEST(contains(locale.err, "locale name"), locale.err);
    const Outcome plain = createdb({name});
    BOOST_TEST(plain.exit_code == 5);
    BOOST_TEST(contains(plain.err, "database \"" + name + "\" already exists"), plain.err);
    // A dry run sends no CREATE: it asks the catalog, and says the same.
    const Outcome dry = createdb({"--dry-run", name});
    BOOST_TEST(dry.exit_code == 5);
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(newer_server_options_are_refused_by_an_older_server_with_exit_1) {
    const int version = std::stoi(*admin().value("SHOW server_version_num"));
    const std::string rules = unique_name("rules");
    const Outcome icu_rules = createdb({"--locale-provider", "icu", "--icu-locale", "en",
                                        "--icu-rules", "&a < b", "-T", "template0", rules});
    const std::string builtin = unique_name("builtin");
    const Outcome builtin_locale = createdb(
        {"--locale-provider", "builtin", "--builtin-locale", "C.UTF-8", "-T", "template0", builtin});
    if (version < 160000) {
        BOOST_TEST(icu_rules.exit_code == 1);
        // Before 15 the first option the server lacks is the provider itself.
        BOOST_TEST(contains(icu_rules.err, version < 150000 ? "locale_provider" : "icu_rules"),
                   icu_rules.err);
        BOOST_TEST(!database_exists(rules));
    }
    if (version < 170000) {
        BOOST_TEST(builtin_locale.exit_code == 1);
        BOOST_TEST(!database_exists(builtin));
    } else {
        // 17's builtin provider: made, read back from datlocale, and the same locale spelt
        // another way is no difference on a second run.
        BOOST_TEST(builtin_locale.exit_code == 0, builtin_locale.err);
        BOOST_TEST(database_field(builtin, "d.datlocprovider::text") == "b");
        BOOST_TEST(database_field(builtin, "d.datlocale") == "C.UTF-8");
        const Outcome again = createdb({"--if-not-exists", "--locale-provider", "builtin",
                                        "--builtin-locale", "C.utf8", builtin});
        BOOST_TEST(again.exit_code == 0, again.err);
        BOOST_TEST(contains(again.out, "already exists"), again.out);
    }
    if (version >= 160000) {
        BOOST_TEST(icu_rules.exit_code == 0, icu_rules.err);
        BOOST_TEST(database_field(rules, "d.daticurules") == "&a < b");
    }
    drop_database(rules);
    drop_database(builtin);
}

BOOST_AUTO_TEST_CASE(encoding_that_does_not_fit_the_template_locale_is_exit_1) {
    // 22023 from the server: a refused operation (exit 1), not bad input (exit 6 is pg-seed's).
    const std::string name = unique_name("misfit");
    const Outcome result = createdb({"-E", "LATIN1", name});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "LATIN1"), result.err);
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(nonexistent_owner_is_a_server_error_exit_1) {
    const std::string name = unique_name("orphan");
    const Outcome result = createdb({"-O", "no_such_role_here", name});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "role \"no_such_role_here\" does not exist"));
    BOOST_TEST(!database_exists(name));
}

BOOST_AUTO_TEST_CASE(sends_the_same_sql_as_postgresqls_createdb) {
    const std::string role = unique_name("sqlowner");
    create_role(role);
    const std::string createdb_binary = shared_cluster().client_tool("createdb");
    const std::string name = unique_name("samesql");
    std::vector<std::string> options = {"-e",  "-O",        role,          "-E", "UTF8",
                                        "-T",  "template0", "-l",          "C.UTF-8",
                                        "--lc-collate", "C", name,         "it's"};
    // STRATEGY is 15's: createdb 15 sends it to any server, which an older one refuses.
    if (shared_cluster().server_major() >= 15) options.insert(options.begin(), {"-S", "wal_log"});
    Command theirs;
    theirs.argv = {createdb_binary};
    theirs.argv.insert(theirs.argv.end(), options.begin(), options.end());
    theirs.env = tool_env(shared_cluster());
    const Outcome reference = run(theirs);
    if (reference.exit_code != 0) {
        BOOST_TEST_MESSAGE("createdb failed: " << reference.err);
    }
    drop_database(name);
    const Outcome ours = createdb(options);
    BOOST_TEST(ours.exit_code == reference.exit_code, ours.err);
    auto statements = [](const std::string& text) {
        std::vector<std::string> found;
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("CREATE DATABASE", 0) == 0 || line.rfind("COMMENT ON", 0) == 0) {
                std::string unquoted;
                for (char c : line) {
                    if (c != '"') unquoted += c;
                }
                found.push_back(unquoted);
            }
        }
        return found;
    };
    const auto expected = statements(reference.out);  // createdb echoes to stdout
    BOOST_TEST(expected.size() == 2u);
    BOOST_TEST(statements(ours.err) == expected, ours.err << "\nvs\n" << reference.out);
    drop_database(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(database_settings_are_set_converged_and_reset) {
    const std::string name = unique_name("set_db");
    const auto stored = [&name] {
        return admin().value("SELECT array_to_string(setconfig, ' | ') FROM pg_db_role_setting "
                             "WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database "
                             "WHERE datname = $1)",
                             {name});
    };
    const Outcome made = createdb({"--set", "DateStyle=ISO, DMY", "--set", "search_path=app, public", name});
    BOOST_TEST(made.exit_code == 0, made.err);
    BOOST_TEST(stored() == "DateStyle=ISO, DMY | search_path=app, public");
    const Outcome same = createdb({"--if-not-exists", "--set", "DateStyle=ISO, DMY", "--set",
                                   "search_path=app,public", name});
    BOOST_TEST(same.out == "database \"" + name + "\" already exists\n");
    const Outcome changed = createdb({"--if-not-exists", "--set", "search_path=app", "--reset", "datestyle", name});
    BOOST_TEST(changed.exit_code == 0, changed.err);
    BOOST_TEST(changed.out == "altered database \"" + name + "\": set search_path = app, reset datestyle\n");
    BOOST_TEST(stored() == "search_path=app");
    // A session in the database gets it.
    {
        Database inside(shared_cluster().conninfo(name));
        BOOST_TEST(inside.value("SHOW search_path") == "app");
    }
    BOOST_TEST(createdb({"--if-not-exists", "--set", "=x", name}).exit_code == 2);
    drop_database(name);
    // A parameter the server does not know stops a new database before it is made, dry or not.
    for (const bool dry : {true, false}) {
        std::vector<std::string> args = {"--set", "no_such_parameter=1", name};
        if (dry) args.insert(args.begin(), "--dry-run");
        const Outcome refused = createdb(args);
        BOOST_TEST(refused.exit_code == 1, dry);
        BOOST_TEST(contains(refused.err, "no_such_parameter"), refused.err);
        BOOST_TEST(!database_exists(name));
    }
}

BOOST_AUTO_TEST_CASE(template_and_connection_flags_are_set_and_converged) {
    const std::string name = unique_name("flagged");
    const Outcome made = createdb({"--is-template", "--allow-connections=no", name});
    BOOST_TEST(made.exit_code == 0, made.err);
    BOOST_TEST(database_field(name, "d.datistemplate::text || ' ' || d.datallowconn::text") == "true false");
    const Outcome same = createdb({"--if-not-exists", "--is-template=yes", "--allow-connections=off", name});
    BOOST_TEST(same.out == "database \"" + name + "\" already exists\n");
    const Outcome changed = createdb({"--if-not-exists", "--is-template=no", "--allow-connections", name});
    BOOST_TEST(changed.exit_code == 0, changed.err);
    BOOST_TEST(changed.out == "altered database \"" + name + "\": is template yes -> no, allow connections no -> yes\n");
    BOOST_TEST(database_field(name, "d.datistemplate::text || ' ' || d.datallowconn::text") == "false true");
    const Outcome bad = createdb({"--if-not-exists", "--is-template=maybe", name});
    BOOST_TEST(bad.exit_code == 2);
    BOOST_TEST(contains(bad.err, "invalid value \"maybe\" for --is-template"), bad.err);
    drop_database(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exit_codes)

BOOST_AUTO_TEST_CASE(unreachable_port_is_exit_3_with_a_hint) {
    const Outcome result = createdb({"-h", tcp_host(), "-p", unused_port(), "unreachable"});
    BOOST_TEST(result.exit_code == 3);
    BOOST_TEST(contains(result.err, "Connection refused"));
    BOOST_TEST(contains(result.err, "pg-createdb: hint: "));
}

BOOST_AUTO_TEST_CASE(missing_socket_is_exit_3) {
    const Outcome result = createdb({"-h", "/nonexistent/socket/dir", "nosocket"});
    BOOST_TEST(result.exit_code == 3);
    BOOST_TEST(contains(result.err, "No such file or directory"));
}

BOOST_AUTO_TEST_CASE(wrong_password_over_tcp_is_exit_4) {
    const Outcome result = createdb({"-h", tcp_host(), "wrongpw"}, {{"PGPASSWORD", "not-it"}});
    BOOST_TEST(result.exit_code == 4);
    BOOST_TEST(contains(result.err, "password authentication failed for user \"postgres\""));
    BOOST_TEST(contains(result.err, "pg-createdb: hint: "));
    BOOST_TEST(!database_exists("wrongpw"));
}

BOOST_AUTO_TEST_CASE(no_password_without_a_terminal_is_exit_4_with_a_hint) {
    const Outcome result = createdb({"-h", tcp_host(), "nopw"});
    BOOST_TEST(result.exit_code == 4);
    BOOST_TEST(contains(result.err, "no password supplied"));
    BOOST_TEST(contains(result.err, "PGPASSWORD"));
    const Outcome never = createdb({"-h", tcp_host(), "-w", "nopw"});
    BOOST_TEST(never.exit_code == 4);
}

BOOST_AUTO_TEST_CASE(right_password_over_tcp_succeeds) {
    const std::string name = unique_name("tcp");
    const Outcome result =
        createdb({"-h", tcp_host(), name}, {{"PGPASSWORD", shared_cluster().password()}});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(database_exists(name));
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(missing_maintenance_database_is_exit_4) {
    const Outcome result = createdb({"--maintenance-db", "no_such_db", "whatever"});
    BOOST_TEST(result.exit_code == 4);
    BOOST_TEST(contains(result.err, "database \"no_such_db\" does not exist"));
    BOOST_TEST(contains(result.err, "pg-createdb: hint: "));
}

BOOST_AUTO_TEST_CASE(a_database_that_refuses_connections_is_exit_4_and_not_waited_for) {
    const Outcome result = createdb({"--wait", "120", "--maintenance-db", "template0", "x"});
    BOOST_TEST(result.exit_code == 4);
    BOOST_TEST(contains(result.err, "is not currently accepting connections"));
}

BOOST_AUTO_TEST_CASE(a_malformed_connection_string_is_a_usage_error) {
    const Outcome result = createdb({"--maintenance-db", "postgresql:///postgres?bogus=1", "x"});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, "invalid connection string"));
}

BOOST_AUTO_TEST_CASE(missing_login_role_is_exit_4) {
    const Outcome result = createdb({"-U", "no_such_user", "whatever"});
    BOOST_TEST(result.exit_code == 4);
    BOOST_TEST(contains(result.err, "role \"no_such_user\" does not exist"));
}

BOOST_AUTO_TEST_CASE(existing_database_is_exit_5) {
    const std::string name = unique_name("existing");
    BOOST_TEST(createdb({name}).exit_code == 0);
    const Outcome again = createdb({name});
    BOOST_TEST(again.exit_code == 5);
    BOOST_TEST(contains(again.err, "database \"" + name + "\" already exists"));
    BOOST_TEST(contains(again.err, "--if-not-exists"));
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(maintenance_db_takes_a_uri_or_a_connection_string) {
    const Cluster& cluster = shared_cluster();
    const std::string uri_name = unique_name("via_uri");
    const std::string uri =
        "postgresql://postgres@/postgres?host=" + cluster.host() + "&port=" + cluster.port();
    const Outcome by_uri = createdb({"--maintenance-db", uri, uri_name},
                                    {{"PGHOST", std::nullopt}, {"PGPORT", std::nullopt}});
    BOOST_TEST(by_uri.exit_code == 0, by_uri.err);
    BOOST_TEST(database_exists(uri_name));

    const std::string kv_name = unique_name("via_kv");
    const Outcome by_kv = createdb(
        {"--maintenance-db", "dbname=postgres host=" + cluster.host() + " port=" + cluster.port(),
         kv_name},
        {{"PGHOST", std::nullopt}, {"PGPORT", std::nullopt}});
    BOOST_TEST(by_kv.exit_code == 0, by_kv.err);
    BOOST_TEST(database_exists(kv_name));
    drop_database(uri_name);
    drop_database(kv_name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(convergence)

BOOST_AUTO_TEST_CASE(existing_database_as_asked_is_exit_0_and_unchanged) {
    const std::string name = unique_name("same");
    BOOST_TEST(createdb({name, "kept"}).exit_code == 0);
    const Outcome again = createdb({"--if-not-exists", name, "kept"});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(again.out == "database \"" + name + "\" already exists\n");
    const Outcome json = createdb({"--if-not-exists", "--format", "json", name});
    const auto document = nlohmann::json::parse(json.out);
    BOOST_TEST(document["action"] == "unchanged");
    BOOST_TEST(document["statements"].empty());
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(owner_connection_limit_and_comment_are_altered_when_asked) {
    const std::string role = unique_name("newowner");
    create_role(role);
    const std::string name = unique_name("converge");
    BOOST_TEST(createdb({name, "old comment"}).exit_code == 0);
    const Outcome result = createdb(
        {"--if-not-exists", "-O", role, "--connection-limit", "12", name, "new comment"});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "altered database \"" + name + "\": owner \"postgres\" -> \"" + role +
                                 "\", connection limit -1 -> 12, comment\n");
    BOOST_TEST(database_field(name, "pg_get_userbyid(d.datdba)") == role);
    BOOST_TEST(database_field(name, "d.datconnlimit") == "12");
    BOOST_TEST(database_field(name, "shobj_description(d.oid, 'pg_database')") == "new comment");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(what_was_not_asked_is_left_alone) {
    const std::string role = unique_name("keepowner");
    create_role(role);
    const std::string name = unique_name("leave");
    BOOST_TEST(createdb({"-O", role, "--connection-limit", "3", name, "keep me"}).exit_code == 0);
    const Outcome result = createdb({"--if-not-exists", name});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(database_field(name, "pg_get_userbyid(d.datdba)") == role);
    BOOST_TEST(database_field(name, "d.datconnlimit") == "3");
    BOOST_TEST(database_field(name, "shobj_description(d.oid, 'pg_database')") == "keep me");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(different_encoding_or_locale_is_exit_5_naming_the_difference) {
    const std::string name = unique_name("fixed");
    BOOST_TEST(createdb({"-E", "UTF8", "--lc-collate", "C", "-T", "template0", name}).exit_code ==
               0);
    const Outcome encoding = createdb({"--if-not-exists", "-E", "LATIN1", name});
    BOOST_TEST(encoding.exit_code == 5);
    BOOST_TEST(contains(encoding.err, "encoding is UTF8, not LATIN1"), encoding.err);
    const Outcome collate = createdb({"--if-not-exists", "--lc-collate", "C.UTF-8", name});
    BOOST_TEST(collate.exit_code == 5);
    BOOST_TEST(contains(collate.err, "LC_COLLATE is \"C\", not \"C.UTF-8\""), collate.err);
    if (shared_cluster().server_major() >= 15) {
        const Outcome provider = createdb({"--if-not-exists", "--locale-provider", "icu", name});
        BOOST_TEST(provider.exit_code == 5);
        BOOST_TEST(contains(provider.err, "locale provider is \"libc\", not \"icu\""));
    }
    const Outcome space = createdb({"--if-not-exists", "-D", "pg_global", name});
    BOOST_TEST(space.exit_code == 5);
    BOOST_TEST(contains(space.err, "tablespace is \"pg_default\", not \"pg_global\""));
    // An encoding spelled differently but the same is no difference.
    BOOST_TEST(createdb({"--if-not-exists", "-E", "utf-8", name}).exit_code == 0);
    // Nothing was altered by the refused runs.
    BOOST_TEST(database_field(name, "pg_encoding_to_char(d.encoding)") == "UTF8");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(a_locale_spelt_another_way_is_no_difference) {
    // glibc reads C.utf8 and C.UTF-8 as one locale: a second run must not be exit 5.
    const std::string name = unique_name("spelt");
    BOOST_TEST(createdb({"-l", "C.UTF-8", "-T", "template0", name}).exit_code == 0);
    const Outcome again = createdb({"--if-not-exists", "-l", "C.utf8", name});
    BOOST_TEST(again.exit_code == 0, again.err);
    BOOST_TEST(again.out == "database \"" + name + "\" already exists\n");
    BOOST_TEST(createdb({"--if-not-exists", "--lc-ctype", "C.utf-8", name}).exit_code == 0);
    const Outcome other = createdb({"--if-not-exists", "-l", "C", name});
    BOOST_TEST(other.exit_code == 5);
    BOOST_TEST(contains(other.err, "LC_COLLATE is \"C.UTF-8\", not \"C\""), other.err);
    drop_database(name);
    // An ICU locale is compared as its language tag, the form PostgreSQL 16 and later store.
    const int version = std::stoi(*admin().value("SHOW server_version_num"));
    if (version < 150000) return;
    for (const auto& [created, asked] : {std::pair<std::string, std::string>{"en_US", "en_US"},
                                         {"en-US", "en_US"}, {"en_US", "en-US"}}) {
        const std::string icu = unique_name("icutag");
        const Outcome made = createdb(
            {"--locale-provider", "icu", "--icu-locale", created, "-T", "template0", icu});
        BOOST_TEST(made.exit_code == 0, made.err);
        const Outcome second = createdb({"--if-not-exists", "--icu-locale", asked, icu});
        BOOST_TEST(second.exit_code == 0, created << " then " << asked << ": " << second.err);
        const Outcome british = createdb({"--if-not-exists", "--icu-locale", "en-GB", icu});
        BOOST_TEST(british.exit_code == 5);
        drop_database(icu);
    }
}

BOOST_AUTO_TEST_CASE(differences_and_alterations_are_not_mixed) {
    // A run that asks for a new owner and another encoding alters nothing: exit 5.
    const std::string role = unique_name("mixowner");
    create_role(role);
    const std::string name = unique_name("mixed");
    BOOST_TEST(createdb({name}).exit_code == 0);
    const Outcome result = createdb({"--if-not-exists", "-O", role, "-E", "SQL_ASCII", name});
    BOOST_TEST(result.exit_code == 5);
    BOOST_TEST(database_field(name, "pg_get_userbyid(d.datdba)") == "postgres");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(eight_concurrent_runs_of_one_name_all_exit_0_with_one_database) {
    const std::string role = unique_name("raceowner");
    create_role(role);
    const std::string name = unique_name("race");
    std::vector<Running> runs;
    for (int i = 0; i < 8; ++i) {
        runs.push_back(start_tool("pg-createdb", {"--if-not-exists", "-O", role,
                                                  "--connection-limit", "4", name, "raced"}));
    }
    for (auto& run : runs) {
        const Outcome result = run.wait();
        BOOST_TEST(result.exit_code == 0, result.err);
    }
    BOOST_TEST(database_exists(name));
    BOOST_TEST(database_field(name, "pg_get_userbyid(d.datdba)") == role);
    BOOST_TEST(database_field(name, "d.datconnlimit") == "4");
    drop_database(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(behaviour)

BOOST_AUTO_TEST_CASE(dry_run_changes_nothing) {
    const std::string name = unique_name("dry");
    const Outcome result = createdb({"--dry-run", name, "never"});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "would create database \"" + name + "\"\n");
    BOOST_TEST(!database_exists(name));

    BOOST_TEST(createdb({name}).exit_code == 0);
    const Outcome alter =
        createdb({"--dry-run", "--if-not-exists", "--connection-limit", "9", name, "new"});
    BOOST_TEST(alter.exit_code == 0);
    BOOST_TEST(contains(alter.out, "would alter database"));
    BOOST_TEST(database_field(name, "d.datconnlimit") == "-1");
    BOOST_TEST(!database_field(name, "shobj_description(d.oid, 'pg_database')"));
    const Outcome exists = createdb({"--dry-run", name});
    BOOST_TEST(exists.exit_code == 5);
    // Converging ALTERs are proved in a rolled-back transaction: a missing owner fails as in
    // the real run.
    const Outcome owner = createdb({"--dry-run", "--if-not-exists", "-O", "no_such_role_here", name});
    BOOST_TEST(owner.exit_code == 1, owner.err);
    BOOST_TEST(contains(owner.err, "role \"no_such_role_here\" does not exist"), owner.err);
    drop_database(name);
}

/// The first line of what a run printed on stderr.
BOOST_AUTO_TEST_CASE(a_dry_run_of_a_new_database_fails_where_the_real_run_fails) {
    // Roles: one that may not create databases, one that may but owns nothing else.
    const std::string plain = unique_name("plainrole"), creator = unique_name("creator");
    admin().exec("DROP ROLE IF EXISTS " + plain);
    admin().exec("CREATE ROLE " + plain + " LOGIN");
    admin().exec("DROP ROLE IF EXISTS " + creator);
    admin().exec("CREATE ROLE " + creator + " LOGIN CREATEDB");
    const std::string other = unique_name("otherowner");
    create_role(other);
    const std::string not_a_template = unique_name("plaindb");
    admin().exec("CREATE DATABASE " + not_a_template);
    if (!admin().value("SELECT 1 FROM pg_tablespace WHERE spcname = 'pgkit_space'")) {
        admin().exec("CREATE TABLESPACE pgkit_space LOCATION '" +
                     shared_cluster().var("PGKIT_CLUSTER_TABLESPACE_DIR") + "'");
    }
    const std::string name = unique_name("proved");
    const std::vector<std::vector<std::string>> faults = {
        {"-O", "no_such_owner_here"},
        {"-T", "no_such_template_here"},
        {"-D", "no_such_space_here"},
        {"-D", "pg_global"},
        {"-E", "LATIN1", "-l", "C.UTF-8", "-T", "template0"},
        {"-E", "LATIN1"},                       // template1 is UTF8
        {"--lc-collate", "C"},                  // template1's is C.UTF-8
        {"-l", "xx_YY.UTF-8", "-T", "template0"},
        {"--locale-provider", "icu", "--icu-locale", "en"},  // template1 is libc
        {"-U", plain},
        {"-U", creator, "-O", other},
        {"-U", creator, "-T", not_a_template},
        {"-U", creator, "-D", "pgkit_space"},
    };
    for (const auto& fault : faults) {
        std::vector<std::string> args = fault;
        args.push_back(name);
        std::vector<std::string> dry_args = args;
        dry_args.insert(dry_args.begin(), "--dry-run");
        const Outcome dry = createdb(dry_args);
        const Outcome real = createdb(args);
        BOOST_TEST(real.exit_code != 0, fault.front() << " " << fault.back());
        BOOST_TEST(dry.exit_code == real.exit_code, fault.front() << " " << fault.back());
        BOOST_TEST(first_line(dry.err) == first_line(real.err), fault.front() << " " << fault.back());
        BOOST_TEST(!database_exists(name));
    }
    // As the connecting role could: a dry run that passes, and the real run after it.
    const Outcome fine = createdb({"--dry-run", "-U", creator, "-E", "UTF8", "-l", "C.utf8", "-T",
                                   "template0", name});
    BOOST_TEST(fine.exit_code == 0, fine.err);
    BOOST_TEST(!database_exists(name));
    BOOST_TEST(createdb({"-U", creator, "-E", "UTF8", "-l", "C.utf8", "-T", "template0", name})
                   .exit_code == 0);
    drop_database(name);
    drop_database(not_a_template);
    for (const auto& role : {plain, creator, other}) admin().exec("DROP ROLE " + role);
}

BOOST_AUTO_TEST_CASE(echo_shows_the_sql_on_stderr) {
    const std::string name = unique_name("echoed");
    const Outcome result = createdb({"--echo", name, "it's echoed"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(contains(result.err, "CREATE DATABASE \"" + name + "\";\n"));
    BOOST_TEST(contains(result.err, "COMMENT ON DATABASE \"" + name + "\" IS 'it''s echoed';\n"));
    BOOST_TEST(result.out == "created database \"" + name + "\"\n");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(quiet_prints_nothing_on_success_and_errors_still) {
    const std::string name = unique_name("quiet");
    const Outcome result = createdb({"-q", name});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.empty());
    const Outcome again = createdb({"-q", name});
    BOOST_TEST(again.exit_code == 5);
    BOOST_TEST(contains(again.err, "already exists"));
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(json_output_parses_on_success_and_failure) {
    const std::string name = unique_name("json");
    const Outcome created = createdb({"--format", "json", name});
    BOOST_TEST(created.exit_code == 0);
    const auto document = nlohmann::json::parse(created.out);
    BOOST_TEST(document["ok"] == true);
    BOOST_TEST(document["exit_code"] == 0);
    BOOST_TEST(document["database"] == name);
    BOOST_TEST(document["action"] == "created");
    BOOST_TEST(document["statements"].size() == 1u);

    const Outcome failed = createdb({"--format=json", name});
    BOOST_TEST(failed.exit_code == 5);
    const auto error = nlohmann::json::parse(failed.out);
    BOOST_TEST(error["ok"] == false);
    BOOST_TEST(error["exit_code"] == 5);
    BOOST_TEST(error["sqlstate"] == "42P04");
    BOOST_TEST(contains(error["message"].get<std::string>(), "already exists"));

    const Outcome unreachable =
        createdb({"--format", "json", "-h", tcp_host(), "-p", unused_port(), "x"});
    BOOST_TEST(nlohmann::json::parse(unreachable.out)["exit_code"] == 3);
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(ctrl_c_cancels_the_statement_on_the_server_and_exits_130) {
    const std::string name = unique_name("cancel");
    BOOST_TEST(createdb({name}).exit_code == 0);
    // Another session holds the database's catalog row, so that ALTER DATABASE waits.
    Database blocker(shared_cluster().conninfo());
    blocker.exec("BEGIN");
    blocker.exec("ALTER DATABASE " + name + " CONNECTION LIMIT 5");
    Running run = start_tool("pg-createdb", {"--if-not-exists", "--connection-limit", "9", name});
    const bool waiting = eventually([&] {
        return admin().value("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                             "'pg-createdb' AND wait_event_type = 'Lock'") == "1";
    });
    BOOST_TEST_REQUIRE(waiting);
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130);
    BOOST_TEST(contains(result.err, "canceled by signal 2"), result.err);
    blocker.exec("ROLLBACK");
    BOOST_TEST(eventually([&] {
        return admin().value("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                             "'pg-createdb'") == "0";
    }));
    BOOST_TEST(database_field(name, "d.datconnlimit") == "-1");
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(lock_timeout_gives_up_instead_of_hanging) {
    const std::string name = unique_name("locked");
    BOOST_TEST(createdb({name}).exit_code == 0);
    Database blocker(shared_cluster().conninfo());
    blocker.exec("BEGIN");
    blocker.exec("ALTER DATABASE " + name + " CONNECTION LIMIT 5");
    const Outcome result =
        createdb({"--if-not-exists", "--lock-timeout", "0.5", "--connection-limit", "9", name});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "pg-createdb: error: canceling statement due to lock timeout"),
               result.err);
    BOOST_TEST(contains(result.err, "give --lock-timeout more seconds"), result.err);
    blocker.exec("ROLLBACK");
    BOOST_TEST(database_field(name, "d.datconnlimit") == "-1");
    // Bad values are refused before connecting (the port would be exit 3).
    for (const std::string bad : {"-1", "soon", "604801", ""}) {
        const Outcome refused =
            createdb({"--lock-timeout", bad, "-h", tcp_host(), "-p", unused_port(), name});
        BOOST_TEST(refused.exit_code == 2, "--lock-timeout " << bad << ": " << refused.err);
    }
    drop_database(name);
}

BOOST_AUTO_TEST_CASE(a_busy_template_is_retried_then_named_with_its_sessions) {
    const std::string tmpl = unique_name("tmpl");
    admin().exec("CREATE DATABASE " + tmpl);
    const std::string first = unique_name("fromtmpl"), second = unique_name("fromtmpl");
    {
        // A session that stays on the template: the server waits 5 s, pg-createdb once more.
        Database holder(shared_cluster().conninfo(tmpl) + " application_name=holder");
        const Outcome result = createdb({"--template", tmpl, first});
        BOOST_TEST(result.exit_code == 1);
        BOOST_TEST(contains(result.err, "template database \"" + tmpl + "\" is in use by other sessions"),
                   result.err);
        BOOST_TEST(contains(result.err, "application \"holder\""), result.err);
        BOOST_TEST(contains(result.err, "pid " + *holder.value("SELECT pg_backend_pid()")), result.err);
        BOOST_TEST(contains(result.err, "pick another template with --template"), result.err);
        BOOST_TEST(!database_exists(first));
    }
    {
        // A session that leaves after the server's first 5 s wait: the retry succeeds.
        auto holder = std::make_unique<Database>(shared_cluster().conninfo(tmpl));
        Running run = start_tool("pg-createdb", {"--template", tmpl, second});
        std::this_thread::sleep_for(std::chrono::milliseconds(6500));
        holder.reset();
        const Outcome result = run.wait();
        BOOST_TEST(result.exit_code == 0, result.err);
        BOOST_TEST(database_exists(second));
    }
    drop_database(second);
    drop_database(tmpl);
}

BOOST_AUTO_TEST_CASE(sigterm_while_connecting_exits_143) {
    Running run = start_tool("pg-createdb",
                             {"--wait", "60", "-h", tcp_host(), "-p", unused_port(), "never"});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    run.send_signal(SIGTERM);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 143);
    BOOST_TEST(contains(result.err, "interrupted"));
}

BOOST_AUTO_TEST_CASE(ctrl_c_while_connecting_still_prints_the_json_document) {
    Running run = start_tool("pg-createdb", {"--format", "json", "--wait", "60", "-h", tcp_host(),
                                             "-p", unused_port(), "never"});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130);
    const auto document = nlohmann::json::parse(result.out);
    BOOST_TEST(document["exit_code"] == 130);
    BOOST_TEST(document["ok"] == false);
}

const std::string hostile_names[] = {
    "it's",
    "semi;colon",
    "\"double\"",
    "with space",
    "Upper Case",
    "back\\slash",
    "x; DROP DATABASE postgres; --",
    "\xc3\x9c" "n" "\xc3\xaf" "c" "\xc3\xb6" "d" "\xc3\xa9" " \xe2\x98\x83",  // Ünïcödé ☃
    "$1",
    "%s%n",
    "a.b",
    std::string(63, 'n'),
};

BOOST_DATA_TEST_CASE(hostile_names_reach_the_catalog_exactly, data::make(hostile_names), hostile) {
    // Unique: the hostile-input suite, running at the same time, makes databases of such names.
    const std::string name = unique_variant(hostile);
    const std::string comment = "comment of " + name + " with 'quotes' and \\";
    const Outcome result = createdb({name, comment});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(database_exists(name));
    BOOST_TEST(database_field(name, "shobj_description(d.oid, 'pg_database')") == comment);
    BOOST_TEST(database_exists("postgres"));
    const Outcome again = createdb({"--if-not-exists", name, comment});
    BOOST_TEST(again.exit_code == 0);
    BOOST_TEST(again.out == "database \"" + name + "\" already exists\n");
    drop_database(name);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(late_server)

/// A second cluster of its own, started only after the tool is already waiting for it.
BOOST_AUTO_TEST_CASE(wait_retries_until_a_late_server_accepts_connections) {
    const std::string env_file = "/tmp/pgkit-late-" + std::to_string(::getpid()) + ".env";
    Cluster late = Cluster::create(env_file, {}, /*start_now=*/false);
    struct Cleanup {
        Cluster& cluster;
        ~Cleanup() { cluster.destroy(); }
    } cleanup{late};
    Env env = {{"PGHOST", late.host()}, {"PGPORT", late.port()}};

    // Without --wait, a server that is not up is exit 3 at once.
    const Outcome refused = createdb({"early"}, env);
    BOOST_TEST(refused.exit_code == 3);

    Running waiting = start_tool("pg-createdb", {"--wait", "120", "late_db"}, env);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    late.start();
    const Outcome result = waiting.wait();
    BOOST_TEST(result.exit_code == 0, result.err);
    auto count_late = [&](const std::string& name) {
        // A short connection: a session left on template1 would block CREATE DATABASE.
        return Database(late.conninfo("template1"))
            .value("SELECT count(*) FROM pg_database WHERE datname = $1", {name});
    };
    BOOST_TEST(count_late("late_db") == "1");

    // With no "postgres" database, the maintenance connection falls back to template1.
    Database(late.conninfo("template1")).exec("DROP DATABASE postgres");
    const Outcome fallback = createdb({"after_fallback"}, env);
    BOOST_TEST(fallback.exit_code == 0, fallback.err);
    BOOST_TEST(count_late("after_fallback") == "1");
    // ...but not when the maintenance database is named.
    BOOST_TEST(createdb({"--maintenance-db", "postgres", "named"}, env).exit_code == 4);
}

BOOST_AUTO_TEST_CASE(an_authentication_failure_ends_the_wait_at_once) {
    const auto started = std::chrono::steady_clock::now();
    const Outcome result =
        createdb({"--wait", "120", "-h", tcp_host(), "authfail"}, {{"PGPASSWORD", "wrong"}});
    BOOST_TEST(result.exit_code == 4);
    // Behaviour, not speed: 120 s of waiting would mean it retried a login failure.
    const auto waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(waited).count() < 60);
}

BOOST_AUTO_TEST_SUITE_END()

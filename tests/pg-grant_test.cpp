#define BOOST_TEST_MODULE pg-grant against a real server
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <memory>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

using namespace pgkit::test;

namespace {

std::string make_role(const std::string& prefix, const std::string& options = "") {
    const std::string name = unique_name(prefix);
    admin().exec("CREATE ROLE " + quote_ident(name) + " " + options);
    return name;
}

/// A database of its own for each test, with roles of its own: an owner who owns the
/// database and its schema "app" (tables, a view, a sequence, functions, types), a reader
/// and a writer. All dropped after the test.
struct Scratch {
    std::string name = unique_name("grants");
    std::string owner = make_role("owner", "LOGIN");
    std::string reader = make_role("reader", "LOGIN");
    std::string writer = make_role("writer", "LOGIN");
    std::unique_ptr<Database> db;
    std::vector<std::string> more_roles;

    Scratch() {
        admin().exec("CREATE DATABASE " + name + " OWNER " + owner);
        db = std::make_unique<Database>(shared_cluster().conninfo(name));
        db->exec("CREATE SCHEMA app AUTHORIZATION " + owner);
        as_owner(
            "CREATE TABLE app.orders (id serial PRIMARY KEY, total numeric);"
            "CREATE TABLE app.items (id int);"
            "CREATE VIEW app.order_totals AS SELECT sum(total) FROM app.orders;"
            "CREATE MATERIALIZED VIEW app.snapshot AS SELECT 1 AS one;"
            "CREATE TABLE app.events (at date) PARTITION BY RANGE (at);"
            "CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';"
            "CREATE FUNCTION app.add(a numeric) RETURNS numeric LANGUAGE sql AS 'SELECT a';"
            "CREATE PROCEDURE app.tidy() LANGUAGE sql AS 'SELECT 1';"
            "CREATE TYPE app.mood AS ENUM ('ok');"
            "CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);");
    }
    ~Scratch() {
        db.reset();
        admin().exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        for (const auto& role : more_roles) admin().exec("DROP ROLE IF EXISTS " + quote_ident(role));
        for (const auto& role : {owner, reader, writer}) {
            admin().exec("DROP ROLE IF EXISTS " + quote_ident(role));
        }
    }
    void as_owner(const std::string& sql) const {
        db->exec("SET ROLE " + quote_ident(owner) + ";" + sql + ";RESET ROLE");
    }
    Outcome run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"-d", name});
        return run_tool("pg-grant", args);
    }
    /// has_table_privilege and friends: what the server says the role may do, not the tool.
    bool can(const std::string& function, const std::string& role, const std::string& object,
             const std::string& privilege) const {
        return db->value("SELECT " + function + "($1, $2, $3)", {role, object, privilege}) == "t";
    }
    bool can_on_table(const std::string& role, const std::string& table, const std::string& privilege) const {
        return can("has_table_privilege", role, table, privilege);
    }
    /// Every ACL of the database, by object, with role names made generic: for comparing the
    /// catalog pg-grant leaves with the one psql leaves.
    std::string acls() const {
        std::string text;
        for (const auto& row : db->rows(
                 "SELECT kind, object, coalesce(acl, '-') FROM ("
                 " SELECT 'relation' AS kind, c.oid::regclass::text AS object, c.relacl::text AS acl"
                 "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app'"
                 " UNION ALL SELECT 'function', p.oid::regprocedure::text, p.proacl::text FROM pg_proc p"
                 "  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'app'"
                 " UNION ALL SELECT 'type', t.oid::regtype::text, t.typacl::text FROM pg_type t"
                 "  JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'app'"
                 " UNION ALL SELECT 'schema', nspname, nspacl::text FROM pg_namespace WHERE nspname IN ('app', 'public')"
                 " UNION ALL SELECT 'database', '-', datacl::text FROM pg_database WHERE datname = current_database()"
                 " UNION ALL SELECT 'default', pg_get_userbyid(defaclrole) || ' ' || coalesce(n.nspname, '-') || ' ' ||"
                 "  defaclobjtype::text, defaclacl::text FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace"
                 ") a ORDER BY 1, 2")) {
            text += *row[0] + " " + *row[1] + " " + *row[2] + "\n";
        }
        for (const auto& [role, generic] : {std::pair{owner, std::string("OWNER")},
                                            std::pair{reader, std::string("READER")},
                                            std::pair{writer, std::string("WRITER")}}) {
            for (std::size_t at; (at = text.find(role)) != std::string::npos;) {
                text.replace(at, role.size(), generic);
            }
        }
        return text;
    }
};

nlohmann::json json_of(const Outcome& outcome) { return nlohmann::json::parse(outcome.out); }

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(help_version_and_usage_errors_before_connecting) {
    const Outcome help = run_tool("pg-grant", {"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.out.rfind("pg-grant grants privileges", 0) == 0, help.out);
    BOOST_TEST(contains(help.out, "pg-grant -d app SELECT --table 'app.*' --for-future=owner reader"));
    BOOST_TEST(run_tool("pg-grant", {"--version"}).out.rfind("pg-grant (pgkit) ", 0) == 0);
    // Nothing is sent: a port where nothing listens would be exit 3.
    const std::string nowhere = unused_port();
    const auto usage = [&](std::vector<std::string> args, const std::string& message) {
        args.insert(args.begin(), {"-h", tcp_host(), "-p", nowhere});
        const Outcome result = run_tool("pg-grant", args);
        BOOST_TEST(result.exit_code == 2, result.err);
        BOOST_TEST(contains(result.err, message), result.err);
    };
    usage({}, "missing required argument PRIVILEGES");
    usage({"SELECT", "reader"}, "no objects named");
    usage({"SELECT", "--table", "t", "--schema", "s", "reader"}, "one kind of object per run");
    usage({"SELECT", "--table", "t"}, "missing required argument ROLE");
    usage({"CONNECT", "--table", "t", "reader"}, "invalid privilege \"CONNECT\" for a table");
    usage({"SELECT,,INSERT", "--table", "t", "reader"}, "empty privilege");
    usage({"EXECUTE", "--type", "t", "reader"}, "invalid privilege \"EXECUTE\" for a type");
    usage({"SELECT; DROP TABLE t", "--table", "t", "reader"}, "invalid privilege");
    usage({"--revoke", "--exact", "SELECT", "--table", "t", "reader"}, "cannot be used together");
    usage({"--cascade", "SELECT", "--table", "t", "reader"}, "--cascade needs --revoke or --exact");
    usage({"--with-grant-option", "SELECT", "--table", "t", "PUBLIC"}, "grant options can only be granted to roles");
    usage({"SELECT", "--table", "app.o*", "--for-future=owner", "reader"}, "--for-future needs patterns of the form SCHEMA.*");
    usage({"SELECT", "--table", "*", "--for-future=owner", "reader"}, "--for-future needs patterns");
    usage({"CONNECT", "--database", "--for-future=owner", "reader"}, "--for-future does not apply to --database");
    usage({"SELECT", "--table", "", "reader"}, "--table must not be empty");
    usage({"SELECT", "--table", "a.b.c.d", "reader"}, "too many dotted names");
    usage({"EXECUTE", "--function", "app.add(integer)", "reader"}, "not an argument list");
    usage({"SELECT", "--table", "app.*", "--for-future=PUBLIC", "reader"}, "not PUBLIC");
    usage({"SELECT", "--table", "t", std::string(64, 'r')}, "too long");
    // The hint says which kind takes the word.
    const Outcome wrong = run_tool("pg-grant", {"CONNECT", "--table", "t", "reader"});
    BOOST_TEST(contains(wrong.err, "hint: A table takes SELECT, INSERT"), wrong.err);
    BOOST_TEST(contains(wrong.err, "CONNECT is a privilege of --database"), wrong.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(granting)

BOOST_AUTO_TEST_CASE(a_provisioning_script_runs_twice_and_the_second_run_changes_nothing) {
    const Scratch s;
    const std::vector<std::vector<std::string>> script = {
        {"CONNECT,TEMPORARY", "--database", s.reader, s.writer},
        {"--revoke", "CONNECT,TEMPORARY", "--database", "PUBLIC"},
        {"USAGE", "--schema", "app", s.reader, s.writer},
        {"SELECT", "--table", "app.*", "--for-future=" + s.owner, s.reader},
        {"SELECT,INSERT,UPDATE,DELETE", "--table", "app.*", "--for-future=" + s.owner, s.writer},
        {"USAGE,SELECT", "--sequence", "app.*", "--for-future=" + s.owner, s.writer},
        {"EXECUTE", "--function", "app.*", "--for-future=" + s.owner, s.writer},
    };
    for (const auto& args : script) {
        const Outcome first = s.run(args);
        BOOST_TEST(first.exit_code == 0, first.err);
        BOOST_TEST((contains(first.out, "granted ") || contains(first.out, "revoked ")), first.out);
    }
    const std::string after_first = s.acls();
    for (const auto& args : script) {
        std::vector<std::string> json_args = args;
        json_args.insert(json_args.begin(), {"--format", "json"});
        const Outcome second = s.run(json_args);
        BOOST_TEST(second.exit_code == 0, second.err);
        const auto json = json_of(second);
        BOOST_TEST(json["action"] == "unchanged", second.out);
        BOOST_TEST(json["statements"].empty(), second.out);
        BOOST_TEST(json["changes"].empty(), second.out);
    }
    BOOST_TEST(s.acls() == after_first);
    // What the server says the roles may do, now and on objects the owner makes later.
    BOOST_TEST(s.can("has_database_privilege", s.reader, s.name, "CONNECT"));
    BOOST_TEST(!s.can("has_database_privilege", "public", s.name, "TEMPORARY"));
    BOOST_TEST(s.can("has_schema_privilege", s.reader, "app", "USAGE"));
    BOOST_TEST(!s.can("has_schema_privilege", s.reader, "app", "CREATE"));
    for (const auto* table : {"app.orders", "app.items", "app.order_totals", "app.snapshot", "app.events"}) {
        BOOST_TEST(s.can_on_table(s.reader, table, "SELECT"), table);
        BOOST_TEST(!s.can_on_table(s.reader, table, "INSERT"), table);
        BOOST_TEST(s.can_on_table(s.writer, table, "DELETE"), table);
        BOOST_TEST(!s.can_on_table(s.writer, table, "TRUNCATE"), table);
    }
    BOOST_TEST(s.can("has_sequence_privilege", s.writer, "app.orders_id_seq", "USAGE"));
    BOOST_TEST(s.can("has_function_privilege", s.writer, "app.add(integer, integer)", "EXECUTE"));
    s.as_owner("CREATE TABLE app.later (id serial); CREATE FUNCTION app.later_f() RETURNS int "
               "LANGUAGE sql AS 'SELECT 1'");
    BOOST_TEST(s.can_on_table(s.reader, "app.later", "SELECT"));
    BOOST_TEST(!s.can_on_table(s.reader, "app.later", "INSERT"));
    BOOST_TEST(s.can_on_table(s.writer, "app.later", "UPDATE"));
    BOOST_TEST(s.can("has_sequence_privilege", s.writer, "app.later_id_seq", "SELECT"));
    BOOST_TEST(s.can("has_function_privilege", s.writer, "app.later_f()", "EXECUTE"));
    BOOST_TEST(s.db->value("SELECT count(*) FROM pg_default_acl d JOIN pg_namespace n ON n.oid = "
                           "d.defaclnamespace WHERE n.nspname = 'app' AND defaclrole = $1::regrole",
                           {s.owner}) == "3");
}

BOOST_AUTO_TEST_CASE(the_catalog_is_the_one_psql_leaves_with_the_same_grants) {
    const Scratch ours, theirs;
    // Role names differ between the two scratch databases; acls() makes them generic.
    const auto grants = [](const Scratch& s) {
        return std::vector<std::vector<std::string>>{
            {"CONNECT", "--database", s.reader},
            {"USAGE", "--schema", "app", s.reader},
            {"SELECT", "--table", "app.*", "--for-future=" + s.owner, s.reader},
            {"ALL", "--table", "app.orders", s.writer},
            {"USAGE", "--sequence", "app.*", s.writer},
            {"EXECUTE", "--function", "app.add", s.writer},
            {"USAGE", "--type", "app.*", s.writer},
        };
    };
    for (const auto& args : grants(ours)) {
        const Outcome result = ours.run(args);
        BOOST_TEST(result.exit_code == 0, result.err);
    }
    const auto quoted = [](const std::string& role) { return quote_ident(role); };
    // PUBLIC and public are the keyword; "Public" is a role's name, as typed.
    BOOST_TEST(ours.run({"--revoke", "TEMP", "--database", "public"}).exit_code == 0);
    BOOST_TEST(!ours.can("has_database_privilege", "public", ours.name, "TEMPORARY"));
    BOOST_TEST(ours.run({"TEMP", "--database", "PUBLIC"}).exit_code == 0);
    const Outcome capitalised = ours.run({"TEMP", "--database", "Public"});
    BOOST_TEST(capitalised.exit_code == 1);
    BOOST_TEST(contains(capitalised.err, "role \"Public\" does not exist"), capitalised.err);
    const Outcome psql = run(Command{{shared_cluster().client_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                      "-d", shared_cluster().conninfo(theirs.name), "-c",
                                      "GRANT CONNECT ON DATABASE " + theirs.name + " TO " + quoted(theirs.reader) + ";"
                                      "GRANT USAGE ON SCHEMA app TO " + quoted(theirs.reader) + ";"
                                      "GRANT SELECT ON ALL TABLES IN SCHEMA app TO " + quoted(theirs.reader) + ";"
                                      "ALTER DEFAULT PRIVILEGES FOR ROLE " + quoted(theirs.owner) +
                                          " IN SCHEMA app GRANT SELECT ON TABLES TO " + quoted(theirs.reader) + ";"
                                      "GRANT ALL ON TABLE app.orders TO " + quoted(theirs.writer) + ";"
                                      "GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO " + quoted(theirs.writer) + ";"
                                      "GRANT EXECUTE ON FUNCTION app.add(integer, integer), app.add(numeric) TO " +
                                          quoted(theirs.writer) + ";"
                                      "GRANT USAGE ON TYPE app.mood, app.positive TO " + quoted(theirs.writer) + ";"},
                                     tool_env(shared_cluster()), {}});
    BOOST_TEST_REQUIRE(psql.exit_code == 0, psql.err);
    BOOST_TEST(ours.acls() == theirs.acls());
    // ALL sent by psql, asked for by name here: nothing to do.
    const Outcome named = theirs.run({"--format", "json", "SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER",
                                      "--table", "app.orders", theirs.writer});
    BOOST_TEST(json_of(named)["action"] == "unchanged", named.out);
}

BOOST_AUTO_TEST_CASE(reports_say_what_changed_per_object_group) {
    const Scratch s;
    Outcome result = s.run({"SELECT", "--table", "app.*", s.reader});
    BOOST_TEST(result.out == "granted SELECT on 5 tables in schema \"app\" to \"" + s.reader + "\"\n");
    result = s.run({"SELECT", "--table", "app.*", s.reader});
    BOOST_TEST(result.out == "\"" + s.reader + "\" already has SELECT on 5 tables in schema \"app\"\n");
    result = s.run({"select", "--table", "APP.Orders", s.writer});
    BOOST_TEST(result.out == "granted SELECT on table \"app\".\"orders\" to \"" + s.writer + "\"\n");
    result = s.run({"--dry-run", "EXECUTE", "--function", "app.*", s.writer});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "would grant EXECUTE on 3 functions in schema \"app\" to \"" + s.writer + "\"\n");
    BOOST_TEST(s.db->value("SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a WHERE "
                           "a.grantee = $1::regrole",
                           {s.writer}) == "0");
    result = s.run({"--revoke", "EXECUTE", "--function", "app.tidy", "PUBLIC"});
    BOOST_TEST(result.out == "revoked EXECUTE on procedure \"app\".\"tidy\"() from PUBLIC\n");
    result = s.run({"--revoke", "EXECUTE", "--function", "app.tidy", "PUBLIC"});
    BOOST_TEST(result.out == "PUBLIC has no EXECUTE on procedure \"app\".\"tidy\"()\n");
    BOOST_TEST(!s.can("has_function_privilege", s.reader, "app.tidy()", "EXECUTE"));
    result = s.run({"SELECT", "--table", "app.zz*", s.reader});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out == "no tables match app.zz*\n");
    result = s.run({"USAGE", "--type", "app.*", s.reader});
    BOOST_TEST(result.out == "granted USAGE on 2 types in schema \"app\" to \"" + s.reader + "\"\n");
    BOOST_TEST(s.can("has_type_privilege", s.reader, "app.positive", "USAGE"));
    // JSON: an element per grantee and object, the statements as sent.
    result = s.run({"--format", "json", "USAGE,SELECT", "--sequence", "app.orders_id_seq", s.reader, s.writer});
    const auto json = json_of(result);
    BOOST_TEST(json["action"] == "altered");
    BOOST_TEST(json["privileges"].size() == 2u);
    BOOST_TEST(json["privileges"][0]["kind"] == "sequence");
    BOOST_TEST(json["privileges"][0]["granted"] == nlohmann::json::array({"USAGE", "SELECT"}));
    BOOST_TEST(json["statements"] ==
               nlohmann::json::array({"GRANT USAGE, SELECT ON SEQUENCE \"app\".\"orders_id_seq\" TO " + quote_ident(s.reader),
                                      "GRANT USAGE, SELECT ON SEQUENCE \"app\".\"orders_id_seq\" TO " + quote_ident(s.writer)}));
}

BOOST_AUTO_TEST_CASE(all_is_the_same_as_its_expansion_on_this_server) {
    const Scratch s;
    const bool maintain = shared_cluster().server_major() >= 17;
    const std::string every = std::string("SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER") +
                              (maintain ? ",MAINTAIN" : "");
    BOOST_TEST(s.run({every, "--table", "app.items", s.writer}).exit_code == 0);
    const Outcome all = s.run({"--format", "json", "ALL PRIVILEGES", "--table", "app.items", s.writer});
    BOOST_TEST(json_of(all)["action"] == "unchanged", all.out);
    if (!maintain) {
        const Outcome refused = s.run({"MAINTAIN", "--table", "app.items", s.writer});
        BOOST_TEST(refused.exit_code == 2, refused.err);
        BOOST_TEST(contains(refused.err, "MAINTAIN needs PostgreSQL 17 or later"), refused.err);
    } else {
        BOOST_TEST(s.can_on_table(s.writer, "app.items", "MAINTAIN"));
    }
    // The owner holds every privilege already.
    const Outcome owner = s.run({"ALL", "--table", "app.items", s.owner});
    BOOST_TEST(owner.out.rfind("\"" + s.owner + "\" already has SELECT, INSERT", 0) == 0, owner.out);
}

BOOST_AUTO_TEST_CASE(exact_revokes_the_rest_only_on_the_objects_named) {
    const Scratch s;
    s.db->exec("GRANT SELECT, INSERT, UPDATE ON app.orders, app.items TO " + quote_ident(s.reader) +
               " WITH GRANT OPTION");
    const Outcome result = s.run({"--exact", "SELECT", "--table", "app.orders", s.reader});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(contains(result.out, "revoked grant option for SELECT on table \"app\".\"orders\""), result.out);
    BOOST_TEST(contains(result.out, "revoked INSERT, UPDATE on table \"app\".\"orders\""), result.out);
    BOOST_TEST(s.can_on_table(s.reader, "app.orders", "SELECT"));
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "INSERT"));
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "SELECT WITH GRANT OPTION"));
    BOOST_TEST(s.can_on_table(s.reader, "app.items", "UPDATE WITH GRANT OPTION"));
    const Outcome again = s.run({"--exact", "SELECT", "--table", "app.orders", s.reader});
    BOOST_TEST(again.out == "\"" + s.reader + "\" already has exactly SELECT on table \"app\".\"orders\"\n");
    // Exactly with the grant option.
    BOOST_TEST(s.run({"--exact", "--with-grant-option", "INSERT", "--table", "app.orders", s.reader}).exit_code == 0);
    BOOST_TEST(s.can_on_table(s.reader, "app.orders", "INSERT WITH GRANT OPTION"));
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "SELECT"));
    // Without --exact or --revoke nothing is taken away.
    BOOST_TEST(s.run({"SELECT", "--table", "app.items", s.reader}).exit_code == 0);
    BOOST_TEST(s.can_on_table(s.reader, "app.items", "UPDATE WITH GRANT OPTION"));
}

BOOST_AUTO_TEST_CASE(exact_future_privileges_and_future_schemas) {
    const Scratch s;
    BOOST_TEST(s.run({"SELECT,INSERT", "--table", "app.*", "--for-future=" + s.owner, s.writer}).exit_code == 0);
    const Outcome exact = s.run({"--exact", "SELECT", "--table", "app.*", "--for-future=" + s.owner, s.writer});
    BOOST_TEST(exact.exit_code == 0, exact.err);
    BOOST_TEST(contains(exact.out, "revoked INSERT on future tables of \"" + s.owner + "\" in schema \"app\" from \"" +
                                       s.writer + "\""),
               exact.out);
    s.as_owner("CREATE TABLE app.later (id int)");
    BOOST_TEST(s.can_on_table(s.writer, "app.later", "SELECT"));
    BOOST_TEST(!s.can_on_table(s.writer, "app.later", "INSERT"));
    // Schemas the owner makes later (global default privileges, no IN SCHEMA).
    const Outcome schemas = s.run({"USAGE", "--schema", "app", "--for-future=" + s.owner, s.reader});
    BOOST_TEST(schemas.exit_code == 0, schemas.err);
    BOOST_TEST(contains(schemas.out, "granted USAGE on future schemas of \"" + s.owner + "\" to \"" + s.reader + "\""),
               schemas.out);
    s.as_owner("CREATE SCHEMA later_schema");
    BOOST_TEST(s.can("has_schema_privilege", s.reader, "later_schema", "USAGE"));
    BOOST_TEST(json_of(s.run({"--format", "json", "USAGE", "--schema", "app", "--for-future=" + s.owner, s.reader}))
                   ["action"] == "unchanged");
}

BOOST_AUTO_TEST_CASE(aggregates_ranges_and_regular_expression_groups) {
    const Scratch s;
    s.db->exec("CREATE AGGREGATE app.pct(float8 ORDER BY anyelement) (sfunc = ordered_set_transition,"
               " stype = internal, finalfunc = percentile_disc_final, finalfunc_extra)");
    s.db->exec("CREATE AGGREGATE app.total(integer) (sfunc = int4pl, stype = integer)");
    Outcome result = s.run({"EXECUTE", "--function", "app.*", s.writer});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.can("has_function_privilege", s.writer, "app.pct(float8, anyelement)", "EXECUTE"));
    BOOST_TEST(s.can("has_function_privilege", s.writer, "app.total(integer)", "EXECUTE"));
    BOOST_TEST(json_of(s.run({"--format", "json", "EXECUTE", "--function", "app.*", s.writer}))["action"] ==
               "unchanged");
    // A group of a regular expression is no argument list.
    result = s.run({"--revoke", "EXECUTE", "--function", "app.(tidy|total)", s.writer});
    BOOST_TEST(result.exit_code == 0, result.err);
    // PUBLIC may execute them all (the default): the writer's own grants are what changed.
    const auto writer_grants = [&](const std::string& function) {
        return s.db->value("SELECT count(*) FROM aclexplode((SELECT proacl FROM pg_proc WHERE oid = $1::regprocedure)) a "
                           "WHERE a.grantee = $2::regrole",
                           {function, quote_ident(s.writer)});
    };
    BOOST_TEST(writer_grants("app.tidy()") == "0");
    BOOST_TEST(writer_grants("app.total(integer)") == "0");
    BOOST_TEST(writer_grants("app.add(numeric)") == "1");
    if (shared_cluster().server_major() >= 14) {
        // A range's multirange has privileges of its own before PostgreSQL 17.
        s.db->exec("CREATE TYPE app.span AS RANGE (subtype = float8)");
        result = s.run({"--revoke", "USAGE", "--type", "app.*", "PUBLIC"});
        BOOST_TEST(result.exit_code == 0, result.err);
        BOOST_TEST(!s.can("has_type_privilege", "public", "app.span", "USAGE"));
        BOOST_TEST(!s.can("has_type_privilege", "public", "app.span_multirange", "USAGE"));
    }
}

BOOST_AUTO_TEST_CASE(future_privileges_in_every_schema_and_what_a_schema_cannot_change) {
    const Scratch s;
    // Every schema: the global entry (no IN SCHEMA), from the built-in defaults.
    Outcome result = s.run({"--revoke", "EXECUTE", "--function", "*.*", "--for-future=" + s.owner, "PUBLIC"});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(contains(result.out, "revoked EXECUTE on future functions of \"" + s.owner + "\" in every schema from PUBLIC"),
               result.out);
    BOOST_TEST(contains(result.out, "revoked EXECUTE on 3 functions in schema \"app\" from PUBLIC"), result.out);
    s.as_owner("CREATE FUNCTION app.later() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    BOOST_TEST(!s.can("has_function_privilege", s.reader, "app.later()", "EXECUTE"));
    BOOST_TEST(s.db->value("SELECT count(*) FROM pg_default_acl WHERE defaclnamespace = 0 AND defaclrole = $1::regrole",
                           {s.owner}) == "1");
    BOOST_TEST(json_of(s.run({"--format", "json", "--revoke", "EXECUTE", "--function", "*.*", "--for-future=" + s.owner,
                              "PUBLIC"}))["action"] == "unchanged");
    // Given for every schema, asked for one: the schema gets its own entry, as psql's
    // ALTER DEFAULT PRIVILEGES ... IN SCHEMA writes it.
    s.db->exec("ALTER DEFAULT PRIVILEGES FOR ROLE " + quote_ident(s.owner) + " GRANT SELECT ON TABLES TO " +
               quote_ident(s.reader));
    result = s.run({"SELECT", "--table", "app.*", "--for-future=" + s.owner, s.reader});
    BOOST_TEST(contains(result.out, "granted SELECT on future tables of \"" + s.owner + "\" in schema \"app\""), result.out);
    BOOST_TEST(s.db->value("SELECT count(*) FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace "
                           "WHERE n.nspname = 'app' AND d.defaclobjtype = 'r'") == "1");
    // A schema's own entry cannot take away what the global one gives: exit 5, nothing sent.
    result = s.run({"--format", "json", "--revoke", "SELECT", "--table", "app.*", "--for-future=" + s.owner, s.reader});
    BOOST_TEST(result.exit_code == 5, result.err);
    BOOST_TEST(contains(json_of(result)["message"].get<std::string>(), "would still get SELECT on future tables"));
    BOOST_TEST(s.can_on_table(s.reader, "app.orders", "SELECT"));
    result = s.run({"--revoke", "SELECT", "--table", "*.*", "--for-future=" + s.owner, s.reader});
    BOOST_TEST(result.exit_code == 0, result.err);
    result = s.run({"--revoke", "SELECT", "--table", "app.*", "--for-future=" + s.owner, s.reader});
    BOOST_TEST(result.exit_code == 0, result.err);
    s.as_owner("CREATE TABLE app.later (id int)");
    BOOST_TEST(!s.can_on_table(s.reader, "app.later", "SELECT"));
}

BOOST_AUTO_TEST_CASE(with_grant_option_and_revoking_it) {
    const Scratch s;
    BOOST_TEST(s.run({"SELECT", "--table", "app.orders", s.reader}).exit_code == 0);
    Outcome result = s.run({"--with-grant-option", "SELECT", "--table", "app.orders", s.reader});
    BOOST_TEST(result.out == "granted SELECT with grant option on table \"app\".\"orders\" to \"" + s.reader + "\"\n");
    BOOST_TEST(s.can_on_table(s.reader, "app.orders", "SELECT WITH GRANT OPTION"));
    // The reader grants it on; revoking the reader's option needs --cascade.
    s.db->exec("GRANT USAGE ON SCHEMA app TO " + quote_ident(s.reader));
    s.db->exec("SET ROLE " + quote_ident(s.reader) + "; GRANT SELECT ON app.orders TO " + quote_ident(s.writer) +
               "; RESET ROLE");
    result = s.run({"--revoke", "--with-grant-option", "SELECT", "--table", "app.orders", s.reader});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "dependent privileges exist"), result.err);
    BOOST_TEST(contains(result.err, "add --cascade"), result.err);
    result = s.run({"--revoke", "--with-grant-option", "--cascade", "SELECT", "--table", "app.orders", s.reader});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(s.can_on_table(s.reader, "app.orders", "SELECT"));
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "SELECT WITH GRANT OPTION"));
    BOOST_TEST(!s.can_on_table(s.writer, "app.orders", "SELECT"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(missing_roles_and_objects_are_the_servers_refusal_with_a_hint) {
    const Scratch s;
    Outcome result = s.run({"--format", "json", "SELECT", "--table", "app.orders", "no_such_role_x"});
    BOOST_TEST(result.exit_code == 1);
    auto json = json_of(result);
    BOOST_TEST(json["sqlstate"] == "42704");
    BOOST_TEST(json["message"] == "role \"no_such_role_x\" does not exist");
    result = s.run({"SELECT", "--table", "app.nothing", s.reader});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(first_error_line(result.err) == "error: table \"app.nothing\" does not exist");
    result = s.run({"SELECT", "--table", "nowhere.*", s.reader});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "schema \"nowhere\" does not exist"), result.err);
    BOOST_TEST(contains(result.err, "hint: Create it first (pg-createschema)"), result.err);
    result = s.run({"EXECUTE", "--function", "app.subtract", s.reader});
    BOOST_TEST(contains(result.err, "function \"app.subtract\" does not exist"), result.err);
    result = s.run({"USAGE", "--schema", "nowhere", s.reader});
    BOOST_TEST(contains(result.err, "schema \"nowhere\" does not exist"), result.err);
    // A pattern's database part must be the database of -d.
    result = s.run({"SELECT", "--table", "elsewhere.app.orders", s.reader});
    BOOST_TEST(result.exit_code == 2);
    BOOST_TEST(contains(result.err, "cross-database references are not implemented"), result.err);
    BOOST_TEST(s.run({"SELECT", "--table", s.name + ".app.orders", s.reader}).exit_code == 0);
    s.db->exec("REVOKE SELECT ON app.orders FROM " + quote_ident(s.reader));
    // A sequence is not a table.
    result = s.run({"SELECT", "--table", "app.orders_id_seq", s.reader});
    BOOST_TEST(result.exit_code == 1);
    result = s.run({"--for-future=no_such_owner_y", "SELECT", "--table", "app.*", s.reader});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(contains(result.err, "role \"no_such_owner_y\" does not exist"), result.err);
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "SELECT"));
}

BOOST_AUTO_TEST_CASE(what_the_server_does_not_do_fails_the_run_and_changes_nothing) {
    const Scratch s;
    const std::string boss = make_role("boss", "LOGIN");
    const_cast<Scratch&>(s).more_roles.push_back(boss);
    s.db->exec("GRANT USAGE ON SCHEMA app TO " + quote_ident(boss));
    s.db->exec("GRANT SELECT ON app.items TO " + quote_ident(boss) + " WITH GRANT OPTION");
    s.db->exec("GRANT SELECT ON app.orders TO " + quote_ident(s.writer));
    // boss grants SELECT on items to the writer: the grant is boss's.
    BOOST_TEST(s.run({"-U", boss, "SELECT", "--table", "app.items", s.writer}).exit_code == 0);
    // Revoking as the superuser takes back only the owner's grants: the run fails, and the
    // revoke on app.orders (which would have worked) is rolled back with it, dry run or not.
    for (const bool dry_run : {true, false}) {
        std::vector<std::string> args = {"--revoke", "SELECT", "--table", "app.*", s.writer};
        if (dry_run) args.insert(args.begin(), "--dry-run");
        const Outcome result = s.run(args);
        BOOST_TEST(result.exit_code == 1, result.err);
        BOOST_TEST(first_error_line(result.err) ==
                   "error: could not revoke SELECT on table \"app\".\"items\" from \"" + s.writer + "\"");
        BOOST_TEST(contains(result.err, "granted by \"" + boss + "\""), result.err);
        BOOST_TEST(s.can_on_table(s.writer, "app.orders", "SELECT"));
        BOOST_TEST(s.can_on_table(s.writer, "app.items", "SELECT"));
    }
    // As boss, it goes.
    const Outcome as_boss = s.run({"-U", boss, "--revoke", "SELECT", "--table", "app.items", s.writer});
    BOOST_TEST(as_boss.exit_code == 0, as_boss.err);
    BOOST_TEST(!s.can_on_table(s.writer, "app.items", "SELECT"));
    // A grant by a role without the grant option is only a warning from the server: here,
    // exit 1, nothing changed.
    const Outcome no_option = s.run({"-U", boss, "INSERT", "--table", "app.items", s.reader});
    BOOST_TEST(no_option.exit_code == 1, no_option.err);
    BOOST_TEST(contains(no_option.err, "could not grant INSERT on table \"app\".\"items\" to \"" + s.reader + "\""),
               no_option.err);
    BOOST_TEST(!s.can_on_table(s.reader, "app.items", "INSERT"));
    // No privilege at all: the server's own refusal.
    const Outcome none = s.run({"-U", s.reader, "INSERT", "--table", "app.items", s.writer});
    BOOST_TEST(none.exit_code == 1, none.err);
    BOOST_TEST(contains(none.err, "permission denied"), none.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(twenty_runs_at_once_all_exit_0_with_one_change) {
    const Scratch s;
    // All twenty read the catalog before any changes it, and wait on the lock together; the
    // database's default isolation is repeatable read, which the change must not use.
    admin().exec("ALTER DATABASE " + s.name + " SET default_transaction_isolation = 'repeatable read'");
    Database holder(shared_cluster().conninfo(s.name));
    holder.exec("BEGIN");
    holder.exec("SELECT pg_advisory_xact_lock(1885824882, 0)");
    const std::string application = unique_name("grant_twenty");
    std::vector<Running> runs;
    for (int i = 0; i < 20; ++i) {
        runs.push_back(start_tool("pg-grant", {"-d", s.name, "--format", "json", "SELECT,INSERT", "--table", "app.*",
                                               "--for-future=" + s.owner, s.reader, s.writer},
                                  {{"PGAPPNAME", application}}));
    }
    BOOST_TEST(eventually([&] {
        return sessions_waiting_for_lock(application) == 20;
    }));
    holder.exec("COMMIT");
    int altered = 0;
    for (auto& run : runs) {
        const Outcome result = wait_at_most(run, 120);
        BOOST_TEST(result.exit_code == 0, result.err);
        BOOST_TEST(!contains(result.err, "concurrently"), result.err);
        if (result.exit_code != 0) continue;
        if (json_of(result)["action"] == "altered") ++altered;
    }
    BOOST_TEST(altered == 1);
    BOOST_TEST(s.can_on_table(s.writer, "app.events", "INSERT"));
    BOOST_TEST(s.db->value("SELECT count(*) FROM pg_default_acl WHERE defaclrole = $1::regrole", {s.owner}) == "1");
}

BOOST_AUTO_TEST_CASE(ctrl_c_while_waiting_for_another_run_changes_nothing) {
    const Scratch s;
    Database other(shared_cluster().conninfo(s.name));
    other.exec("BEGIN");
    other.exec("SELECT pg_advisory_xact_lock(1885824882, 0)");  // pg-grant's own lock
    const std::string application = unique_name("grant_interrupted");
    Running run = start_tool("pg-grant", {"-d", s.name, "SELECT", "--table", "app.*", s.reader},
                             {{"PGAPPNAME", application}});
    BOOST_TEST_REQUIRE(eventually([&] {
        return sessions_waiting_for_lock(application) == 1;
    }));
    run.send_signal(SIGINT);
    const Outcome result = run.wait();
    BOOST_TEST(result.exit_code == 130, result.err);
    other.exec("ROLLBACK");
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "SELECT"));
    // --lock-timeout gives up on the lock.
    other.exec("BEGIN");
    other.exec("SELECT pg_advisory_xact_lock(1885824882, 0)");
    const Outcome timed_out = s.run({"--lock-timeout", "1", "SELECT", "--table", "app.*", s.reader});
    BOOST_TEST(timed_out.exit_code == 1, timed_out.err);
    BOOST_TEST(contains(timed_out.err, "lock timeout"), timed_out.err);
    other.exec("ROLLBACK");
    BOOST_TEST(!s.can_on_table(s.reader, "app.orders", "SELECT"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(names)

BOOST_AUTO_TEST_CASE(hostile_names_on_every_kind_and_in_patterns) {
    const Scratch s;
    const std::string role = make_role("Ro\"le; DROP");
    const_cast<Scratch&>(s).more_roles.push_back(role);
    const std::string schema = "My \"App\"; x.y";
    const std::string quoted_schema = quote_ident(schema);
    s.db->exec("CREATE SCHEMA " + quoted_schema +
               "; CREATE TABLE " + quoted_schema + ".\"T a.b\" (id serial)"
               "; CREATE FUNCTION " + quoted_schema + ".\"F()\"(\"a b\" int) RETURNS int LANGUAGE sql AS 'SELECT 1'"
               "; CREATE TYPE " + quoted_schema + ".\"E'\" AS ENUM ('x')");
    // Patterns as psql reads them: double quotes keep case and make every character literal.
    const std::string pattern_schema = "\"My \"\"App\"\"; x.y\"";
    const auto grant = [&](std::vector<std::string> args) {
        const Outcome result = s.run(args);
        BOOST_TEST(result.exit_code == 0, result.err);
        return result;
    };
    grant({"USAGE", "--schema", pattern_schema, role});
    grant({"SELECT", "--table", pattern_schema + ".\"T a.b\"", role});
    grant({"SELECT", "--table", pattern_schema + ".*", "--for-future=" + s.owner, role});
    grant({"USAGE", "--sequence", pattern_schema + ".*", role});
    grant({"EXECUTE", "--function", pattern_schema + ".\"F()\"", role});
    grant({"USAGE", "--type", pattern_schema + ".\"E'\"", role});
    grant({"CONNECT", "--database", role});
    BOOST_TEST(s.can("has_schema_privilege", role, schema, "USAGE"));
    BOOST_TEST(s.can_on_table(role, quoted_schema + ".\"T a.b\"", "SELECT"));
    BOOST_TEST(s.can("has_sequence_privilege", role, quoted_schema + ".\"T a.b_id_seq\"", "USAGE"));
    BOOST_TEST(s.can("has_function_privilege", role, quoted_schema + ".\"F()\"(int)", "EXECUTE"));
    BOOST_TEST(s.can("has_type_privilege", role, quoted_schema + ".\"E'\"", "USAGE"));
    BOOST_TEST(s.can("has_database_privilege", role, s.name, "CONNECT"));
    BOOST_TEST(s.db->value("SELECT count(*) FROM pg_default_acl d, aclexplode(d.defaclacl) a "
                           "WHERE a.grantee = $1::regrole",
                           {quote_ident(role)}) == "1");
    // Nothing else got it: only the objects named.
    BOOST_TEST(!s.can_on_table(role, "app.orders", "SELECT"));
    // Second time round: nothing to do.
    const Outcome again = s.run({"--format", "json", "SELECT", "--table", pattern_schema + ".*", role});
    BOOST_TEST(json_of(again)["action"] == "unchanged", again.out);
    s.db->exec("DROP SCHEMA " + quoted_schema + " CASCADE");
    s.db->exec("DROP OWNED BY " + quote_ident(role));
}

BOOST_AUTO_TEST_CASE(echo_shows_what_is_sent_and_system_schemas_need_their_name) {
    const Scratch s;
    const Outcome echoed = s.run({"-e", "--format", "json", "SELECT", "--table", "app.orders", s.reader});
    BOOST_TEST(echoed.exit_code == 0, echoed.err);
    BOOST_TEST(contains(echoed.err, "GRANT SELECT ON TABLE \"app\".\"orders\" TO " + quote_ident(s.reader) + ";\n"),
               echoed.err);
    BOOST_TEST(contains(echoed.err, "pg_advisory_xact_lock"), echoed.err);
    // '*.*' leaves pg_catalog and information_schema alone; naming the schema reaches it.
    const Outcome everywhere = s.run({"--dry-run", "--format", "json", "SELECT", "--table", "*.*", s.reader});
    BOOST_TEST(everywhere.exit_code == 0, everywhere.err);
    const auto listed = json_of(everywhere);  // kept: the loop reads into it
    for (const auto& element : listed["privileges"]) {
        BOOST_TEST(element["schema"] != "pg_catalog");
        BOOST_TEST(element["schema"] != "information_schema");
    }
    const Outcome named = s.run({"--dry-run", "--format", "json", "SELECT", "--table", "pg_catalog.pg_class", s.reader});
    BOOST_TEST(named.exit_code == 0, named.err);
    BOOST_TEST(json_of(named)["privileges"].size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

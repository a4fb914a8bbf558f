#include "common/errors.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

namespace data = boost::unit_test::data;
using pgkit::ConnectFailure;
using pgkit::Exit;

BOOST_AUTO_TEST_SUITE(errors)

// Messages as libpq 15 prints them for a failed connection.
const char* const connection_messages[] = {
    "connection to server on socket \"/tmp/x/.s.PGSQL.5432\" failed: No such file or "
    "directory\n\tIs the server running locally and accepting connections on that socket?\n",
    "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server "
    "running on that host and accepting TCP/IP connections?\n",
    "timeout expired\n",
    "could not translate host name \"nohost.invalid\" to address: Name or service not known\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  the database system "
    "is starting up\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  the database system "
    "is shutting down\n",
    "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  sorry, too many clients "
    "already\n",
    "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  remaining connection "
    "slots are reserved for non-replication superuser connections\n",
    "connection to server at \"127.0.0.1\", port 5432 failed: fe_sendauth: no password "
    "supplied\n",
    "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication "
    "failed for user \"app\"\n",
    "connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  no pg_hba.conf entry for "
    "host \"10.0.0.2\", user \"app\", database \"app\", no encryption\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  role \"nobody\" does "
    "not exist\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  database \"nope\" "
    "does not exist\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  role \"app\" is not "
    "permitted to log in\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  Peer authentication "
    "failed for user \"peeruser\"\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  permission denied "
    "for database \"locked\"\nDETAIL:  User does not have CONNECT privilege.\n",
    "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  database "
    "\"template0\" is not currently accepting connections\n",
    "something libpq has never said\n",
};
const int expected_failures[] = {
    int(ConnectFailure::no_socket),        int(ConnectFailure::refused),
    int(ConnectFailure::timeout),          int(ConnectFailure::unknown_host),
    int(ConnectFailure::starting_up),      int(ConnectFailure::starting_up),
    int(ConnectFailure::too_many),         int(ConnectFailure::too_many),
    int(ConnectFailure::no_password),      int(ConnectFailure::password_failed),
    int(ConnectFailure::no_hba_entry),     int(ConnectFailure::role_missing),
    int(ConnectFailure::database_missing), int(ConnectFailure::login_not_allowed),
    int(ConnectFailure::auth_failed),      int(ConnectFailure::connect_not_allowed),
    int(ConnectFailure::connect_not_allowed), int(ConnectFailure::other),
};
const int expected_exits[] = {3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3};

BOOST_DATA_TEST_CASE(connection_failures_are_classified_into_exit_3_or_4,
                     data::make(connection_messages) ^ data::make(expected_failures) ^
                         data::make(expected_exits),
                     message, failure, exit_code) {
    const auto error = pgkit::classify_connection_failure(message, false);
    BOOST_TEST(static_cast<int>(error.failure()) == failure);
    BOOST_TEST(error.exit_status() == exit_code);
    BOOST_TEST(std::string(error.what()).find('\n') == std::string::npos);
    BOOST_TEST(std::string(error.what()).find("FATAL:") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_common_connection_failure_has_a_hint) {
    for (const char* message : connection_messages) {
        const auto error = pgkit::classify_connection_failure(message, false);
        if (error.failure() != ConnectFailure::other) {
            BOOST_TEST(!error.hint().empty(), "no hint for: " << message);
        }
    }
}

BOOST_AUTO_TEST_CASE(only_unreachable_or_starting_servers_are_retried_by_wait) {
    for (const char* message : connection_messages) {
        const auto error = pgkit::classify_connection_failure(message, false);
        const bool transient = pgkit::is_transient(error.failure());
        // Every retried failure is exit 3; no login refusal (exit 4) is ever retried.
        if (transient) BOOST_TEST(error.exit_status() == 3, message);
        if (error.exit_status() == 4) BOOST_TEST(!transient, message);
    }
    BOOST_TEST(!pgkit::is_transient(ConnectFailure::other));
}

BOOST_AUTO_TEST_CASE(server_detail_is_a_detail_not_a_hint) {
    const auto error = pgkit::classify_connection_failure(
        "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  permission denied "
        "for database \"locked\"\nDETAIL:  User does not have CONNECT privilege.\n",
        false);
    BOOST_TEST(error.detail() == "User does not have CONNECT privilege.");
    BOOST_TEST(error.hint().find("DETAIL") == std::string::npos);
    BOOST_TEST(std::string(error.what()) ==
               "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: permission denied "
               "for database \"locked\"");
}

BOOST_AUTO_TEST_CASE(missing_password_hint_names_the_ways_to_give_one) {
    const auto error = pgkit::classify_connection_failure(
        "connection to server at \"127.0.0.1\", port 5432 failed: fe_sendauth: no password "
        "supplied\n",
        true);
    BOOST_TEST(error.exit_status() == 4);
    BOOST_TEST(error.hint().find("PGPASSWORD") != std::string::npos);
    BOOST_TEST(error.hint().find(".pgpass") != std::string::npos);
    BOOST_TEST(error.hint().find("-W") != std::string::npos);
}

const char* const sqlstates[] = {"42P04", "42710", "25006", "42501", "22P02", "23505",
                                 "08006", "57P01", "53300", "28P01", "XX000", ""};
const int sqlstate_exits[] = {5, 5, 1, 1, 1, 1, 3, 3, 3, 4, 1, 1};

BOOST_DATA_TEST_CASE(sqlstates_map_to_the_contracts_exit_codes,
                     data::make(sqlstates) ^ data::make(sqlstate_exits), sqlstate, exit_code) {
    BOOST_TEST(static_cast<int>(pgkit::exit_for_sqlstate(sqlstate)) == exit_code);
}

BOOST_AUTO_TEST_CASE(read_only_server_gets_a_hint_naming_the_primary) {
    const std::string hint = pgkit::hint_for_sqlstate("25006");
    BOOST_TEST(hint.find("read-only") != std::string::npos);
    BOOST_TEST(hint.find("target_session_attrs=read-write") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_objects_hint_names_its_kind) {
    BOOST_TEST(pgkit::hint_for_sqlstate("42704", "role \"app\" does not exist") ==
               "Check the name, or create the role first (pg-createuser).");
    BOOST_TEST(pgkit::hint_for_sqlstate("42704", "tablespace \"fast\" does not exist") ==
               "Check the name, or create the tablespace first.");
    BOOST_TEST(pgkit::hint_for_sqlstate("42704", "unrecognized configuration parameter \"x\"") ==
               "Check the name, or create the object first.");
    BOOST_TEST(pgkit::hint_for_sqlstate("42704") == "Check the name, or create the object first.");
}

BOOST_AUTO_TEST_CASE(first_line_splits_libpq_continuation_lines) {
    std::string rest;
    BOOST_TEST(pgkit::first_line("head\n\tsecond line\n\tthird\n", &rest) == "head");
    BOOST_TEST(rest == "second line third");
    BOOST_TEST(pgkit::first_line("only\n", &rest) == "only");
    BOOST_TEST(rest.empty());
}

BOOST_AUTO_TEST_SUITE_END()

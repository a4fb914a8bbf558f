#pragma once
/// Typed errors of the kit. Library code throws them; only the tool wrapper (tool.cpp) prints
/// them and turns them into the exit status the contract promises.

#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace pgkit {

/// Exit statuses of docs/contract.md. 128+N (a signal) is computed, not listed.
enum class Exit : int {
    ok = 0,
    server = 1,     ///< the server refused or failed the operation
    usage = 2,      ///< bad command line; nothing was sent
    connect = 3,    ///< could not connect; trying again later may help
    login = 4,      ///< reached the server, but the login was refused
    conflict = 5,   ///< the object exists, or exists in a state that cannot be converged
    bad_input = 6,  ///< a file is missing, unreadable or rejected
};

class Error : public std::runtime_error {
public:
    Error(Exit code, std::string message, std::string detail = {}, std::string hint = {},
          std::string sqlstate = {})
        : std::runtime_error(std::move(message)),
          code_(code),
          detail_(std::move(detail)),
          hint_(std::move(hint)),
          sqlstate_(std::move(sqlstate)) {}

    Exit code() const { return code_; }
    int exit_status() const { return static_cast<int>(code_); }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }
    const std::string& sqlstate() const { return sqlstate_; }
    void set_detail(std::string detail) { detail_ = std::move(detail); }
    /// What the failed run left done, for --format json: its fields join the error document
    /// (pg-seed --per-file: the files committed before the failure).
    nlohmann::json& report() { return report_; }
    const nlohmann::json& report() const { return report_; }
    /// What the failed run left done, for people: report lines printed on stdout before the
    /// error (pg-createschema: the schemas made before the one that failed).
    std::string& done() { return done_; }
    const std::string& done() const { return done_; }

private:
    nlohmann::json report_ = nlohmann::json::object();
    std::string done_;
    Exit code_;
    std::string detail_;
    std::string hint_;
    std::string sqlstate_;
};

/// A bad command line (exit 2). Thrown before anything is sent to a server.
class UsageError : public Error {
public:
    explicit UsageError(std::string message, std::string hint = {})
        : Error(Exit::usage, std::move(message), {}, std::move(hint)) {}
};

/// The SQL conditions the tools act on, named once from the SQLSTATE where a result is read
/// (sql_error_from_result): tools ask SqlError::condition(), never compare SQLSTATE strings.
enum class SqlCondition {
    other,
    duplicate_object,            ///< class 42 "duplicate_*": the object exists (42P04, 42710...)
    unique_violation,            ///< 23505; also a concurrent creator winning a catalog index race
    integrity_violation,         ///< the rest of class 23: not null, foreign key, check...
    invalid_encoding,            ///< 22021: bytes not valid in the encoding
    invalid_regular_expression,  ///< 2201B
    data_exception,              ///< the rest of class 22: a bad value
    undefined_object,            ///< 42704: no object of that name (a role, a collation...)
    insufficient_privilege,      ///< 42501
    syntax_or_rule,              ///< the rest of class 42: syntax error, no such table...
    feature_not_supported,       ///< 0A000
    read_only,                   ///< 25006: a standby, or default_transaction_read_only
    in_transaction_block,        ///< 25001: the statement cannot run inside a transaction
    object_in_use,               ///< 55006: other sessions use it (a template database)
    lock_not_available,          ///< 55P03: lock_timeout expired
    concurrent_change,           ///< 40001, 40P01, "tuple concurrently updated" (XX000)
    connection_lost,             ///< class 08, 57P01-57P03: the server went away
    out_of_resources,            ///< class 53: out of connections, memory, disk
    login_refused,               ///< class 28
};

/// The condition of an SQLSTATE; `message` tells "tuple concurrently updated" (XX000) apart.
SqlCondition condition_of(std::string_view sqlstate, std::string_view message = {});

/// The server answered a statement with an error. Its condition comes from the SQLSTATE;
/// its exit code is the caller's (sql_error_from_result gives exit_for_sqlstate's).
class SqlError : public Error {
public:
    SqlError(Exit code, std::string message, std::string detail = {}, std::string hint = {},
             std::string sqlstate = {})
        : Error(code, std::move(message), std::move(detail), std::move(hint), std::move(sqlstate)),
          condition_(condition_of(this->sqlstate(), what())) {}

    SqlCondition condition() const { return condition_; }
    bool is(SqlCondition condition) const { return condition_ == condition; }

private:
    SqlCondition condition_;
};

/// Why a connection attempt failed, as far as libpq's message tells.
enum class ConnectFailure {
    no_socket,          ///< no server socket in that directory
    refused,            ///< nothing listens on that host and port
    timeout,            ///< connect_timeout expired
    unknown_host,       ///< the host name does not resolve
    starting_up,        ///< the server is starting, shutting down or in recovery
    too_many,           ///< no connection slot left
    no_password,        ///< the server asked for a password and none was available
    password_failed,    ///< the password was wrong
    auth_failed,        ///< another authentication method (peer, ident, cert...) refused
    connect_not_allowed,  ///< no CONNECT privilege, or the database does not allow connections
    no_hba_entry,       ///< pg_hba.conf has no line for this connection
    role_missing,       ///< the role to log in as does not exist
    database_missing,   ///< the database to connect to does not exist
    login_not_allowed,  ///< the role exists but may not log in
    other,
};

/// A failed connection: exit 3 when trying again later may help, exit 4 when the server was
/// reached and refused the login.
class ConnectionError : public Error {
public:
    ConnectionError(ConnectFailure failure, Exit code, std::string message, std::string hint)
        : Error(code, std::move(message), {}, std::move(hint)), failure_(failure) {}
    ConnectFailure failure() const { return failure_; }

private:
    ConnectFailure failure_;
};

/// The user (or a supervisor) sent SIGINT or SIGTERM; the statement in progress was cancelled.
class Interrupted : public std::exception {
public:
    explicit Interrupted(int signal_number) : signal_number_(signal_number) {}
    int signal_number() const { return signal_number_; }
    const char* what() const noexcept override { return "interrupted"; }

private:
    int signal_number_;
};

/// Classifies libpq's message for a failed connection. `needs_password` is
/// PQconnectionNeedsPassword() of the failed connection.
ConnectionError classify_connection_failure(std::string_view libpq_message, bool needs_password);

/// Whether trying again later may help (what --wait retries): the server is not reachable or
/// not yet accepting connections. Login refusals and unknown failures are not retried.
bool is_transient(ConnectFailure failure);

/// The exit status for an SQLSTATE the server sent with a failed statement. Data errors
/// (classes 22 and 23) are exit 1 here: only a tool that loads files (pg-seed) turns them into
/// exit 6 (exit_for_file_statement), since there they are the file's fault.
Exit exit_for_sqlstate(std::string_view sqlstate);
Exit exit_for_condition(SqlCondition condition);

/// The exit status when a statement read from a user's file fails: bad input (6) when the
/// file is at fault (a bad value, a broken constraint, a syntax error or a missing object, a
/// feature the server lacks, a statement that cannot run in a transaction), else what the
/// condition means anywhere (permission denied: 1).
Exit exit_for_file_statement(const SqlError& error);

/// A hint for the SQLSTATEs a user can do something about, or "".
/// `message` is the server's primary message: a missing object's hint names its kind.
std::string hint_for_sqlstate(std::string_view sqlstate, std::string_view message = {});

/// Whether a failed catalog change lost a race with another session doing the same (a
/// serialization failure, a deadlock, "tuple concurrently updated", or a duplicate key in a
/// catalog index): looking again and converging will settle it.
bool is_concurrent_catalog_change(const SqlError& error);

/// Builds the SqlError for a failed result (or a connection that broke mid-statement).
SqlError sql_error_from_result(const PGresult* result, PGconn* connection);

/// libpq messages end in a newline and may hold tab-indented continuation lines; this keeps the
/// first line as the message and returns the rest in `rest`.
std::string first_line(std::string_view message, std::string* rest = nullptr);

}  // namespace pgkit

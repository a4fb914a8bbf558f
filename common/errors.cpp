#include "common/errors.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace pgkit {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

struct FailurePattern {
    std::string_view text;
    ConnectFailure failure;
};

/// Ordered: the first pattern found in libpq's message wins. libpq sends no SQLSTATE to the
/// client for a failed connection, so its (English) text is all there is; the tools never call
/// setlocale(), which keeps libpq's own messages untranslated.
constexpr std::array<FailurePattern, 20> failure_patterns{{
    {"fe_sendauth: no password supplied", ConnectFailure::no_password},
    {"password authentication failed", ConnectFailure::password_failed},
    // peer, ident, GSSAPI, SSPI, LDAP, RADIUS, cert: "<method> authentication failed for user"
    {"authentication failed for user", ConnectFailure::auth_failed},
    {"permission denied for database", ConnectFailure::connect_not_allowed},
    {"is not currently accepting connections", ConnectFailure::connect_not_allowed},
    {"no pg_hba.conf entry", ConnectFailure::no_hba_entry},
    {"pg_hba.conf rejects connection", ConnectFailure::no_hba_entry},
    {"is not permitted to log in", ConnectFailure::login_not_allowed},
    {"role \"", ConnectFailure::role_missing},  // completed by the "does not exist" check below
    {"database \"", ConnectFailure::database_missing},
    {"the database system is starting up", ConnectFailure::starting_up},
    {"the database system is shutting down", ConnectFailure::starting_up},
    {"the database system is in recovery mode", ConnectFailure::starting_up},
    {"the database system is not yet accepting connections", ConnectFailure::starting_up},
    {"the database system is not accepting connections", ConnectFailure::starting_up},
    {"too many clients already", ConnectFailure::too_many},
    {"remaining connection slots are reserved", ConnectFailure::too_many},
    {"too many connections for", ConnectFailure::too_many},
    {"timeout expired", ConnectFailure::timeout},
    // Dropped during the handshake: a server going down or restarting (--wait retries it).
    {"server closed the connection unexpectedly", ConnectFailure::starting_up},
}};

ConnectFailure failure_kind(std::string_view message, bool needs_password) {
    if (needs_password && contains(message, "no password supplied")) {
        return ConnectFailure::no_password;
    }
    for (const auto& pattern : failure_patterns) {
        if (!contains(message, pattern.text)) {
            continue;
        }
        if (pattern.failure == ConnectFailure::role_missing ||
            pattern.failure == ConnectFailure::database_missing) {
            if (!contains(message, "\" does not exist")) {
                continue;
            }
        }
        return pattern.failure;
    }
    if (contains(message, "Connection refused")) {
        return ConnectFailure::refused;
    }
    if (contains(message, "No such file or directory") && contains(message, "socket")) {
        return ConnectFailure::no_socket;
    }
    if (contains(message, "could not translate host name") ||
        contains(message, "Name or service not known") ||
        contains(message, "Temporary failure in name resolution")) {
        return ConnectFailure::unknown_host;
    }
    if (contains(message, "Connection timed out") || contains(message, "No route to host") ||
        contains(message, "Network is unreachable")) {
        return ConnectFailure::timeout;
    }
    return ConnectFailure::other;
}

std::pair<Exit, std::string> exit_and_hint(ConnectFailure failure) {
    switch (failure) {
        case ConnectFailure::no_socket:
            return {Exit::connect,
                    "Is the server running, and accepting connections on that socket? Pass the "
                    "socket directory with -h or PGHOST, and the port with -p or PGPORT."};
        case ConnectFailure::refused:
            return {Exit::connect,
                    "Is the server running on that host and accepting TCP/IP connections on that "
                    "port? Use --wait=SECONDS to wait for a server that is still starting."};
        case ConnectFailure::timeout:
            return {Exit::connect,
                    "The server did not answer in time. Check the host and any firewall, or "
                    "raise --connect-timeout."};
        case ConnectFailure::unknown_host:
            return {Exit::connect, "Check the host name given with -h or PGHOST."};
        case ConnectFailure::starting_up:
            return {Exit::connect,
                    "The server is starting up or shutting down; try again, or use "
                    "--wait=SECONDS to keep trying."};
        case ConnectFailure::too_many:
            return {Exit::connect,
                    "All connection slots are in use; try again later, or use --wait=SECONDS."};
        case ConnectFailure::no_password:
            return {Exit::login,
                    "The server asks for a password: set PGPASSWORD, add a line to ~/.pgpass "
                    "(or the file PGPASSFILE names), or pass -W to be asked for it."};
        case ConnectFailure::password_failed:
            return {Exit::login,
                    "Check the password (PGPASSWORD, ~/.pgpass) and the user name given with -U "
                    "or PGUSER."};
        case ConnectFailure::no_hba_entry:
            return {Exit::login,
                    "The server's pg_hba.conf has no line that allows this host, user and "
                    "database; ask its administrator to add one."};
        case ConnectFailure::auth_failed:
            return {Exit::login,
                    "The server refused the login method for this user; check the user name (-U) "
                    "and the server's pg_hba.conf."};
        case ConnectFailure::connect_not_allowed:
            return {Exit::login,
                    "The role may not connect to that database; name another with "
                    "--maintenance-db or --dbname, or ask for the CONNECT privilege."};
        case ConnectFailure::role_missing:
            return {Exit::login, "Connect as an existing role with -U or PGUSER."};
        case ConnectFailure::database_missing:
            return {Exit::login,
                    "Name an existing database to connect to (--maintenance-db or --dbname), or "
                    "create it first with pg-createdb."};
        case ConnectFailure::login_not_allowed:
            return {Exit::login, "The role lacks the LOGIN attribute; connect as another role."};
        case ConnectFailure::other:
            break;
    }
    return {Exit::connect, {}};
}

void append_sentence(std::string& to, const std::string& text) {
    if (!text.empty()) to += (to.empty() ? "" : " ") + text;
}

}  // namespace

std::string first_line(std::string_view message, std::string* rest) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.remove_suffix(1);
    }
    const auto newline = message.find('\n');
    std::string head{message.substr(0, newline)};
    if (rest != nullptr) {
        rest->clear();
        if (newline != std::string_view::npos) {
            std::string_view tail = message.substr(newline + 1);
            // libpq indents continuation lines with a tab; keep them as sentences.
            while (!tail.empty()) {
                const auto end = tail.find('\n');
                std::string_view line = tail.substr(0, end);
                while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) {
                    line.remove_prefix(1);
                }
                if (!line.empty()) {
                    if (!rest->empty()) {
                        rest->push_back(' ');
                    }
                    rest->append(line);
                }
                if (end == std::string_view::npos) {
                    break;
                }
                tail.remove_prefix(end + 1);
            }
        }
    }
    return head;
}

ConnectionError classify_connection_failure(std::string_view libpq_message, bool needs_password) {
    const ConnectFailure failure = failure_kind(libpq_message, needs_password);
    auto [code, hint] = exit_and_hint(failure);
    std::string message = first_line(libpq_message);
    // libpq's "connection to server ... failed: FATAL:  x" reads better with the severity
    // dropped, as PostgreSQL's own tools print it.
    for (std::string_view severity : {"FATAL:  ", "ERROR:  "}) {
        if (auto at = message.find(severity); at != std::string::npos) {
            message.erase(at, severity.size());
        }
    }
    // The server's DETAIL and HINT come on lines of their own; other lines are libpq's advice
    // or the failures of further hosts in a list.
    std::string detail, server_hint, other;
    const std::string_view body = libpq_message;
    const std::size_t first_end = body.find('\n');
    for (std::size_t start = first_end == std::string_view::npos ? body.size() : first_end + 1;
         start < body.size();) {
        std::size_t end = body.find('\n', start);
        if (end == std::string_view::npos) end = body.size();
        std::string_view line = body.substr(start, end - start);
        start = end + 1;
        auto strip = [&line](std::size_t prefix) {
            line.remove_prefix(prefix);
            while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
        };
        strip(0);
        if (line.substr(0, 7) == "DETAIL:") {
            strip(7);
            append_sentence(detail, std::string(line));
        } else if (line.substr(0, 5) == "HINT:") {
            strip(5);
            append_sentence(server_hint, std::string(line));
        } else {
            append_sentence(other, std::string(line));
        }
    }
    if (hint.empty()) {
        hint = !server_hint.empty() ? server_hint : other;
    } else if (!other.empty() && other.find("connection to server") != std::string::npos) {
        append_sentence(detail, other);  // the other hosts of a list
    }
    ConnectionError error(failure, code, std::move(message), std::move(hint));
    error.set_detail(std::move(detail));
    return error;
}

bool is_transient(ConnectFailure failure) {
    switch (failure) {
        case ConnectFailure::no_socket:
        case ConnectFailure::refused:
        case ConnectFailure::timeout:
        case ConnectFailure::unknown_host:
        case ConnectFailure::starting_up:
        case ConnectFailure::too_many:
            return true;
        default:
            return false;
    }
}

SqlCondition condition_of(std::string_view sqlstate, std::string_view message) {
    if (sqlstate.size() != 5) return SqlCondition::other;
    const std::string_view sql_class = sqlstate.substr(0, 2);
    if (sqlstate == "42P04" || sqlstate == "42710" || sqlstate == "42P06" ||
        sqlstate == "42P07" || sqlstate == "42723" || sqlstate == "42712" ||
        sqlstate == "42P03" || sqlstate == "42P05" || sqlstate == "42701") {
        return SqlCondition::duplicate_object;  // database, object, schema, table, function...
    }
    if (sqlstate == "23505") return SqlCondition::unique_violation;
    if (sql_class == "23") return SqlCondition::integrity_violation;
    if (sqlstate == "22021") return SqlCondition::invalid_encoding;
    if (sqlstate == "2201B") return SqlCondition::invalid_regular_expression;
    if (sql_class == "22") return SqlCondition::data_exception;
    if (sqlstate == "42704") return SqlCondition::undefined_object;
    if (sqlstate == "42501") return SqlCondition::insufficient_privilege;
    if (sql_class == "42") return SqlCondition::syntax_or_rule;
    if (sqlstate == "0A000") return SqlCondition::feature_not_supported;
    if (sqlstate == "25006") return SqlCondition::read_only;
    if (sqlstate == "25001") return SqlCondition::in_transaction_block;
    if (sqlstate == "55006") return SqlCondition::object_in_use;
    if (sqlstate == "55P03") return SqlCondition::lock_not_available;
    if (sqlstate == "40001" || sqlstate == "40P01" ||
        (sqlstate == "XX000" && contains(message, "concurrently"))) {
        return SqlCondition::concurrent_change;
    }
    if (sql_class == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
        return SqlCondition::connection_lost;  // connection lost, server shut down
    }
    if (sql_class == "53") return SqlCondition::out_of_resources;
    if (sql_class == "28") return SqlCondition::login_refused;
    return SqlCondition::other;
}

Exit exit_for_condition(SqlCondition condition) {
    switch (condition) {
        case SqlCondition::duplicate_object:
            return Exit::conflict;
        case SqlCondition::connection_lost:
        case SqlCondition::out_of_resources:
            return Exit::connect;
        case SqlCondition::login_refused:
            return Exit::login;
        default:
            return Exit::server;
    }
}

Exit exit_for_sqlstate(std::string_view sqlstate) {
    return exit_for_condition(condition_of(sqlstate));
}

Exit exit_for_file_statement(const SqlError& error) {
    switch (error.condition()) {
        case SqlCondition::duplicate_object:
        case SqlCondition::unique_violation:
        case SqlCondition::integrity_violation:
        case SqlCondition::invalid_encoding:
        case SqlCondition::invalid_regular_expression:
        case SqlCondition::data_exception:
        case SqlCondition::undefined_object:
        case SqlCondition::syntax_or_rule:
        case SqlCondition::feature_not_supported:
        case SqlCondition::in_transaction_block:
            return Exit::bad_input;
        default:
            return error.code();
    }
}

std::string hint_for_sqlstate(std::string_view sqlstate, std::string_view message) {
    switch (condition_of(sqlstate)) {
        case SqlCondition::read_only:
            return "The server is read-only: it is a standby, or default_transaction_read_only "
                   "is on. Connect to the primary, e.g. list both hosts with -h and add "
                   "target_session_attrs=read-write to the connection string.";
        case SqlCondition::insufficient_privilege:
            return "Connect as a role with the privilege (-U), or ask for it to be granted.";
        case SqlCondition::undefined_object: {
            // The server names the kind first: role "x" does not exist, tablespace "x" ...
            const std::string_view kind = message.substr(0, message.find(" \""));
            if (kind == "role") {
                return "Check the name, or create the role first (pg-createuser).";
            }
            if (kind.empty() || kind.size() == message.size() ||
                kind.find(' ') != std::string_view::npos) {
                return "Check the name, or create the object first.";
            }
            return fmt::format("Check the name, or create the {} first.", kind);
        }
        case SqlCondition::lock_not_available:
            return "Another session holds a lock this needs (pg_locks and pg_stat_activity "
                   "show which); try again when it is done, or give --lock-timeout more "
                   "seconds.";
        case SqlCondition::connection_lost:
            return "The connection to the server was lost; nothing of the unfinished "
                   "transaction was committed. Try again when the server is back.";
        default:
            return {};
    }
}

bool is_concurrent_catalog_change(const SqlError& error) {
    return error.is(SqlCondition::concurrent_change) || error.is(SqlCondition::unique_violation);
}

SqlError sql_error_from_result(const PGresult* result, PGconn* connection) {
    auto field = [&](int code) -> std::string {
        const char* value = result != nullptr ? PQresultErrorField(result, code) : nullptr;
        return value != nullptr ? value : "";
    };
    std::string sqlstate = field(PG_DIAG_SQLSTATE);
    std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
    std::string detail = field(PG_DIAG_MESSAGE_DETAIL);
    std::string hint = field(PG_DIAG_MESSAGE_HINT);
    if (message.empty()) {
        // No error fields: libpq failed on its own (connection lost, out of memory).
        std::string rest;
        message = first_line(connection != nullptr ? PQerrorMessage(connection) : "", &rest);
        if (message.empty()) {
            message = "the server returned no result";
        }
        if (detail.empty()) {
            detail = rest;
        }
        if (connection != nullptr && PQstatus(connection) == CONNECTION_BAD && sqlstate.empty()) {
            sqlstate = "08006";  // connection_failure
        }
    }
    if (hint.empty()) {
        hint = hint_for_sqlstate(sqlstate, message);
    }
    // The code first: arguments are evaluated in no set order, and one moves sqlstate away.
    const Exit code = exit_for_sqlstate(sqlstate);
    return SqlError(code, std::move(message), std::move(detail), std::move(hint),
                    std::move(sqlstate));
}

}  // namespace pgkit

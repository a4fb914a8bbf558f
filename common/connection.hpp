#pragma once
/// Connecting as PostgreSQL's own tools do: what the user did not give stays unset, so that
/// libpq applies PG* variables, ~/.pgpass and the service file itself.

#include <optional>
#include <string>

#include "common/session.hpp"

namespace pgkit {

struct ConnectionOptions {
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> username;
    /// --maintenance-db or --dbname: a database name, a URI or a key=value string.
    std::optional<std::string> dbname;
    bool no_password = false;     ///< -w
    bool force_password = false;  ///< -W
    std::optional<int> connect_timeout;
    std::optional<double> wait_seconds;
    /// --lock-timeout: the session's lock_timeout, so that a statement waiting for a lock
    /// gives up (SQLSTATE 55P03) instead of hanging (tools that change something).
    std::optional<double> lock_timeout_seconds;
};

/// The default connect timeout when neither --connect-timeout, PGCONNECT_TIMEOUT nor the
/// connection string sets one.
inline constexpr int default_connect_timeout_seconds = 10;

/// Opens connections for one tool run, remembering a password typed at the prompt so that a
/// second connection (the template1 fallback) does not ask again.
class Connector {
public:
    Connector(ConnectionOptions options, std::string application_name, SessionOptions session);

    /// Connects to `dbname` (a name or a connection string); retries while --wait allows, a
    /// database that does not exist yet included (another step may be creating it).
    /// `secure_search_path` empties search_path, as PostgreSQL's tools do for catalog work.
    Session connect(const std::string& dbname, bool secure_search_path = true);

    /// The database for pg-createdb and pg-createuser: --maintenance-db when given, else
    /// "postgres", else "template1" when "postgres" does not exist.
    Session connect_maintenance(bool avoid_postgres = false);

    /// Another database of the same server, reached as the maintenance database is: its
    /// connection string (--maintenance-db's host, port, TLS settings...) with the database
    /// name replaced, as vacuumdb --all does for each database.
    Session connect_to_database(const std::string& database);

    const ConnectionOptions& options() const { return options_; }

private:
    Session connect(const std::string& dbname, const std::optional<std::string>& override_dbname,
                    bool secure_search_path, bool wait_for_database = true);
    ConnectionHandle connect_once(const std::string& dbname,
                                  const std::optional<std::string>& override_dbname);

    ConnectionOptions options_;
    std::string application_name_;
    SessionOptions session_options_;
    std::optional<std::string> password_;
};

}  // namespace pgkit

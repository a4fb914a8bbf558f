#include "common/connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "common/errors.hpp"
#include "common/interrupt.hpp"
#include "common/password_prompt.hpp"

namespace pgkit {

Connector::Connector(ConnectionOptions options, std::string application_name,
                     SessionOptions session)
    : options_(std::move(options)),
      application_name_(std::move(application_name)),
      session_options_(session) {}

ConnectionHandle Connector::connect_once(const std::string& dbname,
                                         const std::optional<std::string>& override_dbname) {
    std::vector<const char*> keywords;
    std::vector<const char*> values;
    auto add = [&](const char* keyword, const std::optional<std::string>& value) {
        if (value) {
            keywords.push_back(keyword);
            values.push_back(value->c_str());
        }
    };
    // The default timeout comes before dbname, so that a connection string can override it;
    // an explicit --connect-timeout comes after, and wins.
    std::optional<std::string> default_timeout;
    if (!options_.connect_timeout && std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
        default_timeout = std::to_string(default_connect_timeout_seconds);
    }
    add("connect_timeout", default_timeout);
    // Same order as PostgreSQL's tools: host, port and user first, then dbname, whose
    // connection string (when it is one) overrides them.
    add("host", options_.host);
    add("port", options_.port);
    add("user", options_.username);
    add("password", password_);
    // add() keeps pointers into its argument: these must outlive PQconnectdbParams.
    const std::optional<std::string> database = dbname;
    const std::optional<std::string> application = application_name_;
    add("dbname", database);
    // Only the first dbname is read as a connection string; a second one is a plain name.
    add("dbname", override_dbname);
    add("fallback_application_name", application);
    std::optional<std::string> explicit_timeout;
    if (options_.connect_timeout) {
        explicit_timeout = std::to_string(*options_.connect_timeout);
    }
    add("connect_timeout", explicit_timeout);
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    return ConnectionHandle(PQconnectdbParams(keywords.data(), values.data(), 1), &PQfinish);
}

Session Connector::connect(const std::string& dbname, bool secure_search_path) {
    return connect(dbname, std::nullopt, secure_search_path);
}

Session Connector::connect_to_database(const std::string& database) {
    // The name always goes second, never expanded: a database may be named "a=b".
    // Not waited for: the caller named it from the catalog (pg-dropuser), and a database
    // dropped meanwhile will not come back.
    return connect(options_.dbname.value_or("postgres"), database, true, /*wait_for_database=*/false);
}

Session Connector::connect(const std::string& dbname,
                           const std::optional<std::string>& override_dbname,
                           bool secure_search_path, bool wait_for_database) {
    using Clock = std::chrono::steady_clock;
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(options_.wait_seconds.value_or(0)));
    auto backoff = std::chrono::milliseconds(100);
    std::optional<ConnectionError> missing_seen;  // a database that did not exist yet

    if (options_.force_password && !password_) {
        password_ = read_password_from_terminal("Password: ");
    }
    while (true) {
        ConnectionHandle connection = connect_once(dbname, override_dbname);
        if (!connection) {
            throw Error(Exit::connect, "out of memory while connecting");
        }
        if (PQstatus(connection.get()) == CONNECTION_OK) {
            Session session(std::move(connection), session_options_);
            if (secure_search_path) {
                session.query("SELECT pg_catalog.set_config('search_path', '', false)");
            }
            if (options_.lock_timeout_seconds) {
                // Whole milliseconds; 0 waits for ever, as lock_timeout = 0 does.
                const auto ms = static_cast<long long>(*options_.lock_timeout_seconds * 1000 + 0.5);
                session.pin_setting("lock_timeout", std::to_string(ms));
            }
            return session;
        }
        const bool needs_password = PQconnectionNeedsPassword(connection.get()) != 0;
        if (needs_password && !password_ && !options_.no_password) {
            const char* user = PQuser(connection.get());
            password_ = read_password_from_terminal(
                user != nullptr && *user != '\0' ? fmt::format("Password for user {}: ", user)
                                                 : std::string("Password: "));
            if (password_) {
                continue;  // ask the server again, now with a password
            }
        }
        ConnectionError error =
            classify_connection_failure(PQerrorMessage(connection.get()), needs_password);
        connection.reset();
        throw_if_interrupted();
        const auto now = Clock::now();
        // With --wait, a database that does not exist yet is waited for too: in a container's
        // start-up another step may be creating it. A login refusal still ends the wait.
        const bool missing = error.failure() == ConnectFailure::database_missing &&
                             wait_for_database && options_.wait_seconds.value_or(0) > 0;
        if (missing) missing_seen = error;
        if ((!is_transient(error.failure()) && !missing) || now >= deadline) {
            // The missing database is what the wait was for, even when a pooler in between
            // held the last attempt until it timed out.
            if (missing || (missing_seen && error.failure() == ConnectFailure::timeout)) {
                const ConnectionError& named = missing ? error : *missing_seen;
                throw ConnectionError(named.failure(), named.code(), named.what(),
                                      fmt::format("It did not appear within --wait={} s: is the step "
                                                  "that creates it running? (pg-createdb makes it.)",
                                                  *options_.wait_seconds));
            }
            throw error;
        }
        // Sleep no longer than the time left, then try once more at the deadline.
        std::this_thread::sleep_for(
            std::min<Clock::duration>(backoff, deadline - now));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
}

Session Connector::connect_maintenance(bool avoid_postgres) {
    if (options_.dbname) {
        return connect(*options_.dbname);
    }
    if (!avoid_postgres) {
        try {
            // Not waited for: a server without "postgres" is served by template1.
            return connect("postgres", std::nullopt, true, /*wait_for_database=*/false);
        } catch (const ConnectionError& error) {
            if (error.failure() != ConnectFailure::database_missing) {
                throw;
            }
        }
    }
    return connect("template1");
}

}  // namespace pgkit

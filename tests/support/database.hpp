#pragma once
/// A test's own libpq connection, to check what the server holds (not what a tool says).

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ostream>

// Lets Boost.Test print an optional value in a failed assertion (found by ADL).
namespace std {
inline std::ostream& boost_test_print_type(std::ostream& out, const optional<string>& value) {
    return value ? out << '"' << *value << '"' : out << "(null)";
}
inline std::ostream& boost_test_print_type(std::ostream& out, const vector<string>& values) {
    out << '{';
    for (const auto& value : values) out << " \"" << value << '"';
    return out << " }";
}
}  // namespace std

namespace pgkit::test {

using Row = std::vector<std::optional<std::string>>;

class Database {
public:
    explicit Database(const std::string& conninfo);
    /// Runs a command; throws on error.
    void exec(const std::string& sql);
    /// All rows of a query with $n parameters.
    std::vector<Row> rows(const std::string& sql, const std::vector<std::string>& params = {});
    /// The first column of the first row; nothing when there is no row or it is NULL.
    std::optional<std::string> value(const std::string& sql,
                                     const std::vector<std::string>& params = {});
    /// The error of a command expected to fail ("" when it succeeded).
    std::string error_of(const std::string& sql);
    PGconn* raw() const { return connection_.get(); }

private:
    std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
};

/// The shared cluster's `postgres` database, as the superuser over the socket.
Database& admin();

/// How many sessions whose application_name is `application` wait for a lock now
/// (pg_stat_activity): a tool run with PGAPPNAME set, blocked by a test's open transaction.
int sessions_waiting_for_lock(const std::string& application);

}  // namespace pgkit::test

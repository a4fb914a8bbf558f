#include "common/activity.hpp"

#include <fmt/format.h>

namespace pgkit {

std::string sessions_on(Session& session, const std::string& database) {
    const Result sessions = session.query(
        "SELECT pid, usename, application_name, coalesce(client_addr::text, 'local'), state "
        "FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid() "
        "ORDER BY backend_start",
        {database});
    std::string detail;
    for (int row = 0; row < sessions.rows(); ++row) {
        detail += fmt::format("{}pid {} (user {}, application \"{}\", from {}, {})",
                              detail.empty() ? "Connected to it: " : "; ", sessions.text(row, 0),
                              sessions.text(row, 1), sessions.text(row, 2), sessions.text(row, 3),
                              sessions.text(row, 4));
    }
    return detail;
}

}  // namespace pgkit

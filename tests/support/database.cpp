#include "support/database.hpp"

#include <stdexcept>

#include "support/cluster.hpp"

namespace pgkit::test {

Database::Database(const std::string& conninfo)
    : connection_(PQconnectdb(conninfo.c_str()), &PQfinish) {
    if (PQstatus(connection_.get()) != CONNECTION_OK) {
        throw std::runtime_error("test connection failed: " +
                                 std::string(PQerrorMessage(connection_.get())));
    }
}

void Database::exec(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection_.get(), sql.c_str()),
                                                         &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error("test SQL failed: " + sql + ": " +
                                 PQerrorMessage(connection_.get()));
    }
}

std::string Database::error_of(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection_.get(), sql.c_str()),
                                                         &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return "";
    return PQerrorMessage(connection_.get());
}

std::vector<Row> Database::rows(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                     values.data(), nullptr, nullptr, 0),
        &PQclear);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
        throw std::runtime_error("test query failed: " + sql + ": " +
                                 PQerrorMessage(connection_.get()));
    }
    std::vector<Row> rows;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
        Row row;
        for (int c = 0; c < PQnfields(result.get()); ++c) {
            if (PQgetisnull(result.get(), r, c)) {
                row.emplace_back();
            } else {
                row.emplace_back(PQgetvalue(result.get(), r, c));
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::optional<std::string> Database::value(const std::string& sql,
                                           const std::vector<std::string>& params) {
    const auto all = rows(sql, params);
    if (all.empty() || all.front().empty()) return std::nullopt;
    return all.front().front();
}

Database& admin() {
    static Database database(shared_cluster().conninfo());
    return database;
}

int sessions_waiting_for_lock(const std::string& application) {
    return std::stoi(admin()
                         .value("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 "
                                "AND wait_event_type = 'Lock'",
                                {application})
                         .value_or("0"));
}

}  // namespace pgkit::test

#include "tools/pg-seed/script_session.hpp"

#include <cstdlib>
#include <optional>

#include "common/errors.hpp"
#include "common/interrupt.hpp"
#include "tools/pg-seed/file_error.hpp"

namespace pgkit {
namespace {

ScriptError script_error(PGresult* result, PGconn* connection, int index) {
    const char* position = result != nullptr ? PQresultErrorField(result, PG_DIAG_STATEMENT_POSITION) : nullptr;
    const char* context = result != nullptr ? PQresultErrorField(result, PG_DIAG_CONTEXT) : nullptr;
    ScriptError error(sql_error_from_result(result, connection), index,
                      position != nullptr ? std::atoi(position) : 0);
    error.context = context != nullptr ? context : "";
    return error;
}

long long affected_rows(PGresult* result) {
    const char* rows = PQcmdTuples(result);
    return rows != nullptr && *rows != '\0' ? std::atoll(rows) : 0;
}

}  // namespace

void ScriptSession::run(std::string_view sql,
                        const std::vector<std::optional<std::string>>& params) {
    PGconn* connection = session_.raw();
    session_.echo(sql);
    throw_if_interrupted();
    const std::string text{sql};
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    ResultHandle result(
        params.empty() ? PQexec(connection, text.c_str())
                       : PQexecParams(connection, text.c_str(), static_cast<int>(values.size()),
                                      nullptr, values.data(), nullptr, nullptr, 0),
        &PQclear);
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw_if_interrupted();  // cancelled by our own signal handler
        throw sql_error_from_result(result.get(), connection);
    }
}

ScriptSession::BatchOutcome ScriptSession::send_batch(const std::string& sql) {
    PGconn* connection = session_.raw();
    throw_if_interrupted();
    session_.echo(sql);
    if (PQsendQuery(connection, sql.c_str()) == 0) {
        throw script_error(nullptr, connection, 0);
    }
    BatchOutcome outcome;
    std::optional<ScriptError> failure;
    while (PGresult* raw = PQgetResult(connection)) {
        ResultHandle result(raw, &PQclear);
        const ExecStatusType status = PQresultStatus(raw);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
            if (!failure) {
                ++outcome.statements;
                // Rows written, not rows a SELECT returned (pg_dump's set_config and setval).
                if (status == PGRES_COMMAND_OK) outcome.rows += affected_rows(raw);
            }
        } else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
            // A COPY hidden in a batch: end it, so that the connection stays usable.
            if (status == PGRES_COPY_IN) PQputCopyEnd(connection, "COPY needs its own data");
            if (status == PGRES_COPY_OUT) {
                char* row = nullptr;
                while (PQgetCopyData(connection, &row, 0) >= 0) PQfreemem(row);
            }
            if (!failure) {
                failure = ScriptError(SqlError(Exit::bad_input,
                                               "COPY from or to the client is only possible as "
                                               "COPY ... FROM stdin followed by its data"),
                                      outcome.statements, 0);
            }
        } else if (!failure) {
            failure = script_error(raw, connection, outcome.statements);
        }
    }
    throw_if_interrupted();
    if (failure) throw *failure;
    return outcome;
}

void ScriptSession::begin_copy(const std::string& sql) {
    throw_if_interrupted();
    session_.echo(sql);
    ResultHandle result(PQexec(session_.raw(), sql.c_str()), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COPY_IN) {
        throw_if_interrupted();
        throw script_error(result.get(), session_.raw(), 0);
    }
}

void ScriptSession::put_copy_data(const char* data, std::size_t size) {
    PGconn* connection = session_.raw();
    if (interrupted_signal() != 0) {
        PQputCopyEnd(connection, "interrupted");
        while (PGresult* raw = PQgetResult(connection)) PQclear(raw);
        throw_if_interrupted();
    }
    // libpq learns of a server error during COPY only when it reads: read what has come now
    // and then, so that a bad row early in a big file stops the load early.
    if (++copy_chunks_ % 16 == 0) PQconsumeInput(connection);
    if (PQputCopyData(connection, data, static_cast<int>(size)) != 1) {
        end_copy();  // reports the server's error
        throw script_error(nullptr, connection, 0);
    }
}

long long ScriptSession::end_copy() {
    PGconn* connection = session_.raw();
    PQputCopyEnd(connection, nullptr);
    long long rows = 0;
    std::optional<ScriptError> failure;
    while (PGresult* raw = PQgetResult(connection)) {
        ResultHandle result(raw, &PQclear);
        if (PQresultStatus(raw) == PGRES_COMMAND_OK) {
            rows += affected_rows(raw);
        } else if (!failure) {
            failure = script_error(raw, connection, 0);
        }
    }
    if (failure) {
        throw_if_interrupted();
        throw *failure;
    }
    return rows;
}

void ScriptSession::reset_all() {
    // RESET ALL leaves the role and the session user as they are: they are reset too, so that
    // the next file, and the --once history, run as the role that connected.
    run("RESET ALL; RESET SESSION AUTHORIZATION; RESET ROLE");
    for (const auto& [name, value] : session_.pinned_settings()) {
        session_.query("SELECT pg_catalog.set_config($1, $2, false)", {name, value});
    }
}

void ScriptSession::end_file(const std::string& path, bool in_transaction) {
    if (in_transaction) {
        try {
            run("SET CONSTRAINTS ALL IMMEDIATE");
        } catch (const SqlError& error) {
            fail_at(error, path, 0);
        }
    }
    reset_all();
}

}  // namespace pgkit

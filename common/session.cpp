#include "common/session.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "common/errors.hpp"
#include "common/interrupt.hpp"

namespace pgkit {

std::string_view Result::text(int row, int column) const {
    const char* value = PQgetvalue(handle_.get(), row, column);
    return {value, static_cast<std::size_t>(PQgetlength(handle_.get(), row, column))};
}

std::optional<std::string> Result::value(int row, int column) const {
    if (is_null(row, column)) {
        return std::nullopt;
    }
    return std::string(text(row, column));
}

int Result::column(const char* name) const {
    const int index = PQfnumber(handle_.get(), name);
    if (index < 0) {
        throw std::logic_error(fmt::format("query result has no column \"{}\"", name));
    }
    return index;
}

namespace {

/// Server messages that are not errors: warnings always, notices only with --echo (a
/// CREATE ... IF NOT EXISTS "already exists, skipping" is noise in a provisioning log).
extern "C" void receive_notice(void* settings, const PGresult* result) {
    const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (severity == nullptr || message == nullptr) return;
    const bool warning = std::string_view(severity) == "WARNING";
    const auto* notices = static_cast<const Session::NoticeSettings*>(settings);
    if (!warning && !notices->show_notices) return;
    std::fprintf(stderr, "%s: %s: %s\n", notices->program.c_str(), warning ? "warning" : "notice",
                 message);
}

}  // namespace

Session::Session(ConnectionHandle connection, SessionOptions options)
    : connection_(std::move(connection)), options_(options) {
    add_cancel_target(connection_.get());
    // The flag lives on the heap: a Session is moved, its address is not stable.
    notice_settings_ = std::make_unique<NoticeSettings>(
        NoticeSettings{options_.echo, options_.program.empty() ? "pgkit" : options_.program});
    PQsetNoticeReceiver(connection_.get(), receive_notice, notice_settings_.get());
}

Session::~Session() {
    if (connection_) {
        remove_cancel_target(connection_.get());
    }
}

std::string Session::quote_ident(std::string_view name) const {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeIdentifier(connection_.get(), name.data(), name.size()), &PQfreemem);
    if (!quoted) {
        throw Error(Exit::usage,
                    fmt::format("could not quote identifier: {}",
                                first_line(PQerrorMessage(connection_.get()))));
    }
    return quoted.get();
}

std::string Session::quote_literal(std::string_view value) const {
    std::unique_ptr<char, decltype(&PQfreemem)> quoted(
        PQescapeLiteral(connection_.get(), value.data(), value.size()), &PQfreemem);
    if (!quoted) {
        throw Error(Exit::usage, fmt::format("could not quote literal: {}",
                                             first_line(PQerrorMessage(connection_.get()))));
    }
    return quoted.get();
}

void Session::echo(std::string_view shown) const {
    if (options_.echo) {
        std::fwrite(shown.data(), 1, shown.size(), stderr);
        if (shown.empty() || shown.back() != ';') {
            std::fputc(';', stderr);
        }
        std::fputc('\n', stderr);
        std::fflush(stderr);
    }
}

ResultHandle Session::send(std::string_view sql,
                           const std::vector<std::optional<std::string>>& params) {
    throw_if_interrupted();
    const std::string text{sql};
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) {
        values.push_back(param ? param->c_str() : nullptr);
    }
    ResultHandle result(
        params.empty()
            ? PQexec(connection_.get(), text.c_str())
            : PQexecParams(connection_.get(), text.c_str(), static_cast<int>(values.size()),
                           nullptr, values.data(), nullptr, nullptr, 0),
        &PQclear);
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        // A statement cancelled by our own signal handler reports the signal, not 57014.
        throw_if_interrupted();
        throw sql_error_from_result(result.get(), connection_.get());
    }
    // A signal that came too late to cancel this statement stops the next one instead.
    return result;
}

Result Session::query(std::string_view sql,
                      const std::vector<std::optional<std::string>>& params) {
    echo(sql);
    return Result(send(sql, params));
}

void Session::execute(std::string_view sql, std::string_view shown) {
    const std::string_view display = shown.empty() ? sql : shown;
    echo(display);
    if (options_.dry_run) {
        changes_.emplace_back(display);
        return;
    }
    send(sql, {});
    // Listed only once it succeeded: a report never claims a statement that failed.
    changes_.emplace_back(display);
    note_change_committed();
}

}  // namespace pgkit

namespace pgkit {

void Session::run(std::string_view sql) {
    echo(sql);
    send(sql, {});
}

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

Session::BatchOutcome Session::send_batch(const std::string& sql) {
    throw_if_interrupted();
    echo(sql);
    if (PQsendQuery(connection_.get(), sql.c_str()) == 0) {
        throw script_error(nullptr, connection_.get(), 0);
    }
    BatchOutcome outcome;
    std::optional<ScriptError> failure;
    while (PGresult* raw = PQgetResult(connection_.get())) {
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
            if (status == PGRES_COPY_IN) PQputCopyEnd(connection_.get(), "COPY needs its own data");
            if (status == PGRES_COPY_OUT) {
                char* row = nullptr;
                while (PQgetCopyData(connection_.get(), &row, 0) >= 0) PQfreemem(row);
            }
            if (!failure) failure = ScriptError(SqlError(Exit::bad_input, "COPY from or to the client is only possible as COPY ... FROM stdin followed by its data"), outcome.statements, 0);
        } else if (!failure) {
            failure = script_error(raw, connection_.get(), outcome.statements);
        }
    }
    if (failure) {
        throw_if_interrupted();
        throw *failure;
    }
    throw_if_interrupted();
    return outcome;
}

void Session::pin_setting(const std::string& name, const std::string& value) {
    query("SELECT pg_catalog.set_config($1, $2, false)", {name, value});
    pinned_.emplace_back(name, value);
}

void Session::reset_all() {
    run("RESET ALL");
    for (const auto& [name, value] : pinned_) {
        query("SELECT pg_catalog.set_config($1, $2, false)", {name, value});
    }
}

void Session::begin_copy(const std::string& sql) {
    throw_if_interrupted();
    echo(sql);
    ResultHandle result(PQexec(connection_.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COPY_IN) {
        throw_if_interrupted();
        throw script_error(result.get(), connection_.get(), 0);
    }
}

void Session::put_copy_data(const char* data, std::size_t size) {
    if (interrupted_signal() != 0) {
        PQputCopyEnd(connection_.get(), "interrupted");
        while (PGresult* raw = PQgetResult(connection_.get())) PQclear(raw);
        throw_if_interrupted();
    }
    // libpq learns of a server error during COPY only when it reads: read what has come now
    // and then, so that a bad row early in a big file stops the load early.
    if (++copy_chunks_ % 16 == 0) PQconsumeInput(connection_.get());
    if (PQputCopyData(connection_.get(), data, static_cast<int>(size)) != 1) {
        end_copy();  // reports the server's error
        throw script_error(nullptr, connection_.get(), 0);
    }
}

long long Session::end_copy() {
    PQputCopyEnd(connection_.get(), nullptr);
    long long rows = 0;
    std::optional<ScriptError> failure;
    while (PGresult* raw = PQgetResult(connection_.get())) {
        ResultHandle result(raw, &PQclear);
        if (PQresultStatus(raw) == PGRES_COMMAND_OK) {
            rows += affected_rows(raw);
        } else if (!failure) {
            failure = script_error(raw, connection_.get(), 0);
        }
    }
    if (failure) {
        throw_if_interrupted();
        throw *failure;
    }
    return rows;
}

}  // namespace pgkit

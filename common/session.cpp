#include "common/session.hpp"

#include <fmt/format.h>

#include <utility>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "common/errors.hpp"
#include "common/interrupt.hpp"

namespace pgkit {

void Statement::append(std::string_view text) {
    sql += text;
    shown += text;
}

void Statement::append_secret(std::string_view text, std::string_view mask) {
    sql += text;
    shown += mask;
}

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
    auto* notices = static_cast<Session::NoticeSettings*>(settings);
    const char* code = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    notices->codes.emplace_back(code != nullptr ? code : "");
    if (!warning && !notices->show_notices) return;
    const char* program = notices->program.c_str();
    std::fprintf(stderr, "%s: %s: %s\n", program, warning ? "warning" : "notice", message);
    // Its detail and hint too, as for an error (18's "MD5 password support is deprecated").
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
        std::fprintf(stderr, "%s: detail: %s\n", program, detail);
    }
    if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) {
        std::fprintf(stderr, "%s: hint: %s\n", program, hint);
    }
}

}  // namespace

Session::Session(ConnectionHandle connection, SessionOptions options)
    : connection_(std::move(connection)), options_(options) {
    add_cancel_target(connection_.get());
    // The flag lives on the heap: a Session is moved, its address is not stable.
    notice_settings_ = std::make_unique<NoticeSettings>(
        NoticeSettings{options_.echo, options_.program.empty() ? "pgkit" : options_.program, {}});
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

std::string Session::quote_qualified(const std::optional<std::string>& schema,
                                     std::string_view name) const {
    return (schema ? quote_ident(*schema) + "." : std::string()) + quote_ident(name);
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

void Session::execute(const std::vector<Statement>& statements) {
    // Under --dry-run the statements are proved, not kept: they run in a transaction that is
    // rolled back (or, in a dry run's own transaction, kept until it is), so that the dry run
    // fails where the real run would (a missing role).
    send_batch(statements, options_.dry_run ? Batch::dry_run : Batch::commit);
    if (!options_.dry_run) note_change_committed();
    // Listed only once they succeeded: a report never claims a statement that failed.
    for (const auto& statement : statements) changes_.push_back(statement.shown);
}

void Session::prove(const std::vector<Statement>& statements) {
    send_batch(statements, Batch::prove);
}

Result Session::probe(const std::vector<Statement>& statements, std::string_view query) {
    std::vector<Statement> batch = statements;
    batch.push_back(Statement::plain(std::string(query)));
    // The statements and the query as one message; its last result is the query's.
    return Result(send_batch(batch, Batch::probe));
}

void Session::begin_dry_run_transaction() {
    if (!options_.dry_run || in_dry_run_transaction_) return;
    // Read committed whatever the database's default: a tool reads the catalog again inside
    // it (after an advisory lock) and must see what committed meanwhile.
    query("BEGIN ISOLATION LEVEL READ COMMITTED");
    in_dry_run_transaction_ = true;
}

void Session::end_dry_run_transaction() {
    if (!in_dry_run_transaction_) return;
    in_dry_run_transaction_ = false;
    echo("ROLLBACK");
    PQclear(PQexec(connection_.get(), "ROLLBACK"));
}

ResultHandle Session::send_batch(const std::vector<Statement>& statements, Batch kind) {
    // How the batch is wrapped: nothing (one implicit transaction); BEGIN ... ROLLBACK; or,
    // inside a dry run's own transaction, a savepoint that is released (the dry run's changes
    // stay for the objects after it) or rolled back to (a proof, a probe).
    const bool wrapped = kind != Batch::commit;
    const bool shared = wrapped && in_dry_run_transaction_;
    const bool keep = kind == Batch::dry_run;
    const char* open = shared ? "SAVEPOINT pgkit_proof" : "BEGIN";
    const char* discard = shared ? "ROLLBACK TO SAVEPOINT pgkit_proof; RELEASE SAVEPOINT pgkit_proof"
                                 : "ROLLBACK";
    const char* close = shared && keep ? "RELEASE SAVEPOINT pgkit_proof" : discard;
    std::string batch = wrapped ? open : "";
    if (wrapped) echo(open);
    // The message is one transaction: the pinned settings (--lock-timeout) are set in it too,
    // so that they hold behind a transaction pooler (not echoed: they change nothing).
    for (const auto& [name, value] : pinned_) {
        batch += fmt::format("{}SELECT pg_catalog.set_config({}, {}, true)", batch.empty() ? "" : ";\n",
                             quote_literal(name), quote_literal(value));
    }
    for (const auto& statement : statements) {
        echo(statement.shown);
        batch += (batch.empty() ? "" : ";\n") + statement.sql;
    }
    // A probe's last result is its query's: the closing statement goes on its own after it.
    const bool close_after = kind == Batch::probe;
    if (wrapped) echo(close);
    if (wrapped && !close_after) batch += std::string(";\n") + close;
    ResultHandle result(nullptr, &PQclear);
    try {
        result = send(batch, {});
    } catch (...) {
        // A statement failed (or was cancelled): end what the batch opened, so that the
        // session can go on (the flow looks again after a lost race).
        if (wrapped) PQclear(PQexec(connection_.get(), discard));
        throw;
    }
    if (close_after) PQclear(PQexec(connection_.get(), close));
    return result;
}

std::vector<std::string> Session::take_notice_codes() {
    return std::exchange(notice_settings_->codes, {});
}

void Session::apply_pinned_locally() {
    for (const auto& [name, value] : pinned_) {
        query("SELECT pg_catalog.set_config($1, $2, true)", {name, value});
    }
}

void Session::pin_setting(const std::string& name, const std::string& value) {
    query("SELECT pg_catalog.set_config($1, $2, false)", {name, value});
    pinned_.emplace_back(name, value);
}

}  // namespace pgkit

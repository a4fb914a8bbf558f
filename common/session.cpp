#include "common/session.hpp"

#include <fmt/format.h>

#include <cstdio>
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

void Result::expect_rows(int expected) const {
    if (rows() != expected) {
        throw std::logic_error(
            fmt::format("query returned {} rows instead of {}", rows(), expected));
    }
}

Session::Session(ConnectionHandle connection, SessionOptions options)
    : connection_(std::move(connection)), options_(options) {
    set_cancel_target(connection_.get());
}

Session::~Session() {
    if (connection_) {
        set_cancel_target(nullptr);
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

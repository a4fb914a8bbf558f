#pragma once
/// libpq owners and the one place SQL is sent. Every statement a Session sends goes through
/// Session::query (reads, run in --dry-run too) or Session::execute (changes, skipped in
/// --dry-run), so --echo and --dry-run cannot be forgotten by any tool. The one exception is
/// not here: pg-seed runs its users' files through its own ScriptSession
/// (tools/pg-seed/script_session.hpp), always inside a transaction that --dry-run rolls back.

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

class SqlError;

using ConnectionHandle = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using ResultHandle = std::unique_ptr<PGresult, decltype(&PQclear)>;

/// A successful query result. Move-only; values are read as text.
class Result {
public:
    explicit Result(ResultHandle handle) : handle_(std::move(handle)) {}

    int rows() const { return PQntuples(handle_.get()); }
    int columns() const { return PQnfields(handle_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(handle_.get(), row, column); }
    /// The value as text; "" for NULL.
    std::string_view text(int row, int column) const;
    /// The value, or nothing for NULL.
    std::optional<std::string> value(int row, int column) const;
    /// The column's index by name; throws std::logic_error when the query has no such column.
    int column(const char* name) const;
    PGresult* raw() const { return handle_.get(); }

private:
    ResultHandle handle_;
};

/// A statement as sent, and as --echo and reports show it (a password verifier masked).
struct Statement {
    std::string sql, shown;

    /// A statement with nothing to hide: shown as sent.
    static Statement plain(std::string sql) { return {sql, sql}; }
    /// Text that is the same in both.
    void append(std::string_view text);
    /// A secret: `sql` gets the text, `shown` the mask.
    void append_secret(std::string_view text, std::string_view mask = "'********'");
    bool empty() const { return sql.empty(); }
};

struct SessionOptions {
    bool echo = false;     ///< write each statement to stderr before sending it
    bool dry_run = false;  ///< do not send changes (Session::execute)
    std::string program;   ///< the tool's name, for "prog: warning: ..." lines
};

/// A connected session.
class Session {
public:
    /// What the notice receiver needs; on the heap, since a Session is moved.
    struct NoticeSettings {
        bool show_notices;
        std::string program;
        std::vector<std::string> codes;  ///< SQLSTATEs of the notices received, in order
    };

    Session(ConnectionHandle connection, SessionOptions options);
    Session(Session&&) noexcept = default;
    Session& operator=(Session&&) noexcept = default;
    ~Session();

    PGconn* raw() const { return connection_.get(); }
    int server_version() const { return PQserverVersion(connection_.get()); }
    const SessionOptions& options() const { return options_; }

    /// An SQL identifier, always double-quoted (PQescapeIdentifier).
    std::string quote_ident(std::string_view name) const;
    /// "schema"."name", or "name" without a schema.
    std::string quote_qualified(const std::optional<std::string>& schema,
                                std::string_view name) const;
    /// An SQL string literal (PQescapeLiteral), with E'' where backslashes need it.
    std::string quote_literal(std::string_view value) const;

    /// Runs a statement that reads (catalog lookups), with values as $1, $2... parameters.
    /// Runs in --dry-run too, since deciding needs it.
    Result query(std::string_view sql, const std::vector<std::optional<std::string>>& params = {});

    /// Runs a statement that changes something; in --dry-run, only records it. `shown` is what
    /// --echo and reports print instead of `sql` (to hide a password verifier).
    void execute(std::string_view sql, std::string_view shown = {});
    /// Runs statements that change something as one message, so that they commit or fail
    /// together (one transaction); each is echoed, and listed in changes(), on its own. Under
    /// --dry-run they run between BEGIN and ROLLBACK: proved, not kept. (Statements that
    /// cannot run in a transaction, such as CREATE DATABASE, go through execute(sql) instead.)
    void execute(const std::vector<Statement>& statements);
    /// Runs statements in a transaction that is rolled back, in a real run too: fails where
    /// they would, changes nothing, lists nothing in changes() (a check before a step that
    /// cannot be undone).
    void prove(const std::vector<Statement>& statements);
    /// Runs statements in a transaction, then `query` (a read without parameters) in it, and
    /// rolls it all back: what the statements would leave, as the server sees it.
    Result probe(const std::vector<Statement>& statements, std::string_view query);

    /// --dry-run of several objects: one transaction (BEGIN now, ROLLBACK at the end) holds
    /// what each would do, so that the next sees it (an extension CASCADE would have brought,
    /// a schema made just before); every proof inside it is a savepoint. Nothing without
    /// --dry-run.
    void begin_dry_run_transaction();
    void end_dry_run_transaction();

    /// Sets a parameter for the whole session (set_config), and remembers it: a RESET ALL
    /// (pg-seed, after each file) must be followed by these again (--lock-timeout).
    void pin_setting(const std::string& name, const std::string& value);
    const std::vector<std::pair<std::string, std::string>>& pinned_settings() const {
        return pinned_;
    }
    /// The pinned settings again, for the open transaction only (set_config(..., true)):
    /// behind a transaction pooler, a session setting stays with the server connection it was
    /// sent on, and the next transaction may run on another one.
    void apply_pinned_locally();

    /// The SQLSTATEs of the notices and warnings received since the last call ("00000" for
    /// DROP ... IF EXISTS's "does not exist, skipping").
    std::vector<std::string> take_notice_codes();

    /// Writes `shown` to stderr with --echo, as every statement sent is shown.
    void echo(std::string_view shown) const;

    /// The changes sent (or, in --dry-run, that would have been sent), as shown.
    const std::vector<std::string>& changes() const { return changes_; }

private:
    ResultHandle send(std::string_view sql, const std::vector<std::optional<std::string>>& params);
    /// How send_batch wraps its statements.
    enum class Batch {
        commit,   ///< one implicit transaction, kept
        dry_run,  ///< execute() under --dry-run: rolled back, or kept in the dry run's transaction
        prove,    ///< rolled back, always
        probe,    ///< rolled back after the last statement's result is read
    };
    /// The statements as one message; the last statement's result.
    ResultHandle send_batch(const std::vector<Statement>& statements, Batch kind);
    bool in_dry_run_transaction_ = false;

    ConnectionHandle connection_;
    SessionOptions options_;
    std::unique_ptr<NoticeSettings> notice_settings_;
    std::vector<std::pair<std::string, std::string>> pinned_;
    std::vector<std::string> changes_;
};

}  // namespace pgkit

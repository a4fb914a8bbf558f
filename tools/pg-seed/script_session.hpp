#pragma once
/// How pg-seed sends its users' files: statements in multi-statement messages, COPY ... FROM
/// STDIN streamed in chunks, and its own transaction control. Unlike Session::execute, these
/// run under --dry-run too: pg-seed proves a file by running it in a transaction that it then
/// rolls back (tools/pg-seed/transaction.hpp).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.hpp"
#include "common/session.hpp"

namespace pgkit {

/// A statement of a multi-statement message failed: which one (0-based), so that the caller can
/// name the file and line.
class ScriptError : public SqlError {
public:
    ScriptError(SqlError error, int statement_index, int statement_position)
        : SqlError(std::move(error)),
          statement_index_(statement_index),
          statement_position_(statement_position) {}
    int statement_index() const { return statement_index_; }
    /// PG_DIAG_STATEMENT_POSITION: 1-based character offset into the whole message, or 0.
    int statement_position() const { return statement_position_; }
    /// The server's CONTEXT field ("COPY t, line 3, column a: ..."), or "".
    std::string context;

private:
    int statement_index_;
    int statement_position_;
};

class ScriptSession {
public:
    explicit ScriptSession(Session& session) : session_(session) {}

    Session& session() const { return session_; }

    /// Runs one statement of pg-seed's own (transaction control, the history table), with
    /// values as $1, $2... parameters. A signal stops it only before it is sent, or by
    /// cancelling it: a statement that succeeded (a COMMIT) stays a success.
    void run(std::string_view sql, const std::vector<std::optional<std::string>>& params = {});

    /// Sends several statements as one message. Returns how many succeeded; throws
    /// ScriptError for the first that failed, which tells its index.
    struct BatchOutcome {
        int statements = 0;
        long long rows = 0;  ///< rows inserted, updated, deleted or copied
    };
    BatchOutcome send_batch(const std::string& sql);

    /// COPY ... FROM STDIN: start it, feed it, finish it (returns the rows copied).
    void begin_copy(const std::string& sql);
    void put_copy_data(const char* data, std::size_t size);
    long long end_copy();

    /// RESET ALL, the role and the session user too (a file's SET ROLE), then the session's
    /// pinned settings again (--lock-timeout outlives a file's SET commands).
    void reset_all();

    /// The end of a file's work in its transaction: deferred constraints are checked now, so
    /// that a failure names this file (exit 6), then the file's SET commands end with it, as
    /// they would with psql -f file by file. `in_transaction` false: a file run outside any
    /// (transaction: false), whose statements have each been checked as they committed.
    void end_file(const std::string& path, bool in_transaction = true);

private:
    Session& session_;
    unsigned copy_chunks_ = 0;
};

}  // namespace pgkit

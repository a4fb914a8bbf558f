#include "tools/pg-seed/transaction.hpp"

namespace pgkit {

Transaction::Transaction(ScriptSession& script) : script_(script) { script_.run("BEGIN"); }

void Transaction::finish() {
    open_ = false;  // a failed COMMIT has ended the transaction too
    script_.run(script_.session().options().dry_run ? "ROLLBACK" : "COMMIT");
}

Transaction::~Transaction() {
    if (!open_) return;
    // Unwinding from an error or a signal: end the transaction now if the connection can
    // take a statement (not in the middle of a COPY or of a query); else it ends with the
    // connection. Sent directly: a destructor must not throw, and a pending signal would
    // make ScriptSession::run throw.
    PGconn* connection = script_.session().raw();
    const PGTransactionStatusType status = PQtransactionStatus(connection);
    if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
        script_.session().echo("ROLLBACK");
        PQclear(PQexec(connection, "ROLLBACK"));
    }
}

}  // namespace pgkit

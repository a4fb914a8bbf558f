#include "tools/pg-seed/transaction.hpp"

#include "common/interrupt.hpp"

namespace pgkit {

Transaction::Transaction(ScriptSession& script) : script_(script) {
    script_.run("BEGIN");
    // Behind a transaction pooler this transaction may run on another server connection than
    // the one that got the session's settings: they are set for the transaction too. (A
    // failure here leaves no guard to roll back: end the transaction before passing it on.)
    try {
        script_.session().apply_pinned_locally();
    } catch (...) {
        if (interrupted_signal() == 0) PQclear(PQexec(script_.session().raw(), "ROLLBACK"));
        throw;
    }
}

void Transaction::finish() {
    // A failed COMMIT ends the transaction too (the destructor then finds it idle); one that
    // was never sent (a signal just before) leaves it to the destructor.
    script_.run(script_.session().options().dry_run ? "ROLLBACK" : "COMMIT");
    open_ = false;
}

Transaction::~Transaction() {
    // After a signal, exit at once: the server rolls back when the connection closes, and a
    // ROLLBACK sent now would wait on a server that may not answer.
    if (!open_ || interrupted_signal() != 0) return;
    // Unwinding from an error: end the transaction now if the connection can take a
    // statement (not in the middle of a COPY or of a query); else it ends with the
    // connection. Sent directly, since a destructor must not throw.
    PGconn* connection = script_.session().raw();
    const PGTransactionStatusType status = PQtransactionStatus(connection);
    if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
        script_.session().echo("ROLLBACK");
        PQclear(PQexec(connection, "ROLLBACK"));
    }
}

}  // namespace pgkit

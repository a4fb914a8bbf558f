#pragma once
/// pg-seed's transactions, as a guard: BEGIN when made; finish() commits, or rolls back under
/// --dry-run; a guard left unfinished (an error, a signal) rolls back what it holds.

#include "tools/pg-seed/script_session.hpp"

namespace pgkit {

class Transaction {
public:
    explicit Transaction(ScriptSession& script);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    /// COMMIT, or ROLLBACK under --dry-run, which proves a load and keeps nothing.
    void finish();

private:
    ScriptSession& script_;
    bool open_ = true;
};

}  // namespace pgkit

#pragma once
/// --once: the history table records each applied file by name and checksum, so that a run
/// skips what was applied and refuses (exit 5) a file changed since.

#include <map>
#include <optional>
#include <string>

#include "tools/pg-seed/inputs.hpp"
#include "tools/pg-seed/script_session.hpp"

namespace pgkit {

struct History {
    std::string table;                            ///< quoted
    std::map<std::string, std::string> recorded;  ///< path -> sha256
    /// The table has its applied_by column (a table made before it had none, and only its
    /// owner can add it).
    bool records_role = true;
};

/// First thing in a transaction just begun: waits for the history's advisory lock (concurrent
/// runs take turns until the transaction ends; while waiting, the transaction is ended and
/// begun again), creates the table if it is missing (adds applied_by to one made by an older
/// version, when the role may), and reads it.
/// `table`: --history-table, unqualified meaning public (default public.pg_seed_history).
History open_history(ScriptSession& script, const std::optional<std::string>& table);

/// Records an applied file (again, with --reapply-changed), and the role that connected: the
/// file's own SET ROLE ended with it.
void record(ScriptSession& script, const History& history, const SeedFile& file);

/// Marks a recorded file as skipped; refuses (exit 5) when it has changed, unless
/// `reapply_changed`.
void decide_once(SeedFile& file, const History& history, bool reapply_changed);

}  // namespace pgkit

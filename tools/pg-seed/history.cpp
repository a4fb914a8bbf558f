#include "tools/pg-seed/history.hpp"

#include <fmt/format.h>

#include "common/errors.hpp"
#include "tools/pg-seed/seed_input.hpp"

namespace pgkit {

History open_history(ScriptSession& script, const std::optional<std::string>& table_name) {
    Session& session = script.session();
    History history;
    // Unqualified means public: one table, one lock key, however it is spelled.
    TableName table = TableName::parse(table_name.value_or("public.pg_seed_history"));
    if (!table.schema) table.schema = "public";
    const std::string name = table.text();
    history.table = session.quote_qualified(table.schema, table.name);
    // Concurrent runs (parallel CI jobs) take turns: the lock lasts until the transaction ends.
    session.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext($1))",
                  {"pg-seed " + name});
    script.run("CREATE TABLE IF NOT EXISTS " + history.table +
               " (path text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL "
               "DEFAULT pg_catalog.now(), rows bigint NOT NULL, applied_by text)");
    // A table of an older pg-seed has no applied_by: its owner (or a member) adds it.
    const Result columns = session.query(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = c.oid AND attname = "
        "'applied_by' AND NOT attisdropped), pg_catalog.pg_has_role(c.relowner, 'USAGE') "
        "FROM pg_catalog.pg_class c WHERE c.oid = $1::pg_catalog.regclass",
        {history.table});
    if (columns.rows() == 1 && columns.text(0, 0) != "t") {
        history.records_role = columns.text(0, 1) == "t";
        if (history.records_role) {
            script.run("ALTER TABLE " + history.table + " ADD COLUMN IF NOT EXISTS applied_by text");
        }
    }
    const Result rows = session.query("SELECT path, sha256 FROM " + history.table);
    for (int row = 0; row < rows.rows(); ++row) {
        history.recorded[std::string(rows.text(row, 0))] = std::string(rows.text(row, 1));
    }
    return history;
}

void record(ScriptSession& script, const History& history, const SeedFile& file) {
    // SESSION_USER is the role that connected (grammar, not a name search_path could shadow).
    if (history.records_role) {
        script.run("INSERT INTO " + history.table +
                       " (path, sha256, rows, applied_by) VALUES ($1, $2, $3, SESSION_USER) ON "
                       "CONFLICT (path) DO UPDATE SET sha256 = EXCLUDED.sha256, rows = "
                       "EXCLUDED.rows, applied_at = pg_catalog.now(), applied_by = EXCLUDED.applied_by",
                   {file.recorded, file.checksum, std::to_string(file.rows)});
        return;
    }
    script.run("INSERT INTO " + history.table +
                   " (path, sha256, rows) VALUES ($1, $2, $3) ON CONFLICT (path) DO UPDATE SET "
                   "sha256 = EXCLUDED.sha256, rows = EXCLUDED.rows, applied_at = pg_catalog.now()",
               {file.recorded, file.checksum, std::to_string(file.rows)});
}

void decide_once(SeedFile& file, const History& history, bool reapply_changed) {
    const auto found = history.recorded.find(file.recorded);
    if (found == history.recorded.end()) return;
    if (found->second == file.checksum) {
        file.action = FileAction::skipped;
    } else if (!reapply_changed) {
        throw Error(Exit::conflict, fmt::format("\"{}\" has changed since it was applied", file.path),
                    fmt::format("Its SHA-256 was {}, it is now {}.", found->second, file.checksum),
                    "Applied seed files are not edited: add a new file, or pass "
                    "--reapply-changed to apply it again.");
    }
}

}  // namespace pgkit

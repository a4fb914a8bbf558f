#include "tools/pg-seed/history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/errors.hpp"
#include "common/interrupt.hpp"
#include "tools/pg-seed/seed_input.hpp"

namespace pgkit {
namespace {

/// Takes the history's transaction-scoped advisory lock in the transaction just begun (nothing
/// done in it yet), without waiting inside the server: a run holding the lock may be building
/// an index CONCURRENTLY (a file marked transaction: false), which waits for every transaction
/// that had a snapshot when it looked to end, so a transaction that waits for the lock, or even
/// only asks for it again and again, would never end: a deadlock the server cannot see. So each
/// try that fails ends its transaction, and the next try is made in a new one. --lock-timeout
/// bounds the wait, as it would a lock the server waits for.
void wait_for_lock(Session& session, const std::string& key) {
    using Clock = std::chrono::steady_clock;
    std::optional<std::chrono::milliseconds> limit;
    for (const auto& [name, value] : session.pinned_settings()) {
        if (name == "lock_timeout" && std::stoll(value) > 0) limit = std::chrono::milliseconds(std::stoll(value));
    }
    const auto started = Clock::now();
    auto pause = std::chrono::milliseconds(10);
    while (session.query("SELECT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext($1))", {key})
               .text(0, 0) != "t") {
        if (limit && Clock::now() - started >= *limit) {
            throw Error(Exit::server, "the history table's lock was not granted within --lock-timeout",
                        "Another pg-seed --once run with the same history table holds it.",
                        "Try again later, or raise --lock-timeout.", "55P03");
        }
        session.query("ROLLBACK");
        throw_if_interrupted();
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(250));
        session.query("BEGIN");
        session.apply_pinned_locally();
    }
}

}  // namespace

History open_history(ScriptSession& script, const std::optional<std::string>& table_name) {
    Session& session = script.session();
    History history;
    // Unqualified means public: one table, one lock key, however it is spelled.
    TableName table = TableName::parse(table_name.value_or("public.pg_seed_history"));
    if (!table.schema) table.schema = "public";
    const std::string name = table.text();
    history.table = session.quote_qualified(table.schema, table.name);
    // Concurrent runs (parallel CI jobs) take turns: the lock lasts until the transaction ends.
    wait_for_lock(session, "pg-seed " + name);
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

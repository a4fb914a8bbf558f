/// pg-seed: loads SQL scripts, pg_dump plain output and CSV files, atomically and, with --once,
/// once.
///
/// Everything is checked before anything is sent: every file exists and can be read, every SQL
/// file splits into statements with no psql meta-command but pg_dump's \restrict pair. Then,
/// in one transaction (or one per file with --per-file): SQL statements go in multi-statement
/// messages of about 64 KiB, COPY ... FROM stdin blocks and CSV files stream through COPY in
/// 64 KiB chunks, and a failure names the file and line. Its parts are in tools/pg-seed/.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "common/tool.hpp"
#include "tools/pg-seed/csv_load.hpp"
#include "tools/pg-seed/history.hpp"
#include "tools/pg-seed/inputs.hpp"
#include "tools/pg-seed/parallel_csv.hpp"
#include "tools/pg-seed/progress.hpp"
#include "tools/pg-seed/script_session.hpp"
#include "tools/pg-seed/sql_load.hpp"
#include "tools/pg-seed/transaction.hpp"

namespace {

using namespace pgkit;
using Clock = std::chrono::steady_clock;

struct Request {
    std::vector<std::string> paths;
    std::optional<std::string> history_table;
    CsvOptions csv;
    bool per_file = false, once = false, reapply_changed = false, progress = false;
    std::size_t jobs = 1;
};

/// Everything that can be checked before connecting: the options, the files, the tables the
/// CSV files name, and (--once) that no two files would be recorded under one name.
std::vector<SeedFile> check_request(Tool& tool, const Request& request) {
    if (request.paths.empty()) throw UsageError("no file or directory to load");
    if (request.reapply_changed && !request.once) throw UsageError("--reapply-changed needs --once");
    if (request.history_table && !request.once) throw UsageError("--history-table needs --once");
    if (request.jobs > 1 && !request.per_file) {
        throw UsageError("--jobs needs --per-file",
                         "One transaction is one connection: loading over several connections "
                         "commits file by file (--per-file), so ask for that.");
    }
    if (request.jobs > 1 && request.once) {
        throw UsageError("--jobs cannot be combined with --once",
                         "--once records each file in the transaction that loads it, one file "
                         "at a time; load the big files without --once.");
    }
    std::vector<std::string> warnings;
    std::vector<SeedFile> files = collect_inputs(request.paths, warnings);
    for (const auto& warning : warnings) tool.warn(warning);
    if (request.csv.table) TableName::parse(*request.csv.table).check("table name");
    if (request.history_table) TableName::parse(*request.history_table).check("history table name");
    if (request.csv.table && (files.size() != 1 || files.front().kind == Kind::sql)) {
        throw UsageError("--table names the target of a single CSV or TSV file");
    }
    if (!request.csv.table) {
        // The table a CSV file names must be a whole name: never cut short by the server.
        for (const auto& file : files) {
            if (file.kind == Kind::sql) continue;
            const auto table = table_of_file(file.recorded);
            try {
                if (!table) throw UsageError("it names no table");
                table->check("table name");
            } catch (const UsageError& error) {
                throw Error(Exit::bad_input,
                            fmt::format("\"{}\": no table to load it into: {}", file.path, error.what()),
                            {}, "Name CSV files after their table (020_users.csv loads into "
                                "users), or give --table for a single file.");
            }
        }
    }
    // A file marked "-- transaction: false" runs outside any transaction: only where the user
    // gave up all-or-nothing for the run (--per-file).
    for (auto& file : files) {
        if (file.kind != Kind::sql) continue;
        file.no_transaction_line = transaction_false_line(file.path);
        if (file.no_transaction_line != 0 && !request.per_file) {
            throw Error(Exit::bad_input,
                        fmt::format("{}:{}: a file marked \"transaction: false\" needs --per-file",
                                    file.path, file.no_transaction_line),
                        {},
                        "Such a file runs outside any transaction, each statement committing on "
                        "its own, which breaks all-or-nothing: pass --per-file to allow it.");
        }
    }
    if (request.once) {
        std::map<std::string, std::string> seen;
        for (const auto& file : files) {
            const auto [at, fresh] = seen.emplace(file.recorded, file.path);
            if (!fresh) {
                throw UsageError(fmt::format("\"{}\" and \"{}\" would be recorded under one name, "
                                             "\"{}\"", at->second, file.path, file.recorded),
                                 "With --once, give files whose names differ.");
            }
        }
    }
    // Read through first where files commit one by one (a broken later file must stop the run
    // before an earlier one commits), or where the checksum needs reading anyway (--once);
    // else SQL files are checked as they load: a failure rolls everything back, and a big
    // dump is read once, not twice.
    const bool check_first = (request.per_file && !tool.behaviour().dry_run) || request.once;
    for (auto& file : files) check_file(file, request.once, check_first);
    return files;
}

/// With --per-file, a failure leaves the files before it committed: the error says which
/// (ParallelCsv's own detail already does for the files it loads), and so does its JSON; and
/// of a file marked "transaction: false" that failed (`partly`), what ran before the failure.
void name_committed(Error& error, const std::vector<SeedFile>& files, bool detail_given,
                    const SeedFile* partly) {
    std::vector<std::string> committed;
    for (const auto& file : files) {
        if (file.action == FileAction::applied) committed.push_back(file.path);
    }
    error.report()["committed"] = committed;
    if (partly != nullptr) error.report()["partly_committed"] = partly->path;
    if (detail_given) return;
    std::string detail = error.detail();
    if (!detail.empty()) detail += "\n";
    if (!committed.empty()) {
        detail += "Committed before it: " + join(committed) + ".";
    } else if (partly == nullptr) {
        detail += "Nothing was committed.";
    }
    if (partly != nullptr) {
        if (!committed.empty()) detail += "\n";
        detail += fmt::format("The statements of {} before the one that failed stay committed: "
                              "it is marked \"transaction: false\".",
                              partly->path);
    }
    error.set_detail(detail);
}

Outcome report(const std::vector<SeedFile>& files, bool dry_run, double seconds) {
    long long statements = 0, rows = 0;
    int applied = 0, skipped = 0;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& file : files) {
        statements += file.statements;
        rows += file.rows;
        (file.action == FileAction::skipped ? skipped : applied) += 1;
        nlohmann::json item = {{"path", file.path}, {"recorded_as", file.recorded},
                               {"kind", file.kind == Kind::sql ? "sql" : "csv"},
                               {"action", file_action_name(file.action)},
                               {"statements", file.statements}, {"rows", file.rows},
                               {"seconds", file.seconds}};
        if (!file.table.empty()) item["table"] = file.table;
        if (!file.checksum.empty()) item["sha256"] = file.checksum;
        list.push_back(std::move(item));
    }
    Outcome outcome;
    auto plural = [](long long count) { return count == 1 ? "" : "s"; };
    if (applied == 0 && skipped > 0) {
        outcome.text = fmt::format("nothing to seed: {} file{} already applied", skipped,
                                   plural(skipped));
    } else {
        outcome.text = fmt::format("{} {} file{}{}: {} statement{}, {} row{} in {:.2f} s{}",
                                   dry_run ? "checked" : "seeded", applied, plural(applied),
                                   skipped > 0 ? fmt::format(" ({} already applied)", skipped) : "",
                                   statements, plural(statements), rows, plural(rows), seconds,
                                   dry_run ? " (rolled back: --dry-run)" : "");
    }
    outcome.json = {{"files", list}, {"statements", statements}, {"rows", rows},
                    {"seconds", seconds}, {"dry_run", dry_run}};
    return outcome;
}

Outcome seed(Tool& tool, const Request& request) {
    std::vector<SeedFile> files = check_request(tool, request);
    const auto started = Clock::now();
    // One connector for every connection: a password typed at the prompt is asked once.
    Connector connector = tool.connector();
    const std::string dbname = tool.connection_options().dbname.value_or("");
    Session session = connector.connect(dbname, /*secure_search_path=*/false);
    ScriptSession script(session);
    const bool dry_run = session.options().dry_run;
    // --dry-run validates in one transaction even with --per-file, so that a later file sees
    // what an earlier one made; it is all rolled back.
    const bool per_file = request.per_file && !dry_run;
    std::optional<Transaction> transaction;
    std::optional<History> history;
    bool told_of_old_history = false;
    auto begin = [&] {
        transaction.emplace(script);
        if (request.once) history = open_history(script, request.history_table);
        if (history && !history->records_role && !told_of_old_history) {
            told_of_old_history = true;
            tool.warn(fmt::format("{} has no applied_by column, and only its owner can add it: "
                                  "the role that applies each file is not recorded",
                                  history->table));
        }
    };
    auto finish = [&] {
        transaction->finish();
        transaction.reset();
    };

    Progress progress(request.progress ||
                      (::isatty(STDERR_FILENO) == 1 && !tool.behaviour().quiet));
    if (!per_file) begin();
    if (request.once) {
        if (per_file) begin();
        for (auto& file : files) decide_once(file, *history, request.reapply_changed);
        if (per_file) finish();
    }
    // A file marked "transaction: false" (--per-file only; checked before connecting): no
    // transaction around it, and under --once the history's lock held for the session while it
    // is decided, run and recorded. A dry run cannot undo it, so it only checks it.
    const SeedFile* partly_committed = nullptr;  ///< a marked file that failed midway
    auto load_outside_transaction = [&](SeedFile& file, std::size_t index) {
        const auto file_started = Clock::now();
        if (dry_run) {
            check_file(file, /*want_checksum=*/false, /*check_sql=*/true);
            tool.warn(fmt::format("{}: not run: it is marked \"transaction: false\", and a dry run "
                                  "cannot undo what it would commit",
                                  file.path));
            mark_done(file, FileAction::checked, file_started);
            return;
        }
        // --once: the file is decided and recorded in a transaction of a second connection,
        // which holds the history's lock while the file runs on this one, so that a concurrent
        // run waits rather than running it too. (A transaction-scoped lock: a transaction pooler
        // keeps one server connection for it, where a session lock could be left behind.)
        std::optional<Session> ledger_session;
        std::optional<ScriptSession> ledger;
        std::optional<Transaction> ledger_transaction;
        std::optional<History> ledger_history;
        if (request.once) {
            ledger_session.emplace(connector.connect(dbname, /*secure_search_path=*/false));
            ledger.emplace(*ledger_session);
            ledger_transaction.emplace(*ledger);
            ledger_history = open_history(*ledger, request.history_table);
            // It waits, idle in its transaction, for as long as the file runs: the server must
            // not end it for that (a pooler's idle_transaction_timeout still can).
            ledger_session->query(
                "SELECT pg_catalog.set_config('idle_in_transaction_session_timeout', '0', true)");
            decide_once(file, *ledger_history, request.reapply_changed);
            if (file.action == FileAction::skipped) {
                ledger_transaction->finish();
                return;
            }
        }
        progress.begin(file.path, index, files.size());
        try {
            partly_committed = &file;
            load_sql(script, file, progress);
        } catch (...) {
            progress.end();
            throw;
        }
        progress.end();
        script.end_file(file.path, /*in_transaction=*/false);
        if (request.once) {
            try {
                record(*ledger, *ledger_history, file);
                ledger_transaction->finish();
            } catch (Error& error) {
                // Its statements all committed: it is among the committed files, unrecorded.
                partly_committed = nullptr;
                mark_done(file, FileAction::applied, file_started);
                std::string detail = error.detail();
                if (!detail.empty()) detail += "\n";
                error.set_detail(detail + fmt::format("{} was applied, but could not be recorded: "
                                                      "the next --once run applies it again.",
                                                      file.path));
                throw;
            }
        }
        partly_committed = nullptr;
        mark_done(file, FileAction::applied, file_started);
    };
    std::optional<ParallelCsv> parallel;
    bool parallel_failed = false;
    if (per_file && request.jobs > 1) {
        parallel.emplace(connector, dbname, script, request.jobs, request.csv);
    }
    try {
        std::size_t index = 0;
        for (std::size_t at = 0; at < files.size(); ++at) {
            auto& file = files[at];
            ++index;
            if (file.action == FileAction::skipped) continue;
            if (parallel && file.kind != Kind::sql) {
                // The CSV files up to the next SQL file load at once (an SQL file may make the
                // tables of the CSV files after it).
                std::vector<SeedFile*> group;
                while (at < files.size() && files[at].kind != Kind::sql) group.push_back(&files[at++]);
                --at;
                index += group.size() - 1;
                parallel_failed = true;  // its own detail names what it committed
                parallel->load(group);
                parallel_failed = false;
                continue;
            }
            if (file.no_transaction_line != 0) {
                load_outside_transaction(file, index);
                continue;
            }
            if (per_file) {
                begin();
                if (request.once) {
                    // Another run may have applied it since the start: decide again, under the lock.
                    decide_once(file, *history, request.reapply_changed);
                    if (file.action == FileAction::skipped) {
                        finish();
                        continue;
                    }
                }
            }
            const auto file_started = Clock::now();
            progress.begin(file.path, index, files.size());
            try {
                if (file.kind == Kind::sql) {
                    load_sql(script, file, progress);
                } else {
                    load_csv(script, file, request.csv, progress);
                }
            } catch (...) {
                progress.end();
                throw;
            }
            progress.end();
            script.end_file(file.path);
            if (request.once) record(script, *history, file);
            if (per_file) finish();
            mark_done(file, dry_run ? FileAction::checked : FileAction::applied, file_started);
        }
    } catch (Error& error) {
        if (per_file) name_committed(error, files, parallel_failed, partly_committed);
        throw;
    }
    if (!per_file) finish();
    return report(files, dry_run, std::chrono::duration<double>(Clock::now() - started).count());
}

}  // namespace

int main(int argc, char** argv) {
    Tool tool({.name = "pg-seed",
               .purpose = "pg-seed loads SQL, pg_dump and CSV files into a PostgreSQL database.",
               .usage = {"pg-seed [OPTION]... PATH..."},
               .closing = "By default, all files load in one transaction: all or nothing. A "
                          "directory's files\nload in name order; *.sql runs as psql -f would, "
                          "*.csv and *.tsv load with COPY\ninto the table the file is named "
                          "after (020_users.csv -> users).",
               .database_option = DatabaseOption::dbname});
    Request request;
    CLI::App& app = tool.app();
    app.add_option("--table", request.csv.table, "target table of a single CSV file")
        ->type_name("NAME");
    app.add_flag("--no-header", request.csv.no_header,
                 "CSV files have no header line; load columns in table order");
    app.add_flag("--truncate", request.csv.truncate, "empty each CSV target table first");
    app.add_flag("--per-file", request.per_file, "commit after each file instead of once");
    app.add_option("-j,--jobs", request.jobs,
                   "with --per-file, load CSV files over N connections at once")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}).description(""));
    app.add_flag("--once", request.once, "record applied files and skip them next time");
    app.add_option("--history-table", request.history_table,
                   "where --once records files (default public.pg_seed_history)")
        ->type_name("NAME");
    app.add_flag("--reapply-changed", request.reapply_changed,
                 "with --once, apply a changed file again instead of failing");
    app.add_flag("--progress", request.progress,
                 "show progress on stderr even when it is not a terminal");
    app.add_option("paths", request.paths)->group("");
    return tool.run(argc, argv, [&]() -> Outcome { return seed(tool, request); });
}

#pragma once
/// --jobs N with --per-file: CSV files load over N connections at once, each file in its own
/// transaction. A big plain file (without --truncate, which must empty and fill a table in one
/// transaction) is split at row boundaries into one part per connection; its parts commit
/// together once all have loaded, so a failure in any part leaves nothing of the file.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/connection.hpp"
#include "tools/pg-seed/csv_load.hpp"
#include "tools/pg-seed/inputs.hpp"
#include "tools/pg-seed/script_session.hpp"
#include "tools/pg-seed/transaction.hpp"

namespace pgkit {

/// A part of a CSV file split over connections: bytes [begin, end), starting at file line
/// `first_line`.
struct Part {
    std::size_t begin, end, first_line;
};

/// Splits a plain CSV file's data (after `plan.body_offset`, up to `size`) into up to `count`
/// parts of about equal size, each starting at the beginning of a row. Inside a quoted field
/// is the parity of the double quotes seen since the data began (COPY's own rule), so a line
/// break inside a field is never a cut.
std::vector<Part> split_rows(const std::string& path, const CsvPlan& plan, std::size_t size,
                             std::size_t count);

class ParallelCsv {
public:
    /// `first`: the run's own connection, the first of the N; the others are opened with
    /// `connector` when needed.
    ParallelCsv(Connector& connector, std::string dbname, ScriptSession& first, std::size_t jobs,
                const CsvOptions& options);
    ~ParallelCsv();

    /// Loads consecutive CSV files; on a failure, the error's detail says which files (or
    /// which lines of a split file) were committed.
    void load(const std::vector<SeedFile*>& files);

    /// Files this size and up (plain, without --truncate) are split over the connections.
    static constexpr std::size_t split_from = 16 * 1024 * 1024;

private:
    using Clock = std::chrono::steady_clock;

    /// A connection opened for the run, beside the first.
    struct Connection {
        std::unique_ptr<Session> session;
        std::unique_ptr<ScriptSession> script;
    };
    struct Slot {
        ScriptSession* script = nullptr;
        std::unique_ptr<Transaction> transaction;
        std::unique_ptr<CsvLoad> load;
        SeedFile* file = nullptr;
        const Part* part = nullptr;  ///< for a split file
        bool waiting = false;        ///< a part loaded, its transaction open until all have
        Clock::time_point started;
    };
    struct Split {
        SeedFile* file = nullptr;
        CsvPlan plan;
        std::vector<Part> parts;
        std::size_t loaded = 0;
        long long rows = 0;
    };

    ScriptSession& script(std::size_t index);
    bool splittable(const SeedFile& file) const;
    void start_whole(Slot& slot, SeedFile& file);
    void start_split(SeedFile& file);
    void complete(Slot& slot);
    /// Commits every part of the split file, in order.
    void commit_split();
    void run(const std::vector<SeedFile*>& files);

    Connector& connector_;
    std::string dbname_;
    const CsvOptions& options_;
    std::size_t jobs_;
    std::vector<ScriptSession*> scripts_;
    std::vector<Connection> opened_;
    std::vector<Slot> slots_;  ///< after the connections: ended before them
    Split split_;
    std::vector<std::string> committed_;
};

}  // namespace pgkit

#include "tools/pg-seed/parallel_csv.hpp"

#include <fmt/format.h>

#include <poll.h>

#include <algorithm>

#include "common/errors.hpp"
#include "common/interrupt.hpp"
#include "common/text.hpp"
#include "tools/pg-seed/byte_source.hpp"

namespace pgkit {

std::vector<Part> split_rows(const std::string& path, const CsvPlan& plan, std::size_t size,
                             std::size_t count) {
    std::vector<Part> parts{{plan.body_offset, size, plan.body_line}};
    if (count < 2 || size <= plan.body_offset) return parts;
    const std::size_t step = (size - plan.body_offset) / count;
    auto source = open_byte_range(path, plan.body_offset, size);
    std::vector<char> buffer(LineReader::chunk_size);
    std::size_t position = plan.body_offset, quotes = 0, lines = 0;
    std::size_t target = plan.body_offset + step;
    bool seeking = false;  // past the target: cut at the next line end outside quotes
    while (parts.size() < count) {
        const std::size_t got = source->read(buffer.data(), buffer.size());
        if (got == 0) break;
        const char* data = buffer.data();
        std::size_t at = 0;
        while (at < got && parts.size() < count) {
            if (!seeking) {
                const std::size_t upto = std::min(got, at + (target > position + at ? target - (position + at) : 0));
                quotes += static_cast<std::size_t>(std::count(data + at, data + upto, '"'));
                lines += static_cast<std::size_t>(std::count(data + at, data + upto, '\n'));
                at = upto;
                if (position + at >= target) seeking = true;
                continue;
            }
            const char c = data[at++];
            if (c == '"') {
                ++quotes;
            } else if (c == '\n') {
                ++lines;
                if (quotes % 2 == 0) {
                    const std::size_t cut = position + at;
                    if (cut >= size) break;
                    parts.back().end = cut;
                    parts.push_back({cut, size, plan.body_line + lines});
                    target = cut + step;
                    seeking = false;
                }
            }
        }
        position += got;
    }
    return parts;
}

ParallelCsv::ParallelCsv(Connector& connector, std::string dbname, ScriptSession& first,
                         std::size_t jobs, const CsvOptions& options)
    : connector_(connector), dbname_(std::move(dbname)), options_(options), jobs_(jobs) {
    scripts_.push_back(&first);
}

ParallelCsv::~ParallelCsv() = default;

void ParallelCsv::load(const std::vector<SeedFile*>& files) {
    try {
        run(files);
    } catch (Error& error) {
        std::string detail = error.detail();
        if (!detail.empty()) detail += "\n";
        detail += committed_.empty()
                      ? "Nothing was committed by the files loading in parallel with it."
                      : "Committed: " + join(committed_) + ".";
        error.set_detail(detail);
        throw;
    }
}

ScriptSession& ParallelCsv::script(std::size_t index) {
    while (scripts_.size() <= index) {
        Connection connection;
        connection.session = std::make_unique<Session>(
            connector_.connect(dbname_, /*secure_search_path=*/false));
        connection.script = std::make_unique<ScriptSession>(*connection.session);
        scripts_.push_back(connection.script.get());
        opened_.push_back(std::move(connection));
    }
    return *scripts_[index];
}

bool ParallelCsv::splittable(const SeedFile& file) const {
    return jobs_ > 1 && !options_.truncate && compression_of(file.path) == Compression::none &&
           file_size(file.path) >= split_from;
}

void ParallelCsv::start_whole(Slot& slot, SeedFile& file) {
    ScriptSession& on = *slot.script;
    slot.transaction = std::make_unique<Transaction>(on);
    const CsvPlan plan = plan_csv(on.session(), file, options_);
    if (options_.truncate) truncate_for(on, file, plan);
    slot.file = &file;
    slot.part = nullptr;
    slot.started = Clock::now();
    slot.load = std::make_unique<CsvLoad>(on, file, plan, whole_file(file, plan), false);
}

void ParallelCsv::start_split(SeedFile& file) {
    split_ = Split{};
    split_.file = &file;
    split_.plan = plan_csv(slots_[0].script->session(), file, options_);
    split_.parts = split_rows(file.path, split_.plan, file_size(file.path), slots_.size());
    for (std::size_t i = 0; i < split_.parts.size(); ++i) {
        Slot& slot = slots_[i];
        const Part& part = split_.parts[i];
        slot.transaction = std::make_unique<Transaction>(*slot.script);
        slot.file = &file;
        slot.part = &part;
        slot.started = Clock::now();
        CsvSource source;
        source.bytes = open_byte_range(file.path, part.begin, part.end);
        source.empty_first_line = true;  // for COPY's HEADER: the part's rows have none
        source.first_line = part.first_line;
        slot.load = std::make_unique<CsvLoad>(*slot.script, file, split_.plan, std::move(source),
                                              false);
    }
}

void ParallelCsv::complete(Slot& slot) {
    SeedFile& file = *slot.file;
    const long long rows = slot.load->finish();
    slot.load.reset();
    slot.script->end_file(file.path);
    if (slot.part == nullptr) {
        slot.transaction->finish();
        slot.transaction.reset();
        file.rows += rows;
        file.statements = 1;
        mark_done(file, FileAction::applied, slot.started);
        committed_.push_back(file.path);
        slot.file = nullptr;
        return;
    }
    slot.waiting = true;
    split_.rows += rows;
    if (++split_.loaded < split_.parts.size()) return;
    commit_split();
    file.rows += split_.rows;
    file.statements = static_cast<long long>(split_.parts.size());
    mark_done(file, FileAction::applied, slot.started);
    committed_.push_back(file.path);
}

void ParallelCsv::commit_split() {
    // Every part loaded: commit them one after another. Only a failure between these commits
    // (the server gone) can leave part of the file in.
    const std::string& path = split_.file->path;
    std::vector<std::string> lines_in;
    for (auto& holder : slots_) {
        if (!holder.waiting) continue;
        const Part& part = *holder.part;
        try {
            holder.transaction->finish();
        } catch (Error& error) {
            error.set_detail(lines_in.empty()
                                 ? fmt::format("Nothing of {} was committed.", path)
                                 : fmt::format("Of {}, lines {} were committed; the rest was not.",
                                               path, join(lines_in)));
            throw;
        }
        holder.transaction.reset();
        const std::size_t index = static_cast<std::size_t>(&part - split_.parts.data());
        lines_in.push_back(index + 1 == split_.parts.size()
                               ? fmt::format("{} to the end", part.first_line)
                               : fmt::format("{}-{}", part.first_line,
                                             split_.parts[index + 1].first_line - 1));
        holder.waiting = false;
        holder.file = nullptr;
        holder.part = nullptr;
    }
}

namespace {

/// The connections of a parallel load in nonblocking mode while it runs, so that a COPY whose
/// server is busy never holds up the others: a connection gets its next chunk only once libpq
/// has handed the last one to the kernel. Blocking again afterwards (PQexec blocks either way).
class Nonblocking {
public:
    explicit Nonblocking(std::vector<PGconn*> connections) : connections_(std::move(connections)) {
        for (PGconn* connection : connections_) PQsetnonblocking(connection, 1);
    }
    ~Nonblocking() {
        for (PGconn* connection : connections_) {
            // Whatever is still queued goes first (a failed run's connections may refuse).
            while (PQflush(connection) == 1) {
                pollfd wait{PQsocket(connection), POLLOUT | POLLIN, 0};
                if (poll(&wait, 1, 1000) <= 0) break;
                if ((wait.revents & POLLIN) != 0 && PQconsumeInput(connection) == 0) break;
            }
            PQsetnonblocking(connection, 0);
        }
    }
    Nonblocking(const Nonblocking&) = delete;
    Nonblocking& operator=(const Nonblocking&) = delete;

private:
    std::vector<PGconn*> connections_;
};

}  // namespace

void ParallelCsv::run(const std::vector<SeedFile*>& files) {
    // Big files are split only when there are fewer of them than connections: with as many,
    // each connection loads whole files, as that many psql \copy would (splitting would read
    // each file twice and keep every connection waiting for the slowest part of each file).
    const auto big = std::count_if(files.begin(), files.end(),
                                   [&](const SeedFile* file) { return splittable(*file); });
    const bool split_any = big > 0 && static_cast<std::size_t>(big) < jobs_;
    const bool any_split = split_any;
    const std::size_t connections = any_split ? jobs_ : std::min(jobs_, files.size());
    slots_.clear();
    slots_.resize(connections);
    std::vector<PGconn*> raw;
    for (std::size_t i = 0; i < connections; ++i) {
        slots_[i].script = &script(i);
        raw.push_back(slots_[i].script->session().raw());
    }
    const Nonblocking nonblocking(raw);
    auto idle = [](const Slot& slot) { return slot.file == nullptr; };
    std::vector<pollfd> full;  ///< connections whose last chunk is still in libpq's buffer
    std::size_t next = 0;
    while (true) {
        while (next < files.size()) {
            SeedFile& file = *files[next];
            if (split_any && splittable(file)) {
                if (!std::all_of(slots_.begin(), slots_.end(), idle)) break;
                start_split(file);
                ++next;
                continue;
            }
            const auto free = std::find_if(slots_.begin(), slots_.end(), idle);
            if (free == slots_.end()) break;
            start_whole(*free, file);
            ++next;
        }
        bool busy = false, progressed = false;
        full.clear();
        for (auto& slot : slots_) {
            if (slot.file == nullptr || slot.waiting) continue;
            busy = true;
            // A connection still sending its last chunk waits (a failed one goes on, to its
            // error; so does every one after Ctrl-C, which ends its COPY).
            PGconn* connection = slot.script->session().raw();
            if (PQflush(connection) == 1 && interrupted_signal() == 0) {
                full.push_back({PQsocket(connection), POLLOUT | POLLIN, 0});
                continue;
            }
            progressed = true;
            if (!slot.load->pump()) complete(slot);
        }
        if (!busy && next == files.size()) break;
        if (!progressed && !full.empty()) {
            // Every busy connection is full: wait until one can take more (or the server says
            // something, such as an error, which is read now and reported at the COPY's end).
            if (poll(full.data(), full.size(), 100) > 0) {
                for (std::size_t i = 0; i < full.size(); ++i) {
                    if ((full[i].revents & POLLIN) == 0) continue;
                    for (auto& slot : slots_) {
                        PGconn* connection = slot.script->session().raw();
                        if (PQsocket(connection) == full[i].fd) PQconsumeInput(connection);
                    }
                }
            }
        }
    }
}

}  // namespace pgkit

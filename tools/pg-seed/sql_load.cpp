#include "tools/pg-seed/sql_load.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <string_view>

#include "common/text.hpp"
#include "tools/pg-seed/byte_source.hpp"
#include "tools/pg-seed/copy_block.hpp"
#include "tools/pg-seed/file_error.hpp"
#include "tools/pg-seed/insert_fold.hpp"
#include "tools/pg-seed/sql_checks.hpp"
#include "tools/pg-seed/sql_splitter.hpp"

namespace pgkit {

void Batch::add(const std::string& statement, std::size_t start_line, std::size_t first_line) {
    pieces_.push_back({sql_.size(), start_line, first_line});
    sql_ += statement;
}

void Batch::clear() {
    sql_.clear();
    pieces_.clear();
}

std::size_t Batch::line_at(std::size_t byte, const Piece& piece) const {
    return piece.start_line +
           static_cast<std::size_t>(std::count(sql_.begin() + static_cast<long>(piece.offset),
                                               sql_.begin() + static_cast<long>(byte), '\n'));
}

std::size_t Batch::line_of_failure(std::size_t statement_index, int position) const {
    const Piece& piece = pieces_[std::min(statement_index, pieces_.size() - 1)];
    if (position <= 0) return piece.first_line;
    const std::size_t byte = utf8_offset_of(sql_, static_cast<std::size_t>(position - 1));
    if (byte < piece.offset) return piece.first_line;
    return line_at(byte, piece);
}

std::optional<std::size_t> Batch::line_of_invalid_utf8() const {
    const auto bad = first_invalid_utf8(sql_);
    if (!bad || pieces_.empty()) return std::nullopt;
    std::size_t at = 0;
    while (at + 1 < pieces_.size() && pieces_[at + 1].offset <= *bad) ++at;
    return line_at(*bad, pieces_[at]);
}

namespace {

void flush(ScriptSession& script, Batch& batch, SeedFile& file) {
    if (batch.empty()) return;
    try {
        const auto outcome = script.send_batch(batch.sql());
        file.statements += outcome.statements;
        file.rows += outcome.rows;
    } catch (const ScriptError& error) {
        if (error.is(SqlCondition::invalid_encoding) && error.statement_position() <= 0) {
            if (const auto line = batch.line_of_invalid_utf8()) fail_at(error, file.path, *line);
        }
        fail_at(error, file.path,
                batch.line_of_failure(static_cast<std::size_t>(error.statement_index()),
                                      error.statement_position()));
    }
    batch.clear();
}

/// Whether a SELECT calls set_config (pg_dump's search_path), in any letter case.
bool contains_set_config(const std::string& text) {
    static constexpr std::string_view name = "set_config";
    const auto found = std::search(text.begin(), text.end(), name.begin(), name.end(),
                                   [](char a, char b) {
                                       return std::tolower(static_cast<unsigned char>(a)) == b;
                                   });
    return found != text.end();
}

/// Runs of INSERTs into one table folded into multi-row INSERTs (insert_fold.hpp), in the
/// order of the file: every other statement ends the run before it is added to the batch.
class Folder {
public:
    Folder(ScriptSession& script, SeedFile& file, Batch& batch)
        : script_(script), file_(file), batch_(batch), enabled_(folding_enabled()) {}

    /// Takes the statement into the run when it is a foldable INSERT; false otherwise (the
    /// run is then ended, and the statement is the caller's to send).
    bool take(const SqlSplitter& splitter) {
        std::optional<InsertShape> shape;
        if (enabled_ && splitter.first_word() == "insert" && splitter.reading().plain_bytes()) {
            shape = parse_insert(splitter.text());
        }
        if (!shape) {
            end();
            // What runs now may change a table (a trigger added, a rule): look again.
            foldable_.clear();
            return false;
        }
        if (!statements_.empty() &&
            (header_ != shape->header || width_ != shape->width ||
             rows_.size() + shape->rows.size() > fold_max_rows || bytes_ > fold_max_bytes)) {
            end();
        }
        if (statements_.empty()) {
            header_ = shape->header;
            target_ = shape->target;
            width_ = shape->width;
        }
        for (const auto row : shape->rows) {
            rows_.emplace_back(row);
            bytes_ += row.size();
        }
        statements_.push_back({splitter.text(), splitter.start_line(), splitter.first_line()});
        return true;
    }

    /// Before a statement that does not go through take() (a COPY, a block of the file's):
    /// the run goes first, and the tables are looked at again after it.
    void other_statement() {
        end();
        foldable_.clear();
    }

    /// Sends the run: folded when it has more than one statement and its table allows it,
    /// else its statements as they are, in the batch.
    void end() {
        if (statements_.empty()) return;
        if (statements_.size() > 1 && may_fold()) {
            send_folded();
        } else {
            for (const auto& statement : statements_) {
                batch_.add(statement.text, statement.start_line, statement.first_line);
            }
        }
        statements_.clear();
        rows_.clear();
        bytes_ = 0;
    }

private:
    struct Written {
        std::string text;
        std::size_t start_line, first_line;
    };

    bool may_fold() {
        const auto known = foldable_.find(header_);
        if (known != foldable_.end()) return known->second;
        flush(script_, batch_, file_);  // what comes before (a CREATE TABLE) is there first
        Session& session = script_.session();
        const Result answer = session.query(fold_check_query(), {target_});
        const bool foldable = answer.rows() == 1 && answer.text(0, 0) == "t";
        foldable_[header_] = foldable;
        return foldable;
    }

    void send_folded() {
        flush(script_, batch_, file_);
        const std::string sql = "SAVEPOINT pgkit_fold;\n" + folded_statement(header_, rows_) +
                                ";\nRELEASE SAVEPOINT pgkit_fold";
        try {
            const auto outcome = script_.send_batch(sql);
            file_.statements += static_cast<long long>(statements_.size());
            file_.rows += outcome.rows;
            return;
        } catch (const ScriptError&) {
            // The statements one by one instead: the error, its file and line are theirs.
            script_.run("ROLLBACK TO SAVEPOINT pgkit_fold; RELEASE SAVEPOINT pgkit_fold");
        }
        for (const auto& statement : statements_) {
            batch_.add(statement.text, statement.start_line, statement.first_line);
        }
        flush(script_, batch_, file_);
    }

    /// PGKIT_SEED_FOLD=0 sends every statement as written: the tests' reference.
    static bool folding_enabled() {
        const char* value = std::getenv("PGKIT_SEED_FOLD");
        return value == nullptr || std::string_view(value) != "0";
    }

    ScriptSession& script_;
    SeedFile& file_;
    Batch& batch_;
    bool enabled_;
    std::string header_, target_;
    std::size_t width_ = 0, bytes_ = 0;
    std::vector<std::string> rows_;
    std::vector<Written> statements_;
    std::map<std::string, bool> foldable_;  ///< by header, until a statement of another kind
};

}  // namespace

void load_sql(ScriptSession& script, SeedFile& file, Progress& progress) {
    auto source = open_byte_source(file.path);
    LineReader lines(*source);
    // Text is read as the session reads it, which the server reports after each message.
    const PGconn* connection = script.session().raw();
    SqlSplitter splitter(lines, TextReading::of(connection));
    SqlChecks checks(file.path);
    Batch batch;
    const bool in_transaction = file.no_transaction_line == 0;
    // Outside a transaction each statement commits on its own: nothing is folded there.
    Folder folder(script, file, batch);
    while (true) {
        const auto event = splitter.next();
        if (event == SqlSplitter::Event::end) break;
        const Disposition disposition = checks.check(splitter, event);
        if (disposition == Disposition::skip) continue;
        if (disposition != Disposition::run) {
            folder.other_statement();
            // A block of the file's own: a savepoint inside pg-seed's transaction (or the
            // file's own transaction, outside pg-seed's).
            // Outside pg-seed's transaction the file's own BEGIN goes as written (its isolation
            // level, READ ONLY).
            batch.add(!in_transaction && disposition == Disposition::open_block
                          ? splitter.text()
                          : block_statement(disposition, in_transaction),
                      splitter.start_line(), splitter.first_line());
            if (disposition == Disposition::rollback_block || !in_transaction) {
                // A SET of the block is undone with it; outside a transaction, one statement
                // per message.
                flush(script, batch, file);
                splitter.read_as(TextReading::of(connection));
            }
            continue;
        }
        if (splitter.is_copy_from_stdin()) {
            folder.other_statement();
            flush(script, batch, file);
            const std::size_t copy_line_number = splitter.first_line();
            const std::size_t data_start = splitter.line_number() + 1;
            // CSV data: its first record's lines are counted, for the server counts it as one.
            std::optional<FirstRecordLines> first_record;
            if (const auto quoting = csv_quoting_of(splitter.text())) first_record.emplace(*quoting);
            try {
                script.begin_copy(splitter.text());
            } catch (const ScriptError& error) {
                fail_at(error, file.path, copy_line_number);
            }
            try {
                // The block goes as it is in the file, in the reader's chunks: no line copied.
                splitter.copy_data(
                    [&](const char* data, std::size_t size) {
                        if (first_record) first_record->feed(data, size);
                        script.put_copy_data(data, size);
                        if (progress.enabled()) {
                            progress.update(source->raw_bytes_read(),
                                            file.rows + static_cast<long long>(
                                                            splitter.line_number() - data_start));
                        }
                    },
                    file.path);
                file.rows += script.end_copy();
                ++file.statements;
            } catch (const ScriptError& error) {
                const auto at = copy_line(error.context);
                const std::size_t first_lines = first_record ? first_record->lines() : 1;
                fail_at(error, file.path,
                        at ? data_start + data_line(*at, first_lines) - 1 : copy_line_number);
            }
            continue;
        }
        if (in_transaction && folder.take(splitter)) {
            if (batch.size() >= Batch::target_bytes) flush(script, batch, file);
            progress.update(source->raw_bytes_read(), file.rows);
            continue;
        }
        batch.add(splitter.text(), splitter.start_line(), splitter.first_line());
        // The server reads a whole message with the settings in force when it arrives, and so
        // does the splitter: a SET (client_encoding, standard_conforming_strings), a RESET or a
        // set_config() call ends its message, and what follows is read as the server now says.
        const bool changes_settings = splitter.first_word() == "set" ||
                                      splitter.first_word() == "reset" ||
                                      (splitter.first_word() == "select" &&
                                       contains_set_config(splitter.text()));
        if (batch.size() >= Batch::target_bytes || changes_settings || !in_transaction) {
            flush(script, batch, file);
            progress.update(source->raw_bytes_read(), file.rows);
            if (changes_settings) splitter.read_as(TextReading::of(connection));
        }
    }
    checks.finish();
    folder.end();
    flush(script, batch, file);
}

}  // namespace pgkit

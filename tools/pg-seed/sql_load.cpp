#include "tools/pg-seed/sql_load.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
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

/// Runs of INSERTs into one table folded (insert_fold.hpp), in the order of the file: every
/// other statement ends the run before it is added to the batch. A run whose header names its
/// columns, and whose values COPY reads as the INSERT would, streams as COPY data while the
/// file is read (the server parses rows as they come); any other foldable run goes as one
/// multi-row INSERT at its end. Either way under a savepoint: when the server refuses the
/// fold, it is rolled back and the run's statements are sent as written, so that the error,
/// its file and line are theirs.
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
            other_statement();
            return false;
        }
        const std::size_t max_rows = copying_ ? copy_max_rows : fold_max_rows;
        const std::size_t max_bytes = copying_ ? copy_max_bytes : fold_max_bytes;
        if (!statements_.empty() &&
            (header_ != shape->header || width_ != shape->width ||
             rows_ + shape->rows.size() > max_rows || bytes_ > max_bytes)) {
            end();
        }
        // A COPY under way takes the rows if COPY reads them as the INSERT would; else it ends
        // here, and this statement starts a run of its own.
        std::string lines;
        if (copying_ && !copy_lines(*shape, lines)) end();
        if (statements_.empty()) {
            header_ = shape->header;
            target_ = shape->target;
            width_ = shape->width;
        }
        statements_.push_back({splitter.text(), splitter.start_line(), splitter.first_line()});
        any_default_ = any_default_ || shape->any_default;
        rows_ += shape->rows.size();
        bytes_ += splitter.text().size();
        if (copying_) {
            send_copy_data(lines);
            return true;
        }
        for (const auto row : shape->rows) values_.emplace_back(row);
        if (statements_.size() == 2) start_copy();
        return true;
    }

    /// Before a statement that does not go through take() (a COPY, a block of the file's):
    /// the run goes first, and the tables are looked at again after it.
    void other_statement() {
        end();
        tables_.clear();
    }

    /// Ends the run: the COPY under way, or the multi-row INSERT when the run has more than
    /// one statement and its table allows it, else its statements as they are, in the batch.
    void end() {
        if (statements_.empty()) return;
        if (copying_) {
            finish_copy();
        } else if (statements_.size() > 1 && may_fold()) {
            send_values();
        } else {
            for (const auto& statement : statements_) {
                batch_.add(statement.text, statement.start_line, statement.first_line);
            }
            // Sent as written: a trigger of that table may change another (DDL), so the
            // tables are looked at again.
            tables_.clear();
        }
        clear_run();
    }

private:
    struct Written {
        std::string text;
        std::size_t start_line, first_line;
    };

    /// What the catalog says of a table: whether runs into it fold, and its columns' types
    /// for COPY.
    struct Table {
        bool foldable = false;
        struct Column {
            std::string name, type, identity;
            bool sequence = false;
        };
        std::vector<Column> columns;  ///< in order
    };

    const Table& table() {
        const auto known = tables_.find(header_);
        if (known != tables_.end()) return known->second;
        flush(script_, batch_, file_);  // what comes before (a CREATE TABLE) is there first
        Session& session = script_.session();
        Table table;
        // Under a savepoint of its own: a name the check cannot resolve (another database's)
        // or a catalog it may not read means no folding, never a failed load.
        session.query("SAVEPOINT pgkit_fold_check");
        try {
            const Result answer = session.query(fold_check_query(), {target_});
            table.foldable = answer.rows() == 1 && answer.text(0, 0) == "t";
            if (table.foldable && !answer.is_null(0, 1)) {
                for (const auto& column : nlohmann::json::parse(answer.text(0, 1))) {
                    table.columns.push_back({column.at("name").get<std::string>(),
                                             column.at("type").get<std::string>(),
                                             column.at("identity").get<std::string>(),
                                             column.at("sequence").get<bool>()});
                }
            }
            session.query("RELEASE SAVEPOINT pgkit_fold_check");
        } catch (const SqlError&) {
            session.query("ROLLBACK TO SAVEPOINT pgkit_fold_check");
            session.query("RELEASE SAVEPOINT pgkit_fold_check");
            table = Table{};
        }
        return tables_[header_] = std::move(table);
    }

    /// The run's rows as COPY data, when its header names the columns and COPY reads every
    /// value as the INSERT would; sets copy_columns_ on the way.
    bool copy_lines(const InsertShape& shape, std::string& lines) {
        for (const auto row : shape.rows) {
            const auto line = copy_line(row, copy_columns_);
            if (!line) return false;
            lines += *line;
        }
        return true;
    }

    /// Whether the run may fold: its table allows it, and no sequence gives a value to its
    /// rows (a default or identity of a column the run leaves out, or sets to DEFAULT, or
    /// OVERRIDING USER VALUE), since a fold that fails and is sent again as written would
    /// have used up the values its rows took (a sequence is not rolled back).
    bool may_fold() {
        const Table& table = this->table();
        if (!table.foldable) return false;
        // The rows are read as the session reads text now (a DO block may have changed it
        // unseen by the splitter): standard strings, and no ASCII byte inside a character.
        flush(script_, batch_, file_);
        if (!TextReading::of(script_.session().raw()).plain_bytes()) return false;
        const auto header = parse_header(header_);
        if (!header) return false;
        std::set<std::string> filled(header->columns.begin(), header->columns.end());
        if (!header->list) {
            for (std::size_t i = 0; i < width_ && i < table.columns.size(); ++i) {
                filled.insert(table.columns[i].name);
            }
        }
        for (const auto& column : table.columns) {
            if (!column.sequence) continue;
            if (any_default_ || filled.count(column.name) == 0 ||
                (header->overriding == Header::Overriding::user && !column.identity.empty())) {
                return false;
            }
        }
        return true;
    }

    /// At the run's second statement: the COPY starts, with the rows so far, when the header
    /// names the columns, and the table and the values allow it.
    void start_copy() {
        if (!may_fold()) return;
        const auto header = parse_header(header_);
        if (!header->list || header->overriding == Header::Overriding::user) return;
        const Table& table = this->table();
        copy_columns_.clear();
        for (const auto& name : header->columns) {
            const auto column = std::find_if(table.columns.begin(), table.columns.end(),
                                             [&](const auto& c) { return c.name == name; });
            if (column == table.columns.end()) return;  // the INSERT's own error, as written
            // INSERT refuses a GENERATED ALWAYS identity column without OVERRIDING SYSTEM
            // VALUE, where COPY would fill it.
            if (column->identity == "a" && header->overriding != Header::Overriding::system) return;
            copy_columns_.push_back({column->type == "integer", column->type == "number",
                                     column->type == "boolean"});
        }
        std::string lines;
        for (const auto& row : values_) {
            const auto line = copy_line(row, copy_columns_);
            if (!line) return;
            lines += *line;
        }
        flush(script_, batch_, file_);
        try {
            // One message opens the savepoint, starts the COPY, and releases it after.
            script_.begin_copy("SAVEPOINT pgkit_fold; " + copy_statement(*header) +
                               "; RELEASE SAVEPOINT pgkit_fold");
        } catch (const ScriptError&) {
            replay();
            return;
        }
        copying_ = true;
        values_.clear();
        send_copy_data(lines);
    }

    void send_copy_data(const std::string& lines) {
        copy_buffer_ += lines;
        if (copy_buffer_.size() < 64 * 1024) return;
        try {
            script_.put_copy_data(copy_buffer_.data(), copy_buffer_.size());
        } catch (const ScriptError&) {
            replay();
        }
        copy_buffer_.clear();
    }

    void finish_copy() {
        try {
            if (!copy_buffer_.empty()) {
                script_.put_copy_data(copy_buffer_.data(), copy_buffer_.size());
            }
            file_.rows += script_.end_copy();
            file_.statements += static_cast<long long>(statements_.size());
        } catch (const ScriptError&) {
            replay();
        }
    }

    void send_values() {
        flush(script_, batch_, file_);
        const std::string sql = "SAVEPOINT pgkit_fold;\n" + folded_statement(header_, values_) +
                                ";\nRELEASE SAVEPOINT pgkit_fold";
        try {
            file_.rows += script_.send_batch(sql).rows;
            file_.statements += static_cast<long long>(statements_.size());
        } catch (const ScriptError&) {
            replay();
        }
    }

    /// Forgets the run (sent, or handed to the batch).
    void clear_run() {
        statements_.clear();
        values_.clear();
        copy_buffer_.clear();
        copying_ = false;
        any_default_ = false;
        rows_ = 0;
        bytes_ = 0;
    }

    /// The fold failed: back to its savepoint, and the run's statements as written (their
    /// error, file and line; or, should they pass, their rows). The run ends.
    void replay() {
        script_.run("ROLLBACK TO SAVEPOINT pgkit_fold; RELEASE SAVEPOINT pgkit_fold");
        tables_.clear();
        for (const auto& statement : statements_) {
            batch_.add(statement.text, statement.start_line, statement.first_line);
        }
        clear_run();
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
    std::size_t width_ = 0, rows_ = 0, bytes_ = 0;
    std::vector<std::string> values_;  ///< the rows, until the run goes as COPY
    std::vector<Written> statements_;
    bool copying_ = false;
    bool any_default_ = false;
    std::vector<ColumnType> copy_columns_;
    std::string copy_buffer_;
    std::map<std::string, Table> tables_;  ///< by header, until a statement of another kind
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

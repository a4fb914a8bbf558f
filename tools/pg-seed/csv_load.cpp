#include "tools/pg-seed/csv_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/errors.hpp"
#include "tools/pg-seed/file_error.hpp"
#include "tools/pg-seed/seed_input.hpp"

namespace pgkit {

void CsvStream::send(std::string_view chunk, bool final) {
    buffer_.append(chunk);
    std::size_t end = buffer_.size();
    if (!final) {
        end = buffer_.rfind('\n');
        if (end == std::string::npos) return;  // no whole line yet
        ++end;
    }
    const std::string_view data(buffer_.data(), end);
    std::size_t sent = 0, counted = 0;
    for (std::size_t at = data.find("\\."); at != std::string_view::npos;
         at = data.find("\\.", at + 1)) {
        const std::size_t after = at + 2;
        const bool line_start = at == 0 || data[at - 1] == '\n';
        const bool whole_line = after == data.size() || data[after] == '\n' ||
                                (data[after] == '\r' && (after + 1 == data.size() || data[after + 1] == '\n'));
        if (!line_start || !whole_line) continue;
        quotes_ += static_cast<std::size_t>(std::count(data.begin() + counted, data.begin() + at, '"'));
        counted = at;
        if (quotes_ % 2 != 0) continue;  // inside a quoted field: COPY keeps it as data
        if (at > sent) sink_(data.data() + sent, at - sent);
        sink_("\"\\.\"", 4);
        sent = after;
    }
    quotes_ += static_cast<std::size_t>(std::count(data.begin() + counted, data.end(), '"'));
    if (data.size() > sent) sink_(data.data() + sent, data.size() - sent);
    buffer_.erase(0, end);
}

CsvPlan plan_csv(const Session& session, SeedFile& file, const CsvOptions& options) {
    const char delimiter = file.kind == Kind::tsv ? '\t' : ',';
    const TableName table = options.table ? TableName::parse(*options.table) : *table_of_file(file.recorded);
    file.table = table.text();
    CsvPlan plan;
    plan.target = session.quote_qualified(table.schema, table.name);

    auto source = open_byte_source(file.path);
    std::vector<char> buffer(LineReader::chunk_size);
    std::size_t got = source->read(buffer.data(), buffer.size());
    std::size_t at = 0, base = 0;  // base: bytes before the buffer's first
    if (got >= 3 && std::string_view(buffer.data(), 3) == "\xEF\xBB\xBF") at = 3;  // a BOM
    plan.copy_offset = at;
    plan.body_offset = at;
    plan.header = !options.no_header;
    std::string columns;
    if (!options.no_header) {
        std::string header;
        bool line_ended = false;
        while (true) {
            const auto* newline = static_cast<const char*>(std::memchr(buffer.data() + at, '\n', got - at));
            if (newline != nullptr) {
                line_ended = true;
                header.append(buffer.data() + at, static_cast<std::size_t>(newline - (buffer.data() + at)));
                plan.body_offset = base + static_cast<std::size_t>(newline - buffer.data()) + 1;
                break;
            }
            header.append(buffer.data() + at, got - at);
            base += got;
            at = 0;
            got = source->read(buffer.data(), buffer.size());
            if (got == 0) {
                plan.body_offset = base;
                break;
            }
        }
        plan.body_line = 2;
        if (header.find_first_not_of("\r") == std::string::npos) {
            throw Error(Exit::bad_input,
                        fmt::format("{}:1: {}", file.path,
                                    header.empty() && !line_ended
                                        ? "no header line: the file is empty"
                                        : "the header line is empty"),
                        {}, "Put the column names on the first line, or pass --no-header to "
                            "load the columns in the table's order.");
        }
        for (const auto& column : parse_csv_header(header, delimiter)) {
            try {
                columns += (columns.empty() ? " (" : ", ") + session.quote_ident(column);
            } catch (const Error& error) {  // not valid in the client encoding
                throw Error(Exit::bad_input, fmt::format("{}:1: header: {}", file.path, error.what()));
            }
        }
        if (!columns.empty()) columns += ")";
    }
    plan.copy = fmt::format("COPY {}{} FROM STDIN WITH (FORMAT csv, HEADER true{})", plan.target,
                            columns, delimiter == '\t' ? ", DELIMITER E'\\t'" : "");
    return plan;
}

void truncate_for(ScriptSession& script, const SeedFile& file, const CsvPlan& plan) {
    try {
        script.run("TRUNCATE " + plan.target);
    } catch (const SqlError& error) {
        fail_at(error, file.path, 1);
    }
}

CsvSource whole_file(const SeedFile& file, const CsvPlan& plan) {
    CsvSource source;
    source.bytes = open_byte_source(file.path);
    source.skip = plan.copy_offset;
    source.empty_first_line = !plan.header;
    source.first_line = 1;
    return source;
}

CsvLoad::CsvLoad(ScriptSession& script, const SeedFile& file, const CsvPlan& plan,
                 CsvSource source, bool count_lines)
    : script_(script),
      file_(file),
      source_(std::move(source)),
      buffer_(LineReader::chunk_size),
      count_lines_(count_lines),
      lines_(source_.empty_first_line ? 0 : -1),  // the header line is no row
      stream_([this](const char* data, std::size_t size) { script_.put_copy_data(data, size); }) {
    for (std::size_t skip = source_.skip; skip > 0;) {
        const std::size_t got = source_.bytes->read(buffer_.data(), std::min(skip, buffer_.size()));
        if (got == 0) break;
        skip -= got;
    }
    try {
        script_.begin_copy(plan.copy);
        if (source_.empty_first_line) stream_.send("\n", false);
    } catch (const ScriptError& error) {
        fail_at(error, file_.path, source_.first_line);
    }
}

std::size_t CsvLoad::file_line(std::size_t copy_line) const {
    // With an empty first line sent, COPY's line 2 is the first line from the file.
    const std::size_t first_from_file = source_.empty_first_line ? 2 : 1;
    return copy_line < first_from_file ? source_.first_line
                                       : source_.first_line + copy_line - first_from_file;
}

bool CsvLoad::pump() {
    try {
        const std::size_t got = source_.bytes->read(buffer_.data(), buffer_.size());
        if (got == 0) {
            stream_.send({}, true);
            return false;
        }
        stream_.send(std::string_view(buffer_.data(), got), false);
        if (count_lines_) lines_ += std::count(buffer_.data(), buffer_.data() + got, '\n');
        return true;
    } catch (const ScriptError& error) {
        fail(error);
    }
}

long long CsvLoad::finish() {
    try {
        return script_.end_copy();
    } catch (const ScriptError& error) {
        fail(error);
    }
}

void CsvLoad::fail(const ScriptError& error) const {
    const auto at = copy_line(error.context);
    fail_at(error, file_.path, at ? file_line(*at) : source_.first_line);
}

void load_csv(ScriptSession& script, SeedFile& file, const CsvOptions& options,
              Progress& progress) {
    const CsvPlan plan = plan_csv(script.session(), file, options);
    if (options.truncate) truncate_for(script, file, plan);
    // Counting rows costs a pass over each chunk: only when they are shown.
    CsvLoad load(script, file, plan, whole_file(file, plan), progress.enabled());
    while (load.pump()) progress.update(load.bytes_read(), load.lines_sent());
    file.rows += load.finish();
    file.statements = 1;
}

}  // namespace pgkit

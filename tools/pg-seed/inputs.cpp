#include "tools/pg-seed/inputs.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/errors.hpp"
#include "tools/pg-seed/byte_source.hpp"
#include "tools/pg-seed/hashing_source.hpp"
#include "tools/pg-seed/sql_checks.hpp"

namespace pgkit {

std::string_view file_action_name(FileAction action) {
    switch (action) {
        case FileAction::pending:
            return "pending";
        case FileAction::skipped:
            return "skipped";
        case FileAction::checked:
            return "checked";
        case FileAction::applied:
            return "applied";
    }
    return "pending";
}

void mark_done(SeedFile& file, FileAction action, std::chrono::steady_clock::time_point started) {
    file.action = action;
    file.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

std::size_t file_size(const std::string& path) {
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0 ? static_cast<std::size_t>(status.st_size) : 0;
}

namespace {

SeedFile seed_file(std::string path, std::string recorded, Kind kind) {
    SeedFile file;
    file.path = std::move(path);
    file.recorded = std::move(recorded);
    file.kind = kind;
    return file;
}

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void check_readable(const std::string& path) {
    if (::access(path.c_str(), R_OK) != 0) {
        throw Error(Exit::bad_input, fmt::format("could not read \"{}\": {}", path, std::strerror(errno)));
    }
}

}  // namespace

std::vector<SeedFile> collect_inputs(const std::vector<std::string>& paths,
                                     std::vector<std::string>& warnings) {
    std::vector<SeedFile> files;
    for (const auto& path : paths) {
        struct stat status {};
        if (::stat(path.c_str(), &status) != 0) {
            throw Error(Exit::bad_input,
                        fmt::format("could not open \"{}\": {}", path, std::strerror(errno)));
        }
        if (S_ISDIR(status.st_mode)) {
            struct CloseDir {
                void operator()(DIR* dir) const { ::closedir(dir); }
            };
            std::unique_ptr<DIR, CloseDir> dir(::opendir(path.c_str()));
            if (!dir) {
                throw Error(Exit::bad_input, fmt::format("could not read directory \"{}\": {}",
                                                         path, std::strerror(errno)));
            }
            std::vector<std::string> names;
            while (const dirent* entry = ::readdir(dir.get())) {
                if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
            }
            std::sort(names.begin(), names.end());  // byte order
            for (const auto& name : names) {
                const std::string full = path + (path.back() == '/' ? "" : "/") + name;
                struct stat entry_status {};
                if (::stat(full.c_str(), &entry_status) != 0 || !S_ISREG(entry_status.st_mode)) {
                    continue;
                }
                const auto kind = kind_of(name);
                if (!kind) {
                    warnings.push_back(fmt::format(
                        "skipping \"{}\": not .sql, .csv or .tsv (optionally .gz, .xz or .zst)", full));
                    continue;
                }
                check_readable(full);
                files.push_back(seed_file(full, name, *kind));
            }
        } else {
            const auto kind = kind_of(path);
            if (!kind) {
                throw Error(Exit::bad_input,
                            fmt::format("\"{}\" is not an .sql, .csv or .tsv file", path),
                            {}, "Name SQL files *.sql and CSV files *.csv or *.tsv (optionally "
                                "compressed: .gz, .xz, .zst).");
            }
            check_readable(path);
            files.push_back(seed_file(path, base_name(path), *kind));
        }
    }
    return files;
}

void check_file(SeedFile& file, bool want_checksum, bool check_sql) {
    if (!want_checksum && (file.kind != Kind::sql || !check_sql)) return;
    auto source = open_byte_source(file.path);
    HashingSource hashing(*source, want_checksum);
    if (file.kind == Kind::sql && check_sql) {
        LineReader lines(hashing);
        // No server to ask yet: the file's own SET and RESET commands say how to read on.
        const TextReading initial = TextReading::from_environment();
        SqlSplitter splitter(lines, initial);
        SqlChecks checks(file.path);
        while (true) {
            const auto event = splitter.next();
            if (event == SqlSplitter::Event::end) break;
            if (checks.check(splitter, event) != Disposition::run) continue;
            if (event == SqlSplitter::Event::statement) {
                splitter.read_as(reading_after(splitter.text(), splitter.reading(), initial));
            }
            if (splitter.is_copy_from_stdin()) {
                splitter.copy_data([](const char*, std::size_t) {}, file.path);
            }
        }
        checks.finish();
    } else {
        std::vector<char> buffer(LineReader::chunk_size);
        while (hashing.read(buffer.data(), buffer.size()) > 0) {
        }
    }
    if (want_checksum) file.checksum = hashing.hex();
}

std::size_t transaction_false_line(const std::string& path) {
    // Only a regular file is read ahead (a named pipe would lose what this reads).
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return 0;
    auto source = open_byte_source(path);
    LineReader lines(*source);
    std::string line;
    while (lines.next(line)) {
        if (lines.line_number() == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;                  // a blank line
        if (line.compare(first, 2, "--") != 0) return 0;           // the first statement
        std::string words;
        for (std::size_t i = first + 2; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            if (!std::isspace(c)) words += static_cast<char>(std::tolower(c));
        }
        if (words == "transaction:false") return lines.line_number();
    }
    return 0;
}

}  // namespace pgkit

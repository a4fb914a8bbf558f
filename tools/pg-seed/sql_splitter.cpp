#include "tools/pg-seed/sql_splitter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <utility>
#include <string_view>
#include <vector>

#include "common/errors.hpp"

namespace pgkit {
namespace {

/// Characters that can change the splitter's state in a statement's body.
bool special_character(char c) {
    static const auto table = [] {
        std::array<bool, 256> special{};
        for (const char s : std::string_view("-/'\"$;()")) special[static_cast<unsigned char>(s)] = true;
        return special;
    }();
    return table[static_cast<unsigned char>(c)];
}

bool is_identifier_char(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return std::isalnum(byte) || c == '_' || c == '$' || byte >= 0x80;
}

/// "$tag$" at `at` (tag: empty, or a letter or _ then letters, digits, _), or "".
std::string dollar_tag_at(const std::string& line, std::size_t at) {
    std::size_t end = at + 1;
    if (end < line.size() && (std::isalpha(static_cast<unsigned char>(line[end])) ||
                              line[end] == '_' || static_cast<unsigned char>(line[end]) >= 0x80)) {
        while (end < line.size() && is_identifier_char(line[end]) && line[end] != '$') ++end;
    }
    if (end < line.size() && line[end] == '$') return line.substr(at, end - at + 1);
    return "";
}

/// Client-only encodings whose characters can hold ASCII bytes after the first one (a
/// backslash, a quote of JOHAB's...), by libpq's ids.
bool trail_bytes_can_be_ascii(int encoding) {
    static const std::vector<int> encodings = [] {
        std::vector<int> ids;
        for (const char* name : {"SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC", "GB18030", "JOHAB"}) {
            if (const int id = pg_char_to_encoding(name); id >= 0) ids.push_back(id);
        }
        return ids;
    }();
    return std::find(encodings.begin(), encodings.end(), encoding) != encodings.end();
}

/// The words of a statement outside comments, lower case; a quoted value is one word without
/// its quotes (as it is written: SET values need no escapes).
std::vector<std::string> statement_words(const std::string& text, std::size_t count) {
    std::vector<std::string> words;
    std::size_t at = 0;
    while (at < text.size() && words.size() < count) {
        const char c = text[at];
        if (c == '-' && at + 1 < text.size() && text[at + 1] == '-') {
            at = text.find('\n', at);
            if (at == std::string::npos) break;
        } else if (c == '/' && at + 1 < text.size() && text[at + 1] == '*') {
            const auto end = text.find("*/", at + 2);
            if (end == std::string::npos) break;
            at = end + 2;
        } else if (c == '\'' || c == '"') {
            const auto end = text.find(c, at + 1);
            if (end == std::string::npos) break;
            std::string word = text.substr(at + 1, end - at - 1);
            if (c == '\'') {
                for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            }
            words.push_back(std::move(word));
            at = end + 1;
        } else if (c == '=') {
            words.emplace_back("=");
            ++at;
        } else if (is_identifier_char(c)) {
            std::string word;
            while (at < text.size() && is_identifier_char(text[at])) {
                word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[at++])));
            }
            words.push_back(std::move(word));
        } else if (std::isspace(static_cast<unsigned char>(c)) || c == '.' || c == '(' ||
                   c == ')' || c == ',') {
            ++at;  // between words (a call's arguments are words too)
        } else {
            break;  // ";", other punctuation: the end of what a SET can say
        }
    }
    return words;
}

/// A boolean setting's value as the server reads it (on, off, true, false, yes, no, 1, 0 and
/// unique prefixes), or nothing.
std::optional<bool> boolean_value(const std::string& value) {
    if (value == "on" || value == "1") return true;
    if (value == "off" || value == "0") return false;
    if (value.empty() || value == "o") return std::nullopt;
    for (const auto& [word, meaning] : {std::pair<std::string_view, bool>{"true", true},
                                        {"yes", true}, {"false", false}, {"no", false}}) {
        if (word.substr(0, value.size()) == value) return meaning;
    }
    if (value == "of") return false;  // unique prefix of "off"
    return std::nullopt;
}

}  // namespace

bool TextReading::plain_bytes() const {
    return standard_strings && !trail_bytes_can_be_ascii(encoding);
}

TextReading TextReading::of(const PGconn* connection) {
    TextReading reading;
    const char* standard = PQparameterStatus(connection, "standard_conforming_strings");
    reading.standard_strings = standard == nullptr || std::string_view(standard) != "off";
    reading.encoding = PQclientEncoding(connection);
    return reading;
}

TextReading TextReading::from_environment() {
    TextReading reading;
    if (const char* name = std::getenv("PGCLIENTENCODING"); name != nullptr && *name != '\0') {
        reading.encoding = pg_char_to_encoding(name);
    }
    return reading;
}

TextReading reading_after(const std::string& statement, const TextReading& now,
                          const TextReading& initial) {
    auto words = statement_words(statement, 7);
    if (words.empty()) return now;
    TextReading next = now;
    const auto set = [&](const std::string& name, const std::string& value) {
        if (name == "standard_conforming_strings") {
            if (value == "default") {
                next.standard_strings = initial.standard_strings;
            } else if (const auto on = boolean_value(value)) {
                next.standard_strings = *on;
            }
        } else if (name == "client_encoding" || name == "names") {
            if (value == "default") {
                next.encoding = initial.encoding;
            } else if (const int id = pg_char_to_encoding(value.c_str()); id >= 0) {
                next.encoding = id;
            }
        }
    };
    if (words[0] == "reset" && words.size() >= 2) {
        if (words[1] == "all") return initial;
        set(words[1], "default");
    } else if (words[0] == "select") {
        // SELECT [pg_catalog.]set_config('name', 'value', is_local), as pg_dump writes it
        std::size_t at = words.size() > 1 && words[1] == "pg_catalog" ? 2 : 1;
        if (words.size() >= at + 3 && words[at] == "set_config") set(words[at + 1], words[at + 2]);
    } else if (words[0] == "set" && words.size() >= 3) {
        std::size_t at = words[1] == "session" || words[1] == "local" ? 2 : 1;
        if (words.size() >= at + 2 && words[at] == "names") {
            set("names", words[at + 1]);
        } else if (words.size() >= at + 3 && (words[at + 1] == "to" || words[at + 1] == "=")) {
            set(words[at], words[at + 2]);
        }
    }
    return next;
}

void SqlSplitter::read_as(const TextReading& reading) {
    const bool was_masked = mask_;
    reading_ = reading;
    mask_ = trail_bytes_can_be_ascii(reading.encoding);
    // The rest of the line in hand is read the new way too.
    if (mask_ && have_line_) {
        mask_trail_bytes();
    } else if (was_masked && !mask_) {
        scan_.clear();
    }
}

void SqlSplitter::mask_trail_bytes() {
    // Only the bytes after position_ are read from here on; their characters start there, since
    // a statement ends on a ";" that is a character of its own.
    scan_ = line_;
    const std::size_t size = scan_.size();
    for (std::size_t i = position_; i < size;) {
        const auto byte = static_cast<unsigned char>(scan_[i]);
        if (byte < 0x80) {
            ++i;
            continue;
        }
        const int length = std::max(1, PQmblen(scan_.c_str() + i, reading_.encoding));
        const std::size_t end = std::min(size, i + static_cast<std::size_t>(length));
        for (std::size_t j = i + 1; j < end; ++j) {
            if (static_cast<unsigned char>(scan_[j]) < 0x80) scan_[j] = '\x80';
        }
        i = end;
    }
}

void SqlSplitter::end_word() {
    // psql's rule: within CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside parentheses, BEGIN
    // opens a block, CASE inside one nests, END closes.
    const std::string word = word_;
    word_.clear();
    if (word.empty()) return;
    if (leading_words_.size() < 4) leading_words_.push_back(word);
    const auto& w = leading_words_;
    // Decided early for everything but CREATE [OR REPLACE] FUNCTION|PROCEDURE: stop tracking.
    const bool could_be_routine =
        w[0] == "create" &&
        (w.size() < 2 || w[1] == "function" || w[1] == "procedure" ||
         (w[1] == "or" && (w.size() < 3 || (w[2] == "replace" &&
                                            (w.size() < 4 || w[3] == "function" || w[3] == "procedure")))));
    if (!could_be_routine) {
        track_words_ = false;
        return;
    }
    const bool routine =
        !w.empty() && w[0] == "create" &&
        ((w.size() > 1 && (w[1] == "function" || w[1] == "procedure")) ||
         (w.size() > 3 && w[1] == "or" && w[2] == "replace" &&
          (w[3] == "function" || w[3] == "procedure")));
    if (!routine || paren_depth_ > 0) return;
    if (word == "begin") {
        ++begin_depth_;
    } else if (word == "case" && begin_depth_ > 0) {
        ++begin_depth_;
    } else if (word == "end" && begin_depth_ > 0) {
        --begin_depth_;
    }
}

bool SqlSplitter::fill_line() {
    if (have_line_ && position_ <= line_.size()) return true;
    if (!lines_.next(line_)) return false;
    if (first_line_of_file_) {
        first_line_of_file_ = false;
        if (line_.rfind("\xEF\xBB\xBF", 0) == 0) line_.erase(0, 3);  // a UTF-8 BOM
    }
    position_ = 0;
    have_line_ = true;
    if (mask_) mask_trail_bytes();
    return true;
}

void SqlSplitter::classify_copy() {
    if (!maybe_copy_) {
        copy_from_stdin_ = copy_to_stdout_ = false;
        return;
    }
    // words_ holds the statement outside strings and comments, lower-cased, one space apart.
    std::string flat;
    bool space = true;
    for (const char c : words_) {
        const bool blank = std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')';
        if (blank) {
            if (!space) flat += ' ';
            space = true;
        } else {
            flat += c;
            space = false;
        }
    }
    auto has_words = [&flat](std::string_view words) {
        for (auto at = flat.find(words); at != std::string::npos; at = flat.find(words, at + 1)) {
            const std::size_t end = at + words.size();
            if (end == flat.size() || flat[end] == ' ' || flat[end] == ';') return true;
        }
        return false;
    };
    const bool copy = flat.rfind("copy ", 0) == 0;
    copy_from_stdin_ = copy && has_words(" from stdin");
    copy_to_stdout_ = copy && has_words(" to stdout");
}

SqlSplitter::Event SqlSplitter::next() {
    text_.clear();
    words_.clear();
    maybe_copy_ = true;
    significant_ = 0;
    paren_depth_ = 0;
    begin_depth_ = 0;
    track_words_ = true;
    word_.clear();
    leading_words_.clear();
    first_word_.clear();
    first_word_open_ = true;
    has_content_ = false;
    copy_from_stdin_ = copy_to_stdout_ = unterminated_ = false;
    start_line_ = first_line_ = 0;
    if (pending_copy_) {
        throw std::logic_error("COPY data not read before the next statement");
    }
    while (fill_line()) {
        if (start_line_ == 0) start_line_ = lines_.line_number();
        // A meta-command: a backslash first on a line, outside any statement.
        if (state_ == State::normal && !has_content_) {
            std::size_t first = position_;
            while (first < line_.size() && (line_[first] == ' ' || line_[first] == '\t' || line_[first] == '\r')) ++first;
            if (first < line_.size() && line_[first] == '\\') {
                text_ = line_.substr(first);
                while (!text_.empty() && text_.back() == '\r') text_.pop_back();
                first_line_ = lines_.line_number();
                have_line_ = false;
                return Event::meta_command;
            }
        }
        // Scanned: the line with multibyte characters' ASCII bytes masked; copied: the line.
        const std::string& line = mask_ ? scan_ : line_;
        std::size_t i = position_;
        const std::size_t size = line.size();
        for (; i < size; ++i) {
            if (state_ == State::normal && has_content_ && !track_words_ && !maybe_copy_ &&
                !first_word_open_) {
                // Nothing left to learn from ordinary characters: skip to the next one that
                // can start a string, a comment, a parenthesis or the end.
                while (i < size && !special_character(line[i])) ++i;
                if (i >= size) break;
            }
            const char c = line[i];
            const char following = i + 1 < size ? line[i + 1] : '\0';
            switch (state_) {
                case State::normal:
                    if (track_words_ && is_identifier_char(c)) {
                        // Words matter only for routine bodies (see end_word); a "$" that starts
                        // a token is a dollar quote or a parameter, handled below.
                        const bool starts = i == 0 || !is_identifier_char(line[i - 1]);
                        if (starts) word_.clear();
                        if (!(starts && c == '$')) {
                            if (word_.size() < 16) {
                                word_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                            }
                            if (i + 1 >= size || !is_identifier_char(following)) end_word();
                        }
                    }
                    if (c == '-' && following == '-') {
                        i = size;  // the rest of the line is a comment
                        words_ += ' ';
                        continue;
                    }
                    if (c == '/' && following == '*') {
                        state_ = State::block_comment;
                        open_line_ = lines_.line_number();
                        comment_depth_ = 1;
                        ++i;
                        words_ += ' ';
                        continue;
                    }
                    if (!std::isspace(static_cast<unsigned char>(c)) && c != ';' && !has_content_) {
                        has_content_ = true;
                        first_line_ = lines_.line_number();
                    }
                    if (c == '\'') {
                        const bool escape = !reading_.standard_strings ||
                                            (i > 0 && (line[i - 1] == 'E' || line[i - 1] == 'e') &&
                                             (i < 2 || !is_identifier_char(line[i - 2])));
                        state_ = escape ? State::escape_string : State::single_quote;
                        open_line_ = lines_.line_number();
                        words_ += ' ';
                    } else if (c == '"') {
                        state_ = State::double_quote;
                        open_line_ = lines_.line_number();
                        words_ += ' ';
                    } else if (c == '$' && (i == 0 || !is_identifier_char(line[i - 1]))) {
                        // The tag as written (a masked copy could make two tags look alike).
                        dollar_tag_ = line_.substr(i, dollar_tag_at(line, i).size());
                        if (!dollar_tag_.empty()) {
                            state_ = State::dollar;
                            open_line_ = lines_.line_number();
                            i += dollar_tag_.size() - 1;
                            words_ += ' ';
                        } else {
                            words_ += c;
                        }
                    } else if (c == '(') {
                        ++paren_depth_;
                        words_ += ' ';
                    } else if (c == ')') {
                        if (paren_depth_ > 0) --paren_depth_;
                        words_ += ' ';
                    } else if (c == ';' && (paren_depth_ > 0 || begin_depth_ > 0)) {
                        // Inside parentheses (a rule's action list) or a BEGIN ATOMIC ... END
                        // function body: not the end, as in psql.
                    } else if (c == ';' && !has_content_) {
                        // An empty statement (";;", a lone ";"): it stays in the text of the
                        // statement that follows (the server skips it and returns no result for
                        // it), and alone it is nothing to send.
                    } else if (c == ';') {
                        text_.append(line_, position_, i + 1 - position_);
                        position_ = i + 1;
                        classify_copy();
                        copy_tail_.clear();
                        if (copy_from_stdin_) {
                            pending_copy_ = true;
                            have_line_ = false;  // data starts on the next line
                            copy_tail_ = line_.substr(i + 1);
                        }
                        return Event::statement;
                    } else {
                        const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                        if (first_word_open_) {
                            if (std::isalpha(static_cast<unsigned char>(c)) && first_word_.size() < 16) {
                                first_word_ += lower;
                            } else if (!first_word_.empty()) {
                                first_word_open_ = false;
                            }
                        }
                        if (!maybe_copy_) break;
                        words_ += lower;
                        // Only a COPY statement needs its words: stop once its first four
                        // significant characters are not "copy".
                        if (!std::isspace(static_cast<unsigned char>(c)) && ++significant_ <= 4 &&
                            lower != "copy"[significant_ - 1]) {
                            maybe_copy_ = false;
                        }
                    }
                    break;
                case State::single_quote:
                case State::double_quote: {
                    // Jump to the closing quote: what is inside needs no look. (The loop's
                    // ++i steps past it; at the end of the line the string goes on.)
                    const std::size_t close = line.find(state_ == State::single_quote ? '\'' : '"', i);
                    i = close == std::string::npos ? size : close;
                    if (close != std::string::npos) state_ = State::normal;
                    break;
                }
                case State::escape_string:
                    if (c == '\\') {
                        ++i;  // the next character is escaped
                    } else if (c == '\'') {
                        state_ = State::normal;
                    }
                    break;
                case State::dollar:
                    if (c == '$' && line_.compare(i, dollar_tag_.size(), dollar_tag_) == 0) {
                        i += dollar_tag_.size() - 1;
                        state_ = State::normal;
                    }
                    break;
                case State::block_comment:
                    if (c == '/' && following == '*') {
                        ++comment_depth_;
                        ++i;
                    } else if (c == '*' && following == '/') {
                        ++i;
                        if (--comment_depth_ == 0) state_ = State::normal;
                    }
                    break;
            }
        }
        text_.append(line_, position_, std::string::npos);
        if (lines_.had_newline()) text_ += '\n';
        words_ += ' ';
        have_line_ = false;
    }
    // End of file: what is left is a last statement without ";", or only blanks and comments.
    if (finished_) return Event::end;
    finished_ = true;
    if (state_ != State::normal) {
        unterminated_ = true;
        unterminated_what_ = state_ == State::block_comment   ? "comment"
                             : state_ == State::dollar        ? "dollar-quoted string"
                             : state_ == State::double_quote  ? "quoted identifier"
                                                              : "quoted string";
        return Event::statement;
    }
    if (has_content_) {
        classify_copy();
        return Event::statement;
    }
    return Event::end;
}

void SqlSplitter::no_end_marker(const std::string& file) {
    pending_copy_ = false;
    throw Error(Exit::bad_input,
                fmt::format("{}:{}: COPY data has no end marker (a line \\.)", file,
                            lines_.line_number()),
                {},
                "pg_dump ends each COPY block with a line holding only \\. ; the file may be cut "
                "short.");
}


}  // namespace pgkit

#pragma once
/// Splits an SQL script into statements as psql does, streaming, with line numbers: it knows
/// single-quoted, E'' and dollar-quoted strings, quoted identifiers, -- and nested /* */
/// comments, so that a semicolon inside any of them does not end a statement. After a
/// `COPY ... FROM stdin` statement the caller reads the data lines up to the `\.` line.
/// A line starting with a backslash outside a statement is a psql meta-command.

#include <cstddef>
#include <string>
#include <vector>

#include "tools/pg-seed/byte_source.hpp"

namespace pgkit {

class SqlSplitter {
public:
    enum class Event { statement, meta_command, end };

    explicit SqlSplitter(LineReader& lines) : lines_(lines) {}

    /// Reads up to the next statement or meta-command.
    Event next();

    /// The statement (with its terminating ";" when it had one) or the meta-command line.
    const std::string& text() const { return text_; }
    /// The line where the statement's text begins (whitespace and comments included).
    std::size_t start_line() const { return start_line_; }
    /// The line of the statement's first character that is not whitespace or a comment.
    std::size_t first_line() const { return first_line_; }
    /// Whether the statement is COPY ... FROM STDIN (its data follows) or COPY ... TO STDOUT.
    bool is_copy_from_stdin() const { return copy_from_stdin_; }
    bool is_copy_to_stdout() const { return copy_to_stdout_; }
    /// The statement's first word, lower case ("set", "insert", "copy").
    const std::string& first_word() const { return first_word_; }
    /// What followed "COPY ... FROM stdin;" on its line (the data starts on the next line, so
    /// anything but blanks there is a malformed file).
    const std::string& copy_tail() const { return copy_tail_; }
    /// Whether a statement was cut off by the end of the file inside a string or comment.
    bool unterminated() const { return unterminated_; }
    const char* unterminated_what() const { return unterminated_what_; }
    /// The line where the unterminated string, identifier or comment opened.
    std::size_t unterminated_line() const { return open_line_; }

    /// After a COPY FROM STDIN statement: all its data at once, as raw spans of whole lines
    /// handed to `sink`, up to and without the "\\." line. Throws Error (exit 6) when the file
    /// ends first.
    template <typename Sink>
    void copy_data(Sink&& sink, const std::string& file) {
        if (!lines_.copy_block(sink)) no_end_marker(file);
        pending_copy_ = false;
    }

    std::size_t line_number() const { return lines_.line_number(); }

private:
    enum class State { normal, single_quote, escape_string, double_quote, dollar, block_comment };

    bool fill_line();
    [[noreturn]] void no_end_marker(const std::string& file);
    void end_word();
    void classify_copy();

    LineReader& lines_;
    std::string line_;
    std::size_t position_ = 0;
    bool have_line_ = false;
    bool first_line_of_file_ = true;

    State state_ = State::normal;
    int comment_depth_ = 0;
    std::string dollar_tag_;
    std::string text_;
    std::string words_;  ///< the statement outside strings and comments, lower case
    bool has_content_ = false;
    bool maybe_copy_ = true;  ///< still collecting words_ (it may be a COPY)
    int significant_ = 0;     ///< non-blank characters of the statement seen so far
    int paren_depth_ = 0;
    int begin_depth_ = 0;                     ///< BEGIN ... END blocks of a routine body
    bool track_words_ = true;                 ///< the statement may still be a routine
    std::string word_;                        ///< the identifier being read
    std::vector<std::string> leading_words_;  ///< the statement's first identifiers
    std::string first_word_;
    bool first_word_open_ = true;
    std::size_t start_line_ = 0, first_line_ = 0;
    bool copy_from_stdin_ = false, copy_to_stdout_ = false;
    bool unterminated_ = false;
    std::size_t open_line_ = 0;
    const char* unterminated_what_ = "";
    bool pending_copy_ = false;
    bool finished_ = false;
    std::string copy_tail_;
};

}  // namespace pgkit

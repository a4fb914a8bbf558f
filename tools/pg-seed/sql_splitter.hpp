#pragma once
/// Splits an SQL script into statements as psql does, streaming, with line numbers: it knows
/// single-quoted, E'' and dollar-quoted strings, quoted identifiers, -- and nested /* */
/// comments, so that a semicolon inside any of them does not end a statement. After a
/// `COPY ... FROM stdin` statement the caller reads the data lines up to the `\.` line.
/// A line starting with a backslash outside a statement is a psql meta-command.
///
/// Like psql, it reads text as the session does (TextReading): with standard_conforming_strings
/// off, a backslash escapes in every '' string, and in a client encoding whose characters can
/// hold ASCII bytes after their first (SJIS, BIG5, GBK, UHC, GB18030, JOHAB), such a byte is
/// part of its character, never a quote, backslash or semicolon.

#include <cstddef>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "tools/pg-seed/byte_source.hpp"

namespace pgkit {

/// The session settings that change how SQL text is split.
struct TextReading {
    bool standard_strings = true;  ///< standard_conforming_strings
    int encoding = -1;             ///< libpq's id of client_encoding (PQclientEncoding); -1: UTF-8

    bool operator==(const TextReading&) const = default;

    /// Whether every quote, backslash and parenthesis byte in text read this way is one:
    /// standard strings, and an encoding whose characters never hold ASCII bytes after their
    /// first (what INSERT folding needs to read a VALUES list byte by byte).
    bool plain_bytes() const;

    /// What libpq reports for a connection, as psql reads it before each statement.
    static TextReading of(const PGconn* connection);
    /// Before connecting: PGCLIENTENCODING if set, else UTF-8; standard strings.
    static TextReading from_environment();
};

/// How a session reads text after `statement` ran, for the checks made before connecting: SET
/// and RESET of standard_conforming_strings and client_encoding, SET NAMES and SELECT
/// set_config(...), read from the statement's words; `initial` is what RESET goes back to.
/// Anything else changes nothing. (While loading, the server's own report is used instead.)
TextReading reading_after(const std::string& statement, const TextReading& now,
                          const TextReading& initial);

class SqlSplitter {
public:
    enum class Event { statement, meta_command, end };

    explicit SqlSplitter(LineReader& lines, TextReading reading = {}) : lines_(lines) {
        read_as(reading);
    }

    /// Reads what follows as a session with these settings does (the rest of the current line
    /// included).
    void read_as(const TextReading& reading);
    const TextReading& reading() const { return reading_; }

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
    void mask_trail_bytes();
    [[noreturn]] void no_end_marker(const std::string& file);
    void end_word();
    void classify_copy();

    LineReader& lines_;
    std::string line_;
    std::string scan_;  ///< line_ with ASCII bytes inside multibyte characters masked
    TextReading reading_;
    bool mask_ = false;  ///< the encoding's characters can hold ASCII bytes after the first
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

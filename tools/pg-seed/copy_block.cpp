#include "tools/pg-seed/copy_block.hpp"

#include <cctype>
#include <vector>

namespace pgkit {
namespace {

struct Token {
    enum Kind { word, string, other } kind;
    std::string text;  ///< a word lower case; a string's value
};

/// The statement's tokens: words, '' and E'' strings (their values), double-quoted names
/// (other) and punctuation (other), outside comments.
std::vector<Token> tokens_of(const std::string& sql) {
    std::vector<Token> tokens;
    std::size_t at = 0;
    const std::size_t size = sql.size();
    while (at < size) {
        const char c = sql[at];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++at;
        } else if (c == '-' && at + 1 < size && sql[at + 1] == '-') {
            at = sql.find('\n', at);
            if (at == std::string::npos) break;
        } else if (c == '/' && at + 1 < size && sql[at + 1] == '*') {
            const auto end = sql.find("*/", at + 2);
            if (end == std::string::npos) break;
            at = end + 2;
        } else if (c == '\'') {
            // E'...' was read as the word "e" just before: backslashes escape in it.
            const bool escapes = !tokens.empty() && tokens.back().kind == Token::word &&
                                 tokens.back().text == "e" && at > 0 &&
                                 (sql[at - 1] == 'e' || sql[at - 1] == 'E');
            if (escapes) tokens.pop_back();
            std::string value;
            ++at;
            while (at < size) {
                if (escapes && sql[at] == '\\' && at + 1 < size) {
                    value += sql[at + 1];
                    at += 2;
                } else if (sql[at] == '\'' && at + 1 < size && sql[at + 1] == '\'') {
                    value += '\'';
                    at += 2;
                } else if (sql[at] == '\'') {
                    ++at;
                    break;
                } else {
                    value += sql[at++];
                }
            }
            tokens.push_back({Token::string, value});
        } else if (c == '"') {
            const auto end = sql.find('"', at + 1);
            tokens.push_back({Token::other, "\""});
            if (end == std::string::npos) break;
            at = end + 1;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            std::string word;
            while (at < size && (std::isalnum(static_cast<unsigned char>(sql[at])) || sql[at] == '_')) {
                word += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[at++])));
            }
            tokens.push_back({Token::word, word});
        } else {
            tokens.push_back({Token::other, std::string(1, c)});
            ++at;
        }
    }
    return tokens;
}

}  // namespace

std::optional<CsvQuoting> csv_quoting_of(const std::string& copy_statement) {
    const std::vector<Token> tokens = tokens_of(copy_statement);
    // The options follow FROM STDIN.
    std::size_t at = 0;
    for (; at + 1 < tokens.size(); ++at) {
        if (tokens[at].kind == Token::word && tokens[at].text == "from" &&
            tokens[at + 1].kind == Token::word && tokens[at + 1].text == "stdin") {
            break;
        }
    }
    if (at + 1 >= tokens.size()) return std::nullopt;
    bool csv = false;
    std::optional<char> quote, escape;
    // A value: a string, or a word (FORMAT csv), after an optional AS.
    const auto value_after = [&tokens](std::size_t index) -> const Token* {
        if (index < tokens.size() && tokens[index].kind == Token::word && tokens[index].text == "as") ++index;
        return index < tokens.size() && tokens[index].kind != Token::other ? &tokens[index] : nullptr;
    };
    for (std::size_t i = at + 2; i < tokens.size(); ++i) {
        if (tokens[i].kind != Token::word) continue;
        const std::string& word = tokens[i].text;
        if (word == "csv") {
            csv = true;
        } else if (word == "format") {
            if (const Token* value = value_after(i + 1)) {
                std::string format = value->text;
                for (auto& ch : format) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                csv = format == "csv";
            }
        } else if (word == "quote" || word == "escape") {
            const Token* value = value_after(i + 1);
            if (value != nullptr && value->kind == Token::string && value->text.size() == 1) {
                (word == "quote" ? quote : escape) = value->text[0];
            }
        }
    }
    if (!csv) return std::nullopt;
    CsvQuoting quoting;
    if (quote) quoting.quote = *quote;
    quoting.escape = escape.value_or(quoting.quote);
    return quoting;
}

void FirstRecordLines::feed(const char* data, std::size_t size) {
    for (std::size_t i = 0; i < size && !done_; ++i) {
        const char c = data[i];
        if (in_quote_) {
            // The escape character escapes only a quote or itself; anything else after it is
            // read as usual.
            const bool escaped = after_escape_ && (c == quoting_.quote || c == quoting_.escape);
            after_escape_ = false;
            if (escaped) continue;
            if (quoting_.escape != quoting_.quote && c == quoting_.escape) {
                after_escape_ = true;
            } else if (c == quoting_.quote) {
                in_quote_ = false;
            } else if (c == '\n') {
                ++newlines_;
            } else if (c == '\r') {
                ++returns_;
            }
        } else if (c == quoting_.quote) {
            in_quote_ = true;
        } else if (c == '\n') {
            done_ = true;
        }
    }
}

}  // namespace pgkit

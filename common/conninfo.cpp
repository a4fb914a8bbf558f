#include "common/conninfo.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace pgkit {

namespace {

/// The keywords whose values are secrets: the password, and the client key's passphrase.
bool is_secret_keyword(std::string_view name) {
    return name == "password" || name == "sslpassword";
}

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

/// The keyword/value form, read as libpq's conninfo_parse reads it: blanks around '=',
/// values unquoted (up to a blank, backslash escaping the next byte) or in single quotes.
void keyword_value_passwords(std::string_view text, std::vector<TextSpan>& spans) {
    std::size_t at = 0;
    const std::size_t end = text.size();
    while (at < end) {
        if (is_space(text[at])) {
            ++at;
            continue;
        }
        const std::size_t name_start = at;
        while (at < end && text[at] != '=' && !is_space(text[at]))
            ++at;
        const std::string_view name = text.substr(name_start, at - name_start);
        while (at < end && is_space(text[at]))
            ++at;
        if (at == end || text[at] != '=')
            return;  // libpq refuses the string here
        ++at;
        while (at < end && is_space(text[at]))
            ++at;
        const bool quoted = at < end && text[at] == '\'';
        if (quoted)
            ++at;
        const std::size_t value_start = at;
        bool closed = !quoted;
        while (at < end) {
            if (text[at] == '\\') {
                at = at + 1 < end ? at + 2 : end;
                continue;
            }
            if (quoted ? text[at] == '\'' : is_space(text[at])) {
                closed = true;
                break;
            }
            ++at;
        }
        if (is_secret_keyword(name) && at > value_start) {
            spans.push_back({value_start, at - value_start});
        }
        if (!closed)
            return;  // an unterminated quoted value runs to the end
        ++at;        // past the closing quote or the blank
    }
}

/// %XX decoded, as libpq decodes a URI's parts; anything else kept as it is.
std::string percent_decoded(std::string_view text) {
    std::string out;
    for (std::size_t at = 0; at < text.size(); ++at) {
        if (text[at] == '%' && at + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[at + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[at + 2]))) {
            out += static_cast<char>(std::stoi(std::string(text.substr(at + 1, 2)), nullptr, 16));
            at += 2;
        } else {
            out += text[at];
        }
    }
    return out;
}

/// The URI form. libpq (conninfo_uri_parse_options) takes credentials up to the first '@'
/// met before any '/', and query parameters key=value joined by '&', with the keys
/// percent-decoded. What is hidden reaches wider than what libpq reads, since a password the
/// user meant is a secret even where libpq reads it otherwise ('@' or '/' not encoded): the
/// credentials also run to the last '@' before the first '?', and the query starts there.
void uri_passwords(std::string_view text, std::size_t after_scheme, std::vector<TextSpan>& spans) {
    const std::size_t colon = text.find(':', after_scheme);
    auto credentials_to = [&](std::size_t at_sign) {
        if (colon < at_sign && at_sign > colon + 1) {
            const TextSpan span{colon + 1, at_sign - colon - 1};
            if (std::find(spans.begin(), spans.end(), span) == spans.end())
                spans.push_back(span);
        }
    };
    std::size_t first = after_scheme;
    while (first < text.size() && text[first] != '@' && text[first] != '/')
        ++first;
    if (first < text.size() && text[first] == '@')
        credentials_to(first);
    const std::size_t last = text.substr(0, text.find('?', after_scheme)).rfind('@');
    if (last != std::string_view::npos && last >= after_scheme)
        credentials_to(last);
    const std::size_t query = text.find('?', after_scheme);
    if (query == std::string_view::npos)
        return;
    std::size_t param = query + 1;
    while (param < text.size()) {
        const std::size_t param_end = std::min(text.find('&', param), text.size());
        const std::string_view pair = text.substr(param, param_end - param);
        const std::size_t equals = pair.find('=');
        if (equals != std::string_view::npos &&
            is_secret_keyword(percent_decoded(pair.substr(0, equals))) &&
            pair.size() > equals + 1) {
            spans.push_back({param + equals + 1, pair.size() - equals - 1});
        }
        param = param_end + 1;
    }
}

}  // namespace

std::vector<TextSpan> connection_string_passwords(std::string_view conninfo) {
    std::vector<TextSpan> spans;
    for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (starts_with(conninfo, scheme)) {
            uri_passwords(conninfo, scheme.size(), spans);
            return spans;
        }
    }
    keyword_value_passwords(conninfo, spans);
    return spans;
}

bool may_hold_password(std::string_view conninfo) {
    if (!connection_string_passwords(conninfo).empty())
        return true;
    std::string lower = percent_decoded(conninfo);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("password") != std::string::npos;
}

std::string redact_quoted_pieces(std::string_view message) {
    std::string out;
    std::size_t at = 0;
    while (at < message.size()) {
        if (message[at] != '"') {
            out += message[at++];
            continue;
        }
        const std::string_view rest = message.substr(at);
        if (starts_with(rest, "\"=\"") || starts_with(rest, "\"]\"")) {
            out += rest.substr(0, 3);
            at += 3;
            continue;
        }
        // A piece of the user's string may itself hold quotes: it runs to the message's last
        // quote (libpq quotes the string's piece last in each of its messages).
        const std::size_t last = message.rfind('"');
        out += "\"...\"";
        at = last > at ? last + 1 : message.size();
    }
    return out;
}

int hide_passwords_in_arguments(int argc, char** argv, std::string_view conninfo) {
    const std::vector<TextSpan> spans = connection_string_passwords(conninfo);
    if (spans.empty())
        return 0;
    int changed = 0;
    for (int i = 1; i < argc; ++i) {
        const std::size_t length = std::strlen(argv[i]);
        if (length < conninfo.size() ||
            std::string_view(argv[i] + length - conninfo.size()) != conninfo) {
            continue;
        }
        char* value = argv[i] + length - conninfo.size();
        for (const TextSpan& span : spans) {
            std::memset(value + span.offset, '*', span.length);
        }
        ++changed;
    }
    return changed;
}

}  // namespace pgkit

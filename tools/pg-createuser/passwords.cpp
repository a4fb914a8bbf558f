#include "tools/pg-createuser/passwords.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "common/errors.hpp"
#include "common/session.hpp"
#include "common/password_prompt.hpp"
#include "common/text.hpp"

namespace pgkit {
namespace {

std::string without_line_ending(std::string line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

void refuse_empty(const std::string& password, const std::string& source) {
    if (password.empty()) {
        throw UsageError(fmt::format("the password from {} is empty", source),
                         "An empty password cannot be used to log in; give a real one.");
    }
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                       reinterpret_cast<const unsigned char*>(bytes.data()),
                                       static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(length));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                       reinterpret_cast<const unsigned char*>(text.data()),
                                       static_cast<int>(text.size()));
    if (length < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes; drop them.
    std::size_t padding = 0;
    if (text.back() == '=') ++padding;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
    out.resize(static_cast<std::size_t>(length) - padding);
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    return std::string(reinterpret_cast<char*>(digest), length);
}

std::string sha256(std::string_view bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

std::string md5_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
    return to_hex(digest, length);
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

/// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
struct ScramVerifier {
    int iterations = 0;
    std::string salt, stored_key, server_key;  // decoded bytes
};

std::optional<ScramVerifier> parse_scram(std::string_view text) {
    constexpr std::string_view prefix = "SCRAM-SHA-256$";
    if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
    text.remove_prefix(prefix.size());
    const auto colon1 = text.find(':');
    const auto dollar = text.find('$');
    if (colon1 == std::string_view::npos || dollar == std::string_view::npos || dollar < colon1) {
        return std::nullopt;
    }
    const auto colon2 = text.find(':', dollar);
    if (colon2 == std::string_view::npos) return std::nullopt;
    ScramVerifier verifier;
    const std::string iterations{text.substr(0, colon1)};
    if (iterations.empty() ||
        !std::all_of(iterations.begin(), iterations.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        iterations.size() > 9) {
        return std::nullopt;
    }
    verifier.iterations = std::atoi(iterations.c_str());
    auto salt = base64_decode(text.substr(colon1 + 1, dollar - colon1 - 1));
    auto stored = base64_decode(text.substr(dollar + 1, colon2 - dollar - 1));
    auto server = base64_decode(text.substr(colon2 + 1));
    if (!salt || !stored || !server || stored->size() != SHA256_DIGEST_LENGTH ||
        server->size() != SHA256_DIGEST_LENGTH || verifier.iterations < 1) {
        return std::nullopt;
    }
    verifier.salt = std::move(*salt);
    verifier.stored_key = std::move(*stored);
    verifier.server_key = std::move(*server);
    return verifier;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string read_password_file(const std::string& path, std::vector<std::string>& warnings) {
    std::string line;
    if (path == "-") {
        if (!std::getline(std::cin, line) && line.empty()) {
            throw Error(Exit::bad_input, "could not read a password from standard input",
                        "Standard input was empty.");
        }
        line = without_line_ending(line);
        refuse_empty(line, "standard input");
        return line;
    }
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        throw Error(Exit::bad_input,
                    fmt::format("could not read password file \"{}\": {}", path,
                                std::strerror(errno)));
    }
    if (!S_ISREG(status.st_mode) && !S_ISFIFO(status.st_mode) && !S_ISCHR(status.st_mode)) {
        throw Error(Exit::bad_input,
                    fmt::format("password file \"{}\" is not a regular file", path));
    }
    if (S_ISREG(status.st_mode) && (status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        warnings.push_back(fmt::format(
            "password file \"{}\" has group or world access; permissions should be u=rw (0600) "
            "or less",
            path));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(Exit::bad_input, fmt::format("could not read password file \"{}\": {}", path,
                                                 std::strerror(errno)));
    }
    std::getline(in, line);
    line = without_line_ending(line);
    refuse_empty(line, fmt::format("file \"{}\"", path));
    return line;
}

std::string read_password_env(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
        throw UsageError(fmt::format("environment variable \"{}\" is not set", name),
                         "Export it before running, or use --password-file.");
    }
    std::string password = without_line_ending(value);
    refuse_empty(password, fmt::format("environment variable \"{}\"", name));
    return password;
}

std::string prompt_new_password() {
    const auto first = read_password_from_terminal("Enter password for new role: ");
    if (!first) {
        throw UsageError("-P/--pwprompt needs a terminal to ask for the password",
                         "Without a terminal, use --password-file=FILE or --password-env=VAR.");
    }
    const auto second = read_password_from_terminal("Enter it again: ");
    if (!second || *first != *second) {
        throw UsageError("passwords didn't match", "Type the same password twice.");
    }
    refuse_empty(*first, "the prompt");
    return *first;
}

bool is_password_verifier(std::string_view value) {
    if (value.size() == 35 && value.substr(0, 3) == "md5") {
        return std::all_of(value.begin() + 3, value.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        });
    }
    return parse_scram(value).has_value();
}

std::string scram_sha256_verifier(std::string_view password, std::string_view salt,
                                  int iterations) {
    unsigned char salted[SHA256_DIGEST_LENGTH];
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof salted,
                      salted);
    const std::string salted_password(reinterpret_cast<char*>(salted), sizeof salted);
    const std::string stored_key = sha256(hmac_sha256(salted_password, "Client Key"));
    const std::string server_key = hmac_sha256(salted_password, "Server Key");
    return fmt::format("SCRAM-SHA-256${}:{}${}:{}", iterations, base64_encode(salt),
                       base64_encode(stored_key), base64_encode(server_key));
}

PasswordMatch match_stored_password(std::string_view password, std::string_view role,
                                    std::string_view stored) {
    if (stored.empty()) return PasswordMatch::differs;
    if (is_password_verifier(password)) {
        return password == stored ? PasswordMatch::matches : PasswordMatch::differs;
    }
    if (const auto scram = parse_scram(stored)) {
        // The server applies SASLprep to the password; for ASCII text that changes nothing.
        if (!is_ascii(password)) return PasswordMatch::unknown;
        const auto ours = parse_scram(scram_sha256_verifier(password, scram->salt, scram->iterations));
        return ours && constant_time_equal(ours->stored_key, scram->stored_key) &&
                       constant_time_equal(ours->server_key, scram->server_key)
                   ? PasswordMatch::matches
                   : PasswordMatch::differs;
    }
    if (is_password_verifier(stored)) {  // md5
        const std::string ours = "md5" + md5_hex(std::string(password) + std::string(role));
        return constant_time_equal(ours, std::string(stored)) ? PasswordMatch::matches
                                                              : PasswordMatch::differs;
    }
    return PasswordMatch::unknown;
}

std::optional<std::string> read_new_password(const std::optional<std::string>& file,
                                             const std::optional<std::string>& variable,
                                             bool prompt, std::vector<std::string>& warnings) {
    if (file) return read_password_file(*file, warnings);
    if (variable) return read_password_env(*variable);
    if (prompt) return prompt_new_password();
    return std::nullopt;
}

std::string password_verifier(const Session& session, const std::string& password,
                              const std::string& role) {
    if (is_password_verifier(password)) return password;
    std::unique_ptr<char, decltype(&PQfreemem)> hashed(
        PQencryptPasswordConn(session.raw(), password.c_str(), role.c_str(), nullptr),
        &PQfreemem);
    if (!hashed) {
        throw Error(Exit::server, fmt::format("password encryption failed: {}",
                                              first_line(PQerrorMessage(session.raw()))));
    }
    return hashed.get();
}

PasswordMatch stored_password_match(Session& session, const std::string& password,
                                    const std::string& role) {
    try {
        const Result result = session.query(
            "SELECT a.rolpassword FROM pg_catalog.pg_authid a WHERE a.rolname = $1", {role});
        if (result.rows() == 0 || result.is_null(0, 0)) return PasswordMatch::differs;
        return match_stored_password(password, role, result.text(0, 0));
    } catch (const SqlError& error) {
        if (error.is(SqlCondition::insufficient_privilege)) {
            return PasswordMatch::unknown;  // not a superuser
        }
        throw;
    }
}

}  // namespace pgkit

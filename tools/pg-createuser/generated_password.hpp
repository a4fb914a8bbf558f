#pragma once
/// --generate-password=FILE: a strong random password for a new role (or a rotated one),
/// made here from the operating system's random source, written to a file of mode 0600 that
/// the application reads, and never printed.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pgkit {

/// The characters a generated password is made of: letters and digits (the default, safe in
/// URIs, shells and configuration files), lower-case hexadecimal digits, or letters, digits,
/// '-' and '_' (URL-safe).
enum class PasswordAlphabet { alphanumeric, hex, urlsafe };

/// "alphanumeric", "hex", "urlsafe"; nothing for another word.
std::optional<PasswordAlphabet> parse_password_alphabet(std::string_view word);

/// `length` characters drawn uniformly from `alphabet` (getrandom(2), rejection sampling, no
/// modulo bias). Throws Error when the system has no random bytes to give.
std::string generate_password(std::size_t length, PasswordAlphabet alphabet);

/// The file a generated password goes to, written in two steps so that it never holds a
/// password the role does not have: stage() writes a temporary file (mode 0600, beside the
/// final one) before the password is sent; commit() renames it into place once the server
/// has it; a PendingPasswordFile destroyed without commit() removes the temporary file.
class PendingPasswordFile {
public:
    explicit PendingPasswordFile(std::string path) : path_(std::move(path)) {}
    PendingPasswordFile(const PendingPasswordFile&) = delete;
    PendingPasswordFile& operator=(const PendingPasswordFile&) = delete;
    ~PendingPasswordFile();

    /// Throws Error (exit 6) when the directory cannot take the file.
    void stage(const std::string& password);
    /// Throws Error (exit 6, naming the temporary file that holds the password) when the
    /// rename fails.
    void commit();
    const std::string& path() const { return path_; }

private:
    std::string path_, temporary_;
};

}  // namespace pgkit

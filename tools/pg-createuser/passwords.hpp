#pragma once
/// Passwords that never travel in plain text: where they come from (a file, an environment
/// variable, a terminal), how they are recognised when already hashed, and how a plain
/// password is checked against a stored verifier without sending it anywhere.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

class Session;

/// The new role's password from the one source given (--password-file, --password-env or
/// -P), read before connecting so that a bad source sends nothing; nothing when none is given.
std::optional<std::string> read_new_password(const std::optional<std::string>& file,
                                             const std::optional<std::string>& variable,
                                             bool prompt, std::vector<std::string>& warnings);

/// The password as it is sent: a verifier, hashed here with the server's password_encryption
/// (PQencryptPasswordConn), or the value itself when it is a verifier already.
std::string password_verifier(const Session& session, const std::string& password,
                              const std::string& role);

/// The first line of FILE ("-": standard input), without its line ending. Throws Error with
/// exit 6 when the file cannot be read, UsageError (exit 2) when the password is empty.
/// `warnings` receives a line when the file can be read by group or others.
std::string read_password_file(const std::string& path, std::vector<std::string>& warnings);

/// The value of environment variable `name`. Throws UsageError when unset or empty.
std::string read_password_env(const std::string& name);

/// Asks twice on the terminal, with echo off. Throws UsageError when there is no terminal,
/// when the two differ, or when the password is empty.
std::string prompt_new_password();

/// A SCRAM-SHA-256 or md5 verifier, as PostgreSQL stores it.
bool is_password_verifier(std::string_view value);

enum class PasswordMatch { matches, differs, unknown };

/// Whether `password` (plain text, or a verifier) is what `stored` (pg_authid.rolpassword)
/// holds. SCRAM-SHA-256: the keys are derived again from the stored salt and iteration count;
/// md5: md5(password || role). `unknown` when it cannot be told (a non-ASCII password, which
/// the server would normalise with SASLprep first, or a stored value of another kind).
PasswordMatch match_stored_password(std::string_view password, std::string_view role,
                                    std::string_view stored);

/// Whether the role's stored verifier already holds `password` (--update-password sends
/// nothing then); `unknown` when pg_authid cannot be read (not a superuser).
PasswordMatch stored_password_match(Session& session, const std::string& password,
                                    const std::string& role);

/// The SCRAM-SHA-256 verifier of `password` with the given salt and iteration count, in
/// PostgreSQL's text form (for tests and for checking a match).
std::string scram_sha256_verifier(std::string_view password, std::string_view salt,
                                  int iterations);

}  // namespace pgkit

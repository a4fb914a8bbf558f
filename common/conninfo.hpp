#pragma once
/// Passwords inside connection strings: where they are, so that they can be hidden from the
/// process's argument list (what `ps` and /proc/PID/cmdline show) and from messages.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

/// Where a password value sits in a connection string, in bytes from its start.
struct TextSpan {
    std::size_t offset = 0;
    std::size_t length = 0;
    bool operator==(const TextSpan&) const = default;
};

/// The secret values in a libpq connection string: `password=VALUE` and `sslpassword=VALUE`
/// (also quoted, with blanks around the `=`) in the keyword/value form, read as libpq reads
/// them; `user:VALUE@` and `?password=VALUE` (the key may be percent-encoded) in a
/// postgresql:// or postgres:// URI, where an unencoded '@' or '/' in the password still
/// counts as part of it. A string that libpq would refuse still gives the spans found before
/// the fault. Spans may overlap.
std::vector<TextSpan> connection_string_passwords(std::string_view conninfo);

/// True when `conninfo` may hold a password: spans were found, or the word "password"
/// appears (a string too broken to be read to its end).
bool may_hold_password(std::string_view conninfo);

/// libpq's message about a connection string it cannot parse quotes pieces of that string
/// ("missing "=" after "..." in connection info string"). For a string that may hold a
/// password, every quoted piece but a lone "=" becomes "...".
std::string redact_quoted_pieces(std::string_view message);

/// Overwrites with '*' every password in `conninfo` where it appears in the process's own
/// arguments: an argument that is `conninfo` itself or ends with it (`--dbname=...`,
/// `-d...`). The arguments' memory is what /proc/PID/cmdline shows, so `ps` sees asterisks
/// from then on. Returns how many arguments were changed.
int hide_passwords_in_arguments(int argc, char** argv, std::string_view conninfo);

}  // namespace pgkit

#pragma once
/// What CREATE DATABASE would check, checked without it, for --dry-run: CREATE DATABASE cannot
/// run in a transaction that is then rolled back, so a dry run reads the catalog instead (and
/// lets the server try the locales in a rolled-back CREATE COLLATION), and fails with the
/// message and status the real run would give.

#include <optional>
#include <string>

#include "common/session.hpp"
#include "tools/pg-createdb/existing_database.hpp"

namespace pgkit {

/// The encoding a libc locale name asks for, from its codeset (C.UTF-8: UTF8), as libpq's id;
/// nothing for C and POSIX (any encoding) or a name without a codeset (not known here).
std::optional<int> encoding_of_locale(const std::string& locale);

/// Throws the Error that CREATE DATABASE would raise for `request`, in the server's order: the
/// owner exists, the connecting role may create databases and act as the owner, the template
/// exists and may be copied, the locales exist on the server and suit the encoding, a template
/// other than template0 has the same encoding and locales, the tablespace exists and may be
/// used. A database of that name is not looked for here.
void check_creation(Session& session, const Request& request);

}  // namespace pgkit

#pragma once
/// Locale names compared by what they name, not how they are spelt, as the C library and the
/// server read them: a second `--if-not-exists` run must not find a difference in spelling.

#include <string>

namespace pgkit {

/// Whether two libc (or builtin provider) locale names name one locale: glibc reads the
/// codeset after the "." without case or punctuation (C.utf8 is C.UTF-8, en_US.UTF-8 is
/// en_US.utf8), and the server takes POSIX for C.
bool same_libc_locale(const std::string& a, const std::string& b);

/// An ICU locale in the canonical form PostgreSQL 16 and later store (a BCP 47 language tag,
/// as ICU's uloc_toLanguageTag makes it: en_US is en-US); the name as it is when ICU cannot
/// read it.
std::string icu_language_tag(const std::string& locale);

/// Whether two ICU locale names name one locale (their language tags are equal).
bool same_icu_locale(const std::string& a, const std::string& b);

}  // namespace pgkit

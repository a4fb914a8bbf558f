#include "tools/pg-createdb/locale_names.hpp"

#include <unicode/uloc.h>

#include <cctype>

namespace pgkit {
namespace {

/// glibc's reading of a name: language[_territory][.codeset][@modifier], with the codeset
/// lower case and without punctuation; C and POSIX alike.
std::string normal_libc_name(const std::string& name) {
    if (name == "POSIX") return "C";
    const auto dot = name.find('.');
    if (dot == std::string::npos) return name;
    const auto at = name.find('@', dot);
    std::string codeset;
    for (std::size_t i = dot + 1; i < (at == std::string::npos ? name.size() : at); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (std::isalnum(c)) codeset += static_cast<char>(std::tolower(c));
    }
    return name.substr(0, dot) + "." + codeset + (at == std::string::npos ? "" : name.substr(at));
}

}  // namespace

bool same_libc_locale(const std::string& a, const std::string& b) {
    return a == b || normal_libc_name(a) == normal_libc_name(b);
}

std::string icu_language_tag(const std::string& locale) {
    char tag[ULOC_FULLNAME_CAPACITY];
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length = uloc_toLanguageTag(locale.c_str(), tag, sizeof tag, /*strict=*/true, &status);
    if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING || length <= 0) return locale;
    return std::string(tag, static_cast<std::size_t>(length));
}

bool same_icu_locale(const std::string& a, const std::string& b) {
    return a == b || icu_language_tag(a) == icu_language_tag(b);
}

}  // namespace pgkit

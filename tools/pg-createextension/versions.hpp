#pragma once
/// Extension versions as their control files spell them ("1.6", "3.4.2", "1.0beta1").

#include <optional>
#include <string_view>

namespace pgkit {

/// Compares two versions made of dot-separated numbers ("1.10" is after "1.9"): negative,
/// zero or positive as `a` is before, the same as or after `b`; nothing when either is not
/// such a version ("1.0beta1", "unpackaged"), whose order only the update paths tell.
std::optional<int> compare_versions(std::string_view a, std::string_view b);

}  // namespace pgkit

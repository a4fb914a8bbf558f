#pragma once
/// Small text helpers the tools share, each written once: joining lists, hex digests, and
/// reading UTF-8.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

/// The items with `separator` between them: join({"a", "b"}) is "a, b".
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

/// Lower-case hexadecimal, two digits a byte (a digest as sha256sum and md5 show it).
std::string to_hex(const unsigned char* bytes, std::size_t size);

/// The length (1 to 4) of the UTF-8 sequence that starts at `at`: a lead byte followed by as
/// many continuation bytes as it announces; 0 when the bytes there are not such a sequence.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

/// Decodes the UTF-8 sequence at `at` and moves past it; a byte that starts no sequence is
/// U+FFFD and counts as one.
char32_t next_code_point(std::string_view text, std::size_t& at);

/// The offset of the first byte that is not part of a valid UTF-8 sequence (overlong two-byte
/// forms included), or nothing when all of `text` is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace pgkit

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

/// The text with ASCII letters in lower case (as the server folds unquoted names); other
/// bytes as they are.
std::string lower_ascii(std::string_view text);

/// Lower-case hexadecimal, two digits a byte (a digest as sha256sum and md5 show it).
std::string to_hex(const unsigned char* bytes, std::size_t size);

/// The length (1 to 4) of the UTF-8 sequence that starts at `at` (< text.size()): a lead byte
/// followed by as many continuation bytes as it announces; 0 when the bytes there are not
/// such a sequence. Overlong forms, surrogates and values past U+10FFFF are not looked for.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

/// Decodes the UTF-8 sequence at `at` and moves past it; a byte that starts no sequence is
/// U+FFFD and counts as one.
char32_t next_code_point(std::string_view text, std::size_t& at);

/// The byte offset of character `characters` (0-based) of UTF-8 `text`: each byte that is not
/// a continuation byte starts a character (as the server counts an error position); the
/// size of `text` when it has fewer.
std::size_t utf8_offset_of(std::string_view text, std::size_t characters);

/// The offset of the first byte that starts no UTF-8 sequence (utf8_sequence_length), or an
/// overlong two-byte one (C0, C1): nothing when there is none. What the server rejects as
/// invalid is a superset; this only has to find the byte it most likely meant.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace pgkit

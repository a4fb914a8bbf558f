#pragma once
/// Files read as streams, plain or compressed (gzip, xz, zstd: the kinds the official Docker
/// image's init directory takes), never decompressed to disk or held whole in memory.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace pgkit {

enum class Compression { none, gzip, xz, zstd };

/// The compression a file name says (.gz, .xz, .zst), and the name without that suffix.
Compression compression_of(std::string_view file_name, std::string_view* without_suffix = nullptr);

class ByteSource {
public:
    virtual ~ByteSource() = default;
    /// Up to `size` bytes; 0 at the end. Throws Error (exit 6) when the file is damaged.
    virtual std::size_t read(char* buffer, std::size_t size) = 0;
    /// Bytes taken from the file on disk so far (compressed), for progress.
    virtual std::size_t raw_bytes_read() const = 0;
};

/// Opens `path` for reading, decompressing by its suffix. Throws Error (exit 6) naming the file.
std::unique_ptr<ByteSource> open_byte_source(const std::string& path);

/// Splits a ByteSource into lines, with a line count for messages.
class LineReader {
public:
    explicit LineReader(ByteSource& source) : source_(source) { buffer_.reserve(chunk_size); }
    /// The next line without its "\n" (a "\r" before it stays); false at the end.
    bool next(std::string& line);
    /// Whether the last line returned ended with "\n".
    bool had_newline() const { return had_newline_; }
    /// The 1-based number of the last line returned.
    std::size_t line_number() const { return line_number_; }

    static constexpr std::size_t chunk_size = 64 * 1024;

private:
    ByteSource& source_;
    std::string buffer_;
    std::size_t position_ = 0;
    bool at_end_ = false;
    bool had_newline_ = false;
    std::size_t line_number_ = 0;
};

}  // namespace pgkit

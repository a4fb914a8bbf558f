#pragma once
/// Files read as streams, plain or compressed (gzip, xz, zstd: the kinds the official Docker
/// image's init directory takes), never decompressed to disk or held whole in memory.

#include <algorithm>
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

/// Bytes [begin, end) of a plain (uncompressed) file. Throws Error (exit 6) naming the file.
std::unique_ptr<ByteSource> open_byte_range(const std::string& path, std::size_t begin,
                                            std::size_t end);

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

    /// COPY data: hands `sink` the raw bytes of whole lines up to the line that is exactly
    /// "\\." (or "\\.\r"), which it consumes. False when the input ends first (everything read
    /// was handed over). Line numbers advance as if the lines had been read one by one.
    template <typename Sink>
    bool copy_block(Sink&& sink);

    static constexpr std::size_t chunk_size = 64 * 1024;

private:
    ByteSource& source_;
    std::string buffer_;
    std::size_t position_ = 0;
    bool at_end_ = false;
    bool had_newline_ = false;
    std::size_t line_number_ = 0;
};

template <typename Sink>
bool LineReader::copy_block(Sink&& sink) {
    while (true) {
        const std::string_view data(buffer_.data() + position_, buffer_.size() - position_);
        // Look for the end marker at the start of a line.
        for (std::size_t at = data.find("\\."); at != std::string_view::npos;
             at = data.find("\\.", at + 1)) {
            if (at != 0 && data[at - 1] != '\n') continue;
            std::size_t after = at + 2;
            if (after < data.size() && data[after] == '\r') ++after;
            if (after == data.size() && !at_end_) break;  // its line end is in the next chunk
            if (after != data.size() && data[after] != '\n') continue;
            if (at > 0) sink(data.data(), at);
            line_number_ += static_cast<std::size_t>(std::count(data.begin(), data.begin() + at, '\n')) + 1;
            position_ += after + (after < data.size() ? 1 : 0);
            had_newline_ = after < data.size();
            return true;
        }
        // No marker yet: hand over the whole lines, keep the unfinished one.
        const std::size_t last_newline = data.rfind('\n');
        const std::size_t whole = last_newline == std::string_view::npos ? 0 : last_newline + 1;
        if (whole > 0) {
            sink(data.data(), whole);
            line_number_ += static_cast<std::size_t>(std::count(data.begin(), data.begin() + whole, '\n'));
        }
        if (at_end_) {
            if (data.size() > whole) {
                sink(data.data() + whole, data.size() - whole);
                ++line_number_;
            }
            buffer_.clear();
            position_ = 0;
            return false;
        }
        buffer_.erase(0, position_ + whole);
        position_ = 0;
        const std::size_t kept = buffer_.size();
        buffer_.resize(kept + chunk_size);
        const std::size_t got = source_.read(buffer_.data() + kept, chunk_size);
        buffer_.resize(kept + got);
        at_end_ = got == 0;
    }
}

}  // namespace pgkit

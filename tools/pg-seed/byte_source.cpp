#include "tools/pg-seed/byte_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/errors.hpp"

namespace pgkit {
namespace {

Error damaged(const std::string& path, const std::string& why) {
    return Error(Exit::bad_input, fmt::format("{}: could not read: {}", path, why));
}

/// A plain file, read with read(2).
class PlainFile : public ByteSource {
public:
    explicit PlainFile(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) throw damaged(path, std::strerror(errno));
    }
    ~PlainFile() override { ::close(fd_); }
    std::size_t read(char* buffer, std::size_t size) override {
        while (true) {
            const ssize_t got = ::read(fd_, buffer, size);
            if (got >= 0) {
                raw_ += static_cast<std::size_t>(got);
                return static_cast<std::size_t>(got);
            }
            if (errno != EINTR) throw damaged(path_, std::strerror(errno));
        }
    }
    std::size_t raw_bytes_read() const override { return raw_; }

protected:
    std::string path_;
    int fd_;
    std::size_t raw_ = 0;
};

/// Bytes [begin, end) of a plain file: one part of a file that loads over several connections.
class PlainRange : public PlainFile {
public:
    PlainRange(const std::string& path, std::size_t begin, std::size_t end)
        : PlainFile(path), left_(end - begin) {
        if (::lseek(fd_, static_cast<off_t>(begin), SEEK_SET) < 0) throw damaged(path, std::strerror(errno));
    }
    std::size_t read(char* buffer, std::size_t size) override {
        const std::size_t got = PlainFile::read(buffer, std::min(size, left_));
        left_ -= got;
        return got;
    }

private:
    std::size_t left_;
};

/// gzip through zlib (inflate with automatic header detection, concatenated members too).
class GzipFile : public ByteSource {
public:
    explicit GzipFile(const std::string& path) : file_(path), path_(path), input_(64 * 1024) {
        if (inflateInit2(&stream_, 15 + 32) != Z_OK) throw damaged(path, "zlib failed to start");
    }
    ~GzipFile() override { inflateEnd(&stream_); }
    std::size_t read(char* buffer, std::size_t size) override {
        stream_.next_out = reinterpret_cast<Bytef*>(buffer);
        stream_.avail_out = static_cast<uInt>(size);
        while (stream_.avail_out == size && !finished_) {
            if (stream_.avail_in == 0) {
                const std::size_t got = file_.read(input_.data(), input_.size());
                if (got == 0) {
                    if (!clean_end_) throw damaged(path(), "unexpected end of gzip data");
                    finished_ = true;
                    break;
                }
                stream_.next_in = reinterpret_cast<Bytef*>(input_.data());
                stream_.avail_in = static_cast<uInt>(got);
            }
            const int status = inflate(&stream_, Z_NO_FLUSH);
            if (status == Z_STREAM_END) {
                clean_end_ = true;
                inflateReset(&stream_);  // a further gzip member may follow
            } else if (status != Z_OK && status != Z_BUF_ERROR) {
                throw damaged(path(), stream_.msg != nullptr ? stream_.msg : "bad gzip data");
            } else if (status == Z_OK) {
                clean_end_ = false;
            }
        }
        return size - stream_.avail_out;
    }
    std::size_t raw_bytes_read() const override { return file_.raw_bytes_read(); }

private:
    const std::string& path() const { return path_; }
    PlainFile file_;
    std::string path_;
    std::vector<char> input_;
    z_stream stream_{};
    bool finished_ = false;
    bool clean_end_ = false;
};

/// xz through liblzma.
class XzFile : public ByteSource {
public:
    explicit XzFile(const std::string& path) : file_(path), path_(path), input_(64 * 1024) {
        if (lzma_stream_decoder(&stream_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
            throw damaged(path, "liblzma failed to start");
        }
    }
    ~XzFile() override { lzma_end(&stream_); }
    std::size_t read(char* buffer, std::size_t size) override {
        stream_.next_out = reinterpret_cast<uint8_t*>(buffer);
        stream_.avail_out = size;
        while (stream_.avail_out == size && !finished_) {
            lzma_action action = LZMA_RUN;
            if (stream_.avail_in == 0 && !input_done_) {
                const std::size_t got = file_.read(input_.data(), input_.size());
                stream_.next_in = reinterpret_cast<uint8_t*>(input_.data());
                stream_.avail_in = got;
                input_done_ = got == 0;
            }
            if (input_done_) action = LZMA_FINISH;
            const lzma_ret status = lzma_code(&stream_, action);
            if (status == LZMA_STREAM_END) {
                finished_ = true;
            } else if (status != LZMA_OK) {
                throw damaged(path_, fmt::format("bad xz data (liblzma error {})", int(status)));
            }
        }
        return size - stream_.avail_out;
    }
    std::size_t raw_bytes_read() const override { return file_.raw_bytes_read(); }

private:
    PlainFile file_;
    std::string path_;
    std::vector<char> input_;
    lzma_stream stream_ = LZMA_STREAM_INIT;
    bool input_done_ = false;
    bool finished_ = false;
};

/// zstd through libzstd's streaming decoder.
class ZstdFile : public ByteSource {
public:
    explicit ZstdFile(const std::string& path)
        : file_(path), path_(path), input_(ZSTD_DStreamInSize()), stream_(ZSTD_createDStream()) {
        if (stream_ == nullptr) throw damaged(path, "libzstd failed to start");
    }
    ~ZstdFile() override { ZSTD_freeDStream(stream_); }
    std::size_t read(char* buffer, std::size_t size) override {
        ZSTD_outBuffer out{buffer, size, 0};
        while (out.pos == 0) {
            if (in_.pos == in_.size) {
                const std::size_t got = file_.read(input_.data(), input_.size());
                if (got == 0) {
                    if (frame_open_) throw damaged(path_, "unexpected end of zstd data");
                    return 0;
                }
                in_ = {input_.data(), got, 0};
            }
            const std::size_t status = ZSTD_decompressStream(stream_, &out, &in_);
            if (ZSTD_isError(status)) throw damaged(path_, ZSTD_getErrorName(status));
            frame_open_ = status != 0;
        }
        return out.pos;
    }
    std::size_t raw_bytes_read() const override { return file_.raw_bytes_read(); }

private:
    PlainFile file_;
    std::string path_;
    std::vector<char> input_;
    ZSTD_inBuffer in_{nullptr, 0, 0};
    ZSTD_DStream* stream_;
    bool frame_open_ = false;
};

}  // namespace

Compression compression_of(std::string_view file_name, std::string_view* without_suffix) {
    struct Suffix {
        std::string_view text;
        Compression kind;
    };
    for (const Suffix& suffix : {Suffix{".gz", Compression::gzip}, Suffix{".xz", Compression::xz},
                                 Suffix{".zst", Compression::zstd}}) {
        if (file_name.ends_with(suffix.text)) {
            if (without_suffix != nullptr) {
                *without_suffix = file_name.substr(0, file_name.size() - suffix.text.size());
            }
            return suffix.kind;
        }
    }
    if (without_suffix != nullptr) *without_suffix = file_name;
    return Compression::none;
}

std::unique_ptr<ByteSource> open_byte_range(const std::string& path, std::size_t begin,
                                            std::size_t end) {
    return std::make_unique<PlainRange>(path, begin, end);
}

std::unique_ptr<ByteSource> open_byte_source(const std::string& path) {
    switch (compression_of(path)) {
        case Compression::gzip:
            return std::make_unique<GzipFile>(path);
        case Compression::xz:
            return std::make_unique<XzFile>(path);
        case Compression::zstd:
            return std::make_unique<ZstdFile>(path);
        case Compression::none:
            break;
    }
    return std::make_unique<PlainFile>(path);
}

bool LineReader::next(std::string& line) {
    line.clear();
    while (true) {
        const std::size_t newline = buffer_.find('\n', position_);
        if (newline != std::string::npos) {
            line.append(buffer_, position_, newline - position_);
            position_ = newline + 1;
            had_newline_ = true;
            ++line_number_;
            return true;
        }
        line.append(buffer_, position_, std::string::npos);
        buffer_.clear();
        position_ = 0;
        if (at_end_) {
            had_newline_ = false;
            if (line.empty()) return false;
            ++line_number_;
            return true;
        }
        buffer_.resize(chunk_size);
        const std::size_t got = source_.read(buffer_.data(), chunk_size);
        buffer_.resize(got);
        at_end_ = got == 0;
    }
}

}  // namespace pgkit

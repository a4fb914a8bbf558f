#pragma once
/// A ByteSource over a string, for pg-seed's unit tests: it hands out at most `step` bytes a
/// read, so that lines, tokens and "\r\n" pairs cross read boundaries.

#include <algorithm>
#include <cstring>
#include <string>

#include "tools/pg-seed/byte_source.hpp"

namespace pgkit::test {

class StringSource : public ByteSource {
public:
    explicit StringSource(std::string text, std::size_t step = 7)
        : text_(std::move(text)), step_(step) {}
    std::size_t read(char* buffer, std::size_t size) override {
        const std::size_t n = std::min({size, step_, text_.size() - at_});
        std::memcpy(buffer, text_.data() + at_, n);
        at_ += n;
        return n;
    }
    std::size_t raw_bytes_read() const override { return at_; }

private:
    std::string text_;
    std::size_t step_;
    std::size_t at_ = 0;
};

}  // namespace pgkit::test

#pragma once
/// The checksum --once records: SHA-256 of a file's content as it is read, with "\r\n" read
/// as "\n" so that a checkout with other line ends is not a change.

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "tools/pg-seed/byte_source.hpp"

namespace pgkit {

/// A ByteSource that hashes what passes through it.
class HashingSource : public ByteSource {
public:
    /// With `enabled` false it only passes the bytes on (no --once: no checksum to make).
    HashingSource(ByteSource& inner, bool enabled);

    std::size_t read(char* buffer, std::size_t size) override;
    std::size_t raw_bytes_read() const override { return inner_.raw_bytes_read(); }

    /// The digest in hex, once everything has been read.
    std::string hex();

private:
    ByteSource& inner_;
    bool enabled_;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
    bool pending_cr_ = false;  ///< a "\r" ended the last chunk: is "\n" next?
};

}  // namespace pgkit

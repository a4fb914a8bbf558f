#include "tools/pg-seed/hashing_source.hpp"

#include "common/text.hpp"

namespace pgkit {

HashingSource::HashingSource(ByteSource& inner, bool enabled)
    : inner_(inner), enabled_(enabled), context_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
}

std::size_t HashingSource::read(char* buffer, std::size_t size) {
    const std::size_t got = inner_.read(buffer, size);
    if (!enabled_) return got;
    std::string normal;
    normal.reserve(got + 1);
    if (pending_cr_ && (got == 0 || buffer[0] != '\n')) normal += '\r';
    pending_cr_ = false;
    for (std::size_t i = 0; i < got; ++i) {
        if (buffer[i] == '\r') {
            if (i + 1 == got) {
                pending_cr_ = true;
            } else if (buffer[i + 1] != '\n') {
                normal += '\r';
            }
        } else {
            normal += buffer[i];
        }
    }
    EVP_DigestUpdate(context_.get(), normal.data(), normal.size());
    return got;
}

std::string HashingSource::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &length);
    return to_hex(digest, length);
}

}  // namespace pgkit

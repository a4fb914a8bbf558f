#include "tools/pg-createuser/generated_password.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/errors.hpp"

namespace pgkit {

namespace {

std::string_view characters(PasswordAlphabet alphabet) {
    switch (alphabet) {
    case PasswordAlphabet::hex: return "0123456789abcdef";
    case PasswordAlphabet::urlsafe:
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    case PasswordAlphabet::alphanumeric: break;
    }
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
}

void fill_random(unsigned char* bytes, std::size_t size) {
    while (size > 0) {
        const ssize_t got = ::getrandom(bytes, size, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw Error(Exit::server, fmt::format("could not read random bytes from the system: {}",
                                                  std::strerror(errno)));
        }
        bytes += got;
        size -= static_cast<std::size_t>(got);
    }
}

Error file_error(const std::string& what, const std::string& path) {
    return Error(Exit::bad_input, fmt::format("could not {} \"{}\": {}", what, path, std::strerror(errno)));
}

}  // namespace

std::optional<PasswordAlphabet> parse_password_alphabet(std::string_view word) {
    if (word == "alphanumeric") return PasswordAlphabet::alphanumeric;
    if (word == "hex") return PasswordAlphabet::hex;
    if (word == "urlsafe") return PasswordAlphabet::urlsafe;
    return std::nullopt;
}

std::string generate_password(std::size_t length, PasswordAlphabet alphabet) {
    const std::string_view set = characters(alphabet);
    // Bytes at or above the largest multiple of the alphabet's size are thrown away, so that
    // every character is equally likely.
    const unsigned limit = 256U - 256U % static_cast<unsigned>(set.size());
    std::string password;
    password.reserve(length);
    std::vector<unsigned char> bytes(64);
    while (password.size() < length) {
        fill_random(bytes.data(), bytes.size());
        for (const unsigned char byte : bytes) {
            if (byte >= limit) continue;
            password += set[byte % set.size()];
            if (password.size() == length) break;
        }
    }
    std::fill(bytes.begin(), bytes.end(), 0);
    return password;
}

PendingPasswordFile::~PendingPasswordFile() {
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void PendingPasswordFile::stage(const std::string& password) {
    std::string pattern = path_ + ".XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    // mkstemp makes it 0600, owned by us, and never follows a link planted in its place.
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw file_error("create a temporary file beside", path_);
    temporary_ = name.data();
    const std::string content = password + "\n";
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            throw file_error("write", temporary_);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) throw file_error("write", temporary_);
}

void PendingPasswordFile::commit() {
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
        const std::string kept = temporary_;
        temporary_.clear();  // the only copy of the role's password now: kept
        throw Error(Exit::bad_input,
                    fmt::format("could not put the password file in place: rename \"{}\" to \"{}\": {}",
                                kept, path_, std::strerror(errno)),
                    fmt::format("The role has the password that \"{}\" holds.", kept));
    }
    temporary_.clear();
}

}  // namespace pgkit

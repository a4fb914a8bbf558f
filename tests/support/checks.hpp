#pragma once
/// Small helpers the integration suites share.

#include <chrono>
#include <string>
#include <thread>

#include "support/database.hpp"

namespace pgkit::test {

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// Waits (bounded) until `predicate` holds; false when it never did.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return predicate();
}

/// An identifier quoted by libpq, for the tests' own SQL.
inline std::string quote_ident(const std::string& name) {
    char* quoted = PQescapeIdentifier(admin().raw(), name.data(), name.size());
    std::string result = quoted;
    PQfreemem(quoted);
    return result;
}

/// The address the test cluster listens on for TCP (password) logins.
inline std::string tcp_host() { return "127.0.0.1"; }

}  // namespace pgkit::test

#include "tools/pg-createextension/versions.hpp"

#include <vector>

namespace pgkit {

namespace {

std::optional<std::vector<unsigned long>> numbers_of(std::string_view version) {
    std::vector<unsigned long> numbers;
    unsigned long number = 0;
    bool digits = false;
    for (const char c : version) {
        if (c >= '0' && c <= '9') {
            if (number > 100000000UL) return std::nullopt;
            number = number * 10 + static_cast<unsigned long>(c - '0');
            digits = true;
        } else if (c == '.' && digits) {
            numbers.push_back(number);
            number = 0;
            digits = false;
        } else {
            return std::nullopt;
        }
    }
    if (!digits) return std::nullopt;
    numbers.push_back(number);
    return numbers;
}

}  // namespace

std::optional<int> compare_versions(std::string_view a, std::string_view b) {
    const auto x = numbers_of(a), y = numbers_of(b);
    if (!x || !y) return std::nullopt;
    for (std::size_t i = 0; i < x->size() || i < y->size(); ++i) {
        const unsigned long left = i < x->size() ? (*x)[i] : 0;
        const unsigned long right = i < y->size() ? (*y)[i] : 0;
        if (left != right) return left < right ? -1 : 1;
    }
    return 0;
}

}  // namespace pgkit

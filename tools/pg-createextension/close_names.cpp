#include "tools/pg-createextension/close_names.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace pgkit {

namespace {

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::string x = lower_ascii(a), y = lower_ascii(b);
    std::vector<std::size_t> row(y.size() + 1);
    for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= x.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= y.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[y.size()];
}

std::vector<std::string> close_names(std::string_view wanted, const std::vector<std::string>& candidates,
                                     std::size_t most) {
    const std::string want = lower_ascii(wanted);
    const std::size_t limit = std::max<std::size_t>(2, want.size() / 3);
    std::vector<std::tuple<std::size_t, std::string>> found;
    for (const auto& candidate : candidates) {
        if (candidate == wanted) continue;  // the name itself is not "close"
        const std::string name = lower_ascii(candidate);
        const std::size_t distance = edit_distance(want, name);
        const bool contained = !want.empty() && (name.find(want) != std::string::npos ||
                                                 want.find(name) != std::string::npos);
        if (distance <= limit || contained) found.emplace_back(distance, candidate);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> names;
    for (const auto& [distance, name] : found) {
        if (names.size() == most) break;
        names.push_back(name);
    }
    return names;
}

}  // namespace pgkit

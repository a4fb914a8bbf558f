#pragma once
/// Names close to one that was not found: what a "did you mean" hint lists.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit {

/// The edit distance (insertions, deletions, substitutions) between two names, compared
/// without case.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidates close to `wanted`, closest first (ties by name): the same name in other
/// letters, those within a third of its length in edits (at least 2), and those that contain
/// it or that it contains; at most `most`. `wanted` itself is not among them.
std::vector<std::string> close_names(std::string_view wanted, const std::vector<std::string>& candidates,
                                     std::size_t most = 5);

}  // namespace pgkit

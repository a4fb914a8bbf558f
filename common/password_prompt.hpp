#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgkit {

/// Reads a line from the controlling terminal with echo off. Returns nothing when there is no
/// terminal (a CI job, a Docker entrypoint): the tools never prompt anywhere else.
std::optional<std::string> read_password_from_terminal(std::string_view prompt);

}  // namespace pgkit

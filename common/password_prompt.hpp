#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgkit {

/// Reads a line from the controlling terminal (/dev/tty), with echo off when `echo` is false.
/// Returns nothing when there is no terminal (a CI job, a Docker entrypoint): the tools never
/// prompt anywhere else.
std::optional<std::string> read_line_from_terminal(std::string_view prompt, bool echo);

/// Asks `question` with " (y/n) " on the terminal until the answer is y, yes, n or no (as
/// PostgreSQL's tools do); nothing when there is no terminal.
std::optional<bool> ask_yes_no_on_terminal(const std::string& question);

/// -i/--interactive of the drop tools: the line typed, or the yes/no answer, asked on the
/// terminal; a UsageError (exit 2) when there is none, so that a script never goes ahead
/// without the confirmation it asked for.
std::string ask_for_interactive(std::string_view prompt);
bool confirm_for_interactive(const std::string& question);

/// read_line_from_terminal with echo off.
inline std::optional<std::string> read_password_from_terminal(std::string_view prompt) {
    return read_line_from_terminal(prompt, false);
}

}  // namespace pgkit

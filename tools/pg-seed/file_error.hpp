#pragma once
/// Server errors as a file's: the message names the file and line, and the exit status says
/// whose fault it was (tools/pg-seed's "errors name the file and line").

#include <cstddef>
#include <optional>
#include <string>

#include "common/errors.hpp"

namespace pgkit {

/// Rethrows a server error as the file's: "file:line: message (SQLSTATE x)", exit 6 when the
/// file is at fault (exit_for_file_statement). Line 0: no line to name.
[[noreturn]] void fail_at(const SqlError& error, const std::string& file, std::size_t line);

/// The line of the COPY data a COPY error is about, from its CONTEXT ("COPY t, line 3, ...").
std::optional<std::size_t> copy_line(const std::string& context);

}  // namespace pgkit

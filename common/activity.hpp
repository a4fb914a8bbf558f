#pragma once
/// Who is connected to a database: what a refusal names when a database is in use (a template
/// CREATE DATABASE copies, a database DROP DATABASE removes).

#include <string>

#include "common/session.hpp"

namespace pgkit {

/// "Connected to it: pid 123 (user app, application "web", from 10.0.0.5, idle); ..." for the
/// other sessions on `database`, or "" when there are none (they left in the meantime).
std::string sessions_on(Session& session, const std::string& database);

}  // namespace pgkit

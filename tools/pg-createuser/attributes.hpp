#pragma once
/// The role attributes createuser sets, as yes/no option pairs (-d/-D), and createuser's
/// questions for them (--interactive).

#include <array>
#include <string>

namespace pgkit {

/// A yes/no option pair: given yes, given no, or not given.
enum class Tri { unset, yes, no };

struct Attribute {
    const char* keyword;  ///< CREATE ROLE clause when yes ("NO" + keyword when no)
    const char* column;   ///< pg_roles column
    const char* change;   ///< how a change is reported: +createdb / -createdb
    const char* options;  ///< the option pair, for messages
    bool default_value;   ///< createuser's default when not given
};

/// In createuser's order, which is also the order of the clauses it sends.
inline constexpr std::array<Attribute, 7> attributes{{
    {"SUPERUSER", "rolsuper", "superuser", "-s/--superuser and -S/--no-superuser", false},
    {"CREATEDB", "rolcreatedb", "createdb", "-d/--createdb and -D/--no-createdb", false},
    {"CREATEROLE", "rolcreaterole", "createrole", "-r/--createrole and -R/--no-createrole",
     false},
    {"INHERIT", "rolinherit", "inherit", "-i/--inherit and -I/--no-inherit", true},
    {"LOGIN", "rolcanlogin", "login", "-l/--login and -L/--no-login", true},
    {"REPLICATION", "rolreplication", "replication", "--replication and --no-replication",
     false},
    {"BYPASSRLS", "rolbypassrls", "bypassrls", "--bypassrls and --no-bypassrls", false},
}};
enum AttributeIndex { superuser, createdb, createrole, inherit, login, replication, bypassrls };

using AttributeValues = std::array<Tri, attributes.size()>;

/// The two flags of each pair as given on the command line.
struct FlagPair {
    bool yes = false;
    bool no = false;
};
using AttributeFlags = std::array<FlagPair, attributes.size()>;

/// What the flags ask for. Throws UsageError when both halves of a pair are given (createuser
/// takes the last; a script that says both is wrong).
AttributeValues attribute_values(const AttributeFlags& flags);

/// As createuser: a superuser can create databases and roles whatever else was said.
void apply_superuser_implies(AttributeValues& values);

/// createuser's --interactive: asks on the terminal for the role name.
std::string ask_role_name();

/// createuser's --interactive questions, for the attributes not given (superuser, createdb,
/// createrole; the last two not for a superuser).
void ask_attributes(AttributeValues& values);

}  // namespace pgkit

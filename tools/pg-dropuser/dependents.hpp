#pragma once
/// What depends on a role, from pg_shdepend: what DROP ROLE refuses to leave dangling, what
/// REASSIGN OWNED and DROP OWNED take care of in each database, and what is left for the
/// error that names it.

#include <cstddef>
#include <string>
#include <vector>

#include "common/session.hpp"

namespace pgkit {

/// How an object depends on the role (pg_shdepend.deptype).
enum class Dependency {
    owner,               ///< 'o': the role owns it
    privileges,          ///< 'a': the role is named in its ACL (as grantee or grantor)
    policy,              ///< 'r': the role is named in a row security policy
    initial_privileges,  ///< 'i' (17+): the role is named in an extension's initial privileges
};

/// One object that depends on the role.
struct Dependent {
    /// The database the object lives in; empty for a shared object (a database, a
    /// tablespace, a role membership on 16+).
    std::string database;
    bool connectable = true;  ///< the database allows connections (pg_database.datallowconn)
    Dependency dependency = Dependency::owner;
    bool default_privileges = false;  ///< the object is a pg_default_acl entry
    /// pg_identify_object's type and identity ("table", "app.orders"); empty when the object
    /// could not be named (its database does not allow connections, or refused ours).
    std::string kind, identity;
    /// "classid/objid/objsubid": which object, to match names read in its database.
    std::string object;
};

/// What the run does in each database that allows connections.
struct Cleanup {
    bool reassign = false;  ///< --reassign-owned-to
    bool drop = false;      ///< --drop-owned
};

/// Whether the cleanup takes `dependent` away: REASSIGN OWNED gives away what the role owns
/// (shared databases and tablespaces too, but not default privileges); DROP OWNED drops
/// what it owns in the database (never a database or tablespace) and revokes its privileges
/// (on shared objects too); neither reaches a database that does not allow connections.
bool removed_by(const Dependent& dependent, const Cleanup& cleanup);

/// The dependents that `cleanup` leaves (all of them without --reassign-owned-to and
/// --drop-owned): what a dry run predicts will still block DROP ROLE.
std::vector<Dependent> left_by(const std::vector<Dependent>& dependents, const Cleanup& cleanup);

/// Every object that depends on the role `role_oid` (no names yet), in database order, shared
/// objects first.
std::vector<Dependent> read_dependents(Session& session, const std::string& role_oid);

/// Names the dependents that live in the database `session` is connected to, and the shared
/// ones (pg_identify_object).
void name_dependents(Session& session, const std::string& role_oid,
                     std::vector<Dependent>& dependents);

/// "owner of table app.orders", "privileges on database postgres", "3 objects" for those
/// that could not be named.
std::string describe(const Dependent& dependent);

/// The error's detail: one line per database, the shared objects first
/// (`shared: owner of database app`, `in database "app": owner of schema app, ...`), at most
/// `most_per_line` objects named per line, then how many more.
std::string describe_all(const std::vector<Dependent>& dependents, std::size_t most_per_line = 25);

/// "owner", "privileges", "policy", "initial privileges": the JSON word.
std::string dependency_name(Dependency dependency);

}  // namespace pgkit

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
    /// The database allows connections and is valid (pg_database.datallowconn, and not left
    /// half-dropped: datconnlimit -2).
    bool connectable = true;
    Dependency dependency = Dependency::owner;
    /// The system catalog of the object (pg_shdepend.classid): "pg_class", "pg_default_acl",
    /// "pg_user_mapping", "pg_auth_members"...
    std::string catalog;
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

/// What the cleanup does to a dependent, for the report (the server decides what is left:
/// see the probe in pg-dropuser).
enum class Effect {
    none,                ///< nothing: it stays
    reassigned,          ///< REASSIGN OWNED gave it away
    dropped,             ///< DROP OWNED dropped it
    revoked,             ///< DROP OWNED revoked the role's privileges on it, or its policy entry
    default_privileges,  ///< DROP OWNED removed a default privileges entry
    membership,          ///< DROP OWNED revoked a membership the role granted (16+)
};

/// REASSIGN OWNED gives away what the role owns (shared databases and tablespaces too), but
/// not default privileges nor user mappings, and names the new role in initial privileges;
/// DROP OWNED drops what it owns in the database (never a database or tablespace) and
/// revokes the rest; neither reaches a database that does not allow connections.
Effect effect_of(const Dependent& dependent, const Cleanup& cleanup);

/// Every object that depends on the role `role_oid` (no names yet), shared objects first,
/// then by database; with `here_only`, only those of the database `session` is on and the
/// shared ones.
std::vector<Dependent> read_dependents(Session& session, const std::string& role_oid,
                                       bool here_only = false);

/// The same rows as read_dependents(..., true), as a query on its own for Session::probe
/// (the OID, a number, written into it).
std::string dependents_here_query(const std::string& role_oid);

/// Turns the rows of dependents_here_query into dependents.
std::vector<Dependent> dependents_from(const Result& rows);

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

#pragma once
/// The groups a role is a member of: -g/--member-of (added), --member-of-exact (exactly
/// these, the others revoked), --not-member-of (revoked), and on PostgreSQL 16 and later the
/// INHERIT and SET options of each membership, converged from pg_auth_members.

#include <optional>
#include <string>
#include <vector>

#include "common/converge.hpp"
#include "common/session.hpp"

namespace pgkit {

/// One group asked for: "group", or "group:noinherit:noset" and the like (16+).
struct WantedMembership {
    std::string group;
    std::optional<bool> inherit, set;
    bool has_options() const { return inherit.has_value() || set.has_value(); }
};

/// Reads "group[:inherit|:noinherit][:set|:noset]": the known words are taken off the end,
/// what is left is the group's name (so a group whose name itself ends in ":set" cannot be
/// named with -g; --member-of-exact takes the same form).
WantedMembership parse_membership(const std::string& value);

struct MembershipRequest {
    std::vector<std::string> member_of_arguments, exact_arguments, not_member_of;
    bool exact_given = false;  ///< --member-of-exact was given (an empty value: no group at all)
    std::vector<WantedMembership> wanted;  ///< after validate_memberships

    bool has_options() const;
};

/// -g and --member-of-exact together, a group both wanted and not, a name twice: usage
/// errors (UsageError); the names are checked as identifiers.
void validate_memberships(MembershipRequest& request);

/// The groups for CREATE ROLE ... IN ROLE (those without options), and the GRANTs for the
/// others, sent in the same transaction as the CREATE ROLE.
std::vector<std::string> in_role_groups(const MembershipRequest& request);
std::vector<Statement> option_grants(const Session& session, const std::string& role,
                                     const MembershipRequest& request);

/// Refuses membership options on a server before 16 (exit 1, before anything is sent).
void refuse_options_before_16(const MembershipRequest& request, int server_version);

/// Adds to `plan` what differs on an existing role: GRANTs for groups it is not in (or whose
/// options differ), REVOKEs (GRANTED BY each grantor on 16+) for the groups it must leave.
void plan_memberships(Session& session, const std::string& role, const std::string& role_oid,
                      const MembershipRequest& request, Plan& plan);

}  // namespace pgkit

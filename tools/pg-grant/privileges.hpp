#pragma once
/// What pg-grant knows without a server: the object kinds, the privilege words each takes
/// (as GRANT spells them and aclexplode reports them), and the difference between the
/// privileges asked for and those a grantee holds.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pgkit::grant {

enum class Kind { database, schema, table, sequence, function, type };

struct KindInfo {
    Kind kind;
    std::string_view option;          ///< "table": the option (--table) and the report's word
    std::string_view plural;          ///< "tables"
    std::string_view sql_keyword;     ///< GRANT ... ON TABLE
    std::string_view future_keyword;  ///< ALTER DEFAULT PRIVILEGES ... ON TABLES; "" for none
    char default_acl_type;            ///< pg_default_acl.defaclobjtype
    char acldefault_type;             ///< acldefault()'s object type
};

const KindInfo& kind_info(Kind kind);

/// The privileges of a kind on a server of that version, in GRANT's documented order
/// (tables take MAINTAIN from PostgreSQL 17): what ALL stands for.
std::vector<std::string> kind_privileges(Kind kind, int server_version);

/// The privileges of the command line: words, or ALL.
struct PrivilegeList {
    std::vector<std::string> words;  ///< upper case, TEMP spelled TEMPORARY, no repeats
    bool all = false;
};

/// Reads "SELECT,insert", "ALL" or "ALL PRIVILEGES" for a kind. Throws UsageError for an empty
/// element, an unknown word, or a word the kind does not take, naming the ones it does.
PrivilegeList parse_privileges(std::string_view text, Kind kind);

/// The privileges to act on, for that server: ALL expanded; throws Error (exit 2) for a
/// privilege that server does not have (MAINTAIN before 17).
std::vector<std::string> resolve(const PrivilegeList& list, Kind kind, int server_version);

/// What a grantee holds on one object (from any grantor).
struct Held {
    std::set<std::string> privileges;
    std::set<std::string> grantable;  ///< held WITH GRANT OPTION
};

enum class Mode {
    grant,   ///< add what is missing; never revoke
    revoke,  ///< take away what is held
    exact,   ///< add what is missing, take away the rest of the kind's privileges
};

/// The statements' content for one grantee on one object; each list in the kind's order.
struct Difference {
    std::vector<std::string> grant;                ///< GRANT (WITH GRANT OPTION when asked)
    std::vector<std::string> revoke;               ///< REVOKE
    std::vector<std::string> revoke_grant_option;  ///< REVOKE GRANT OPTION FOR
    bool empty() const { return grant.empty() && revoke.empty() && revoke_grant_option.empty(); }
};

/// What turns `held` into what was asked. With `with_grant_option`, grant mode also grants
/// the option on a privilege held without it, revoke mode revokes only the option, and exact
/// mode keeps the option on exactly the privileges asked (without it, exact revokes it).
Difference difference(const std::vector<std::string>& asked, const Held& held, Mode mode,
                      bool with_grant_option, const std::vector<std::string>& kind_privileges);

/// "SELECT, INSERT": privileges as a report and a statement list them.
std::string join_privileges(const std::vector<std::string>& privileges);

}  // namespace pgkit::grant

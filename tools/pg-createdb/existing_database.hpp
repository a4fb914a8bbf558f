#pragma once
/// What pg-createdb is asked for, what the catalog says of a database that exists already,
/// and what of the two cannot be brought together in place.

#include <optional>
#include <string>
#include <vector>

#include "common/session.hpp"
#include "common/settings.hpp"

namespace pgkit {

/// The command line: the database and the settings asked for.
struct Request {
    std::vector<std::string> arguments;  // [DBNAME] [DESCRIPTION]
    std::string dbname;
    std::optional<std::string> comment;
    std::optional<std::string> tablespace, encoding, strategy, template_db, owner;
    std::optional<std::string> locale, lc_collate, lc_ctype, locale_provider, icu_locale,
        icu_rules, builtin_locale;
    std::optional<int> connection_limit;
    bool if_not_exists = false;
    SettingsRequest settings;  ///< --set, --reset: ALTER DATABASE ... SET
    /// --is-template[=no], --allow-connections[=no]: as typed, then as read.
    std::optional<std::string> is_template_argument, allow_connections_argument;
    std::optional<bool> is_template, allow_connections;
};

/// What the catalog says of an existing database.
struct Existing {
    std::string oid;
    std::string owner, encoding, collate, ctype, provider, tablespace;
    bool tablespace_exists = true;  ///< the tablespace asked for (-D)
    int encoding_id = 0;
    int connection_limit = -1;
    bool is_template = false, allow_connections = true;
    std::optional<std::string> provider_locale, icu_rules, comment;
};

/// Reads the database named in `request`; nothing when it does not exist. The comment and
/// the tablespace are read only when asked for.
std::optional<Existing> look_up_database(Session& session, const Request& request);

/// The settings that cannot be changed in place (encoding, locale, provider, tablespace) and
/// differ from the request, each as "encoding is UTF8, not LATIN1".
std::vector<std::string> fixed_differences(const Request& request, const Existing& existing,
                                           int server_version);

/// On an existing database, an option this server does not have is refused as CREATE
/// DATABASE refuses it (exit 1, SQLSTATE 42601), rather than ignored.
void refuse_options_the_server_lacks(const Request& request, int server_version);

}  // namespace pgkit

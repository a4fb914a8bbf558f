#pragma once
/// The throwaway cluster the integration tests run against, made by scripts/throwaway-cluster.
/// Under ctest, a fixture creates it once for all suites (PGKIT_TEST_ENV_FILE names its
/// description); a test binary run by hand makes its own and removes it at exit.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace pgkit::test {

struct Cluster {
    std::string env_file;
    std::map<std::string, std::string> vars;  ///< PGHOST, PGPORT, PGUSER, PGKIT_CLUSTER_*
    bool owned = false;                       ///< made by this process, destroyed at exit

    const std::string& var(const std::string& name) const;
    std::string host() const { return var("PGHOST"); }
    std::string port() const { return var("PGPORT"); }
    std::string password() const { return var("PGKIT_CLUSTER_PASSWORD"); }
    std::string log_path() const { return var("PGKIT_CLUSTER_LOG"); }
    /// A libpq connection string over the socket, as the superuser.
    std::string conninfo(const std::string& dbname = "postgres") const;
    /// The server's major version (13 ... 18).
    int server_major() const;
    /// An installed client tool (psql, createdb, createuser, pg_dump): Debian's, whatever
    /// server the cluster runs.
    std::string client_tool(const std::string& name) const;
    /// The installed client tools' major version.
    int client_major() const;

    /// Makes a new cluster (create/start/stop/destroy run scripts/throwaway-cluster).
    static Cluster create(const std::string& env_file, const std::vector<std::string>& settings,
                          bool start_now = true);
    static Cluster load(const std::string& env_file);
    void start() const;
    void stop() const;
    void destroy() const;
};

/// A streaming standby of the running `primary` (throwaway-cluster standby: pg_basebackup -R),
/// started on a port of its own; it has the primary's superuser and password. Destroy it
/// before the primary.
Cluster create_standby(const std::string& env_file, const Cluster& primary,
                       const std::vector<std::string>& settings = {});

/// A new cluster with TLS on, serving `cert_dir`/server.crt with `cert_dir`/server.key.
Cluster create_tls_cluster(const std::string& env_file, const std::string& cert_dir,
                           const std::vector<std::string>& settings = {});

/// Stops `cluster` as a crash would: pg_ctl stop -m immediate, no shutdown checkpoint, every
/// session cut off; start() runs crash recovery.
void stop_immediately(const Cluster& cluster);

/// The suite's shared cluster (the Boost.Test global fixture sets it up).
const Cluster& shared_cluster();

/// Whether a test (or part of one) can run against this server: when not, it says so in the
/// output ("pgkit-skip: TEST: REASON", which scripts/test-versions lists), never silently.
///   if (!possible_here(cluster.server_major() <= cluster.client_major(),
///                      "pg_dump 15 refuses a newer server")) return;
bool possible_here(bool possible, const std::string& why_not);

/// Path of a built tool, e.g. tool_path("pg-createdb").
std::string tool_path(const std::string& tool);

/// The environment a tool runs with against `cluster`: PGHOST, PGPORT, PGUSER of the
/// cluster, every other PG* variable unset, so that the machine's settings cannot leak in.
std::map<std::string, std::optional<std::string>> tool_env(const Cluster& cluster);

/// Runs a built tool against the shared cluster with `args`; `env` adds to tool_env().
Outcome run_tool(const std::string& tool, const std::vector<std::string>& args,
                 const std::map<std::string, std::optional<std::string>>& env = {},
                 const std::string& stdin_data = {});
Running start_tool(const std::string& tool, const std::vector<std::string>& args,
                   const std::map<std::string, std::optional<std::string>>& env = {},
                   const std::string& stdin_data = {});

/// A port on 127.0.0.1 where nothing listens.
std::string unused_port();

/// A name unique in this test run, for objects a test makes (keeps ctest -j safe).
std::string unique_name(const std::string& prefix);

/// `name` made unique in this test run by a suffix, at most 63 bytes (the end of a longer
/// one gives way to the suffix), so that suites running at once on one cluster never make the
/// same role or database: "$1" becomes "$1_4711_3".
std::string unique_variant(const std::string& name);

}  // namespace pgkit::test

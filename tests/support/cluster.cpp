#include "support/cluster.hpp"

#include <arpa/inet.h>
#include <boost/test/unit_test.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace pgkit::test {
namespace {

void run_script(const std::vector<std::string>& args) {
    Command command;
    command.argv = {PGKIT_CLUSTER_SCRIPT};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    const Outcome outcome = run(command);
    if (outcome.exit_code != 0) {
        throw std::runtime_error("throwaway-cluster " + args.front() +
                                 " failed: " + outcome.err);
    }
}

/// The shared cluster; one this process made itself is removed when the process exits.
struct SharedCluster {
    std::unique_ptr<Cluster> cluster;
    ~SharedCluster() {
        if (cluster && cluster->owned) {
            try {
                cluster->destroy();
            } catch (...) {
            }
        }
    }
};

std::unique_ptr<Cluster>& shared_slot() {
    static SharedCluster shared;
    return shared.cluster;
}

}  // namespace

const std::string& Cluster::var(const std::string& name) const {
    const auto found = vars.find(name);
    if (found == vars.end()) throw std::runtime_error("cluster has no " + name);
    return found->second;
}

std::string Cluster::conninfo(const std::string& dbname) const {
    return "host=" + host() + " port=" + port() + " user=postgres dbname=" + dbname +
           " connect_timeout=10";
}

Cluster Cluster::load(const std::string& env_file) {
    Cluster cluster;
    cluster.env_file = env_file;
    std::ifstream in(env_file);
    if (!in) throw std::runtime_error("cannot read " + env_file);
    std::string line;
    while (std::getline(in, line)) {
        const auto equals = line.find('=');
        if (equals != std::string::npos) {
            cluster.vars[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return cluster;
}

int Cluster::server_major() const {
    const auto found = vars.find("PGKIT_SERVER_MAJOR");
    if (found == vars.end() || found->second.empty()) {
        // Never a guess: a version-dependent test must know which case it checks.
        throw std::runtime_error("the cluster's description has no PGKIT_SERVER_MAJOR: " + env_file);
    }
    return std::stoi(found->second);
}

std::string Cluster::client_tool(const std::string& name) const {
    const auto found = vars.find("PGKIT_CLIENT_BINDIR");
    const std::string& dir = found == vars.end() ? var("PGKIT_CLUSTER_BINDIR") : found->second;
    return dir + "/" + name;
}

int Cluster::client_major() const {
    // The installed client tools are the same for every cluster of the run.
    static const int major = [tool = client_tool("psql")] {
        Command command;
        command.argv = {tool, "--version"};
        const Outcome outcome = run(command);
        // "psql (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
        const auto at = outcome.out.find(") ");
        return at == std::string::npos ? 0 : std::atoi(outcome.out.c_str() + at + 2);
    }();
    return major;
}

Cluster Cluster::create(const std::string& env_file, const std::vector<std::string>& settings,
                        bool start_now) {
    std::vector<std::string> args = {"create", "--env-file", env_file};
    for (const auto& setting : settings) {
        args.push_back("--set");
        args.push_back(setting);
    }
    if (!start_now) args.push_back("--no-start");
    run_script(args);
    Cluster cluster = load(env_file);
    cluster.owned = true;
    return cluster;
}

void Cluster::start() const { run_script({"start", "--env-file", env_file}); }
void Cluster::stop() const { run_script({"stop", "--env-file", env_file}); }
void Cluster::destroy() const { run_script({"destroy", "--env-file", env_file}); }

Cluster create_standby(const std::string& env_file, const Cluster& primary,
                       const std::vector<std::string>& settings) {
    std::vector<std::string> args = {"standby", "--env-file", env_file, "--primary-env-file",
                                     primary.env_file};
    for (const auto& setting : settings) {
        args.push_back("--set");
        args.push_back(setting);
    }
    run_script(args);
    Cluster standby = Cluster::load(env_file);
    standby.owned = true;
    return standby;
}

Cluster create_tls_cluster(const std::string& env_file, const std::string& cert_dir,
                           const std::vector<std::string>& settings) {
    std::vector<std::string> args = {"create", "--env-file", env_file, "--ssl-cert-dir",
                                     cert_dir};
    for (const auto& setting : settings) {
        args.push_back("--set");
        args.push_back(setting);
    }
    run_script(args);
    Cluster cluster = Cluster::load(env_file);
    cluster.owned = true;
    return cluster;
}

void stop_immediately(const Cluster& cluster) {
    run_script({"stop", "--env-file", cluster.env_file, "--mode", "immediate"});
}

const Cluster& shared_cluster() {
    auto& slot = shared_slot();
    if (!slot) {
        const char* env_file = std::getenv("PGKIT_TEST_ENV_FILE");
        if (env_file != nullptr && ::access(env_file, R_OK) == 0) {
            slot = std::make_unique<Cluster>(Cluster::load(env_file));
        } else {
            const std::string own = "/tmp/pgkit-test-own-" + std::to_string(::getpid()) + ".env";
            slot = std::make_unique<Cluster>(Cluster::create(own, {"log_statement=all"}));
        }
    }
    return *slot;
}

bool possible_here(bool possible, const std::string& why_not) {
    if (possible) return true;
    const auto& test = boost::unit_test::framework::current_test_case();
    std::printf("pgkit-skip: %s: %s (server %d, client tools %d)\n", test.full_name().c_str(),
                why_not.c_str(), shared_cluster().server_major(), shared_cluster().client_major());
    std::fflush(stdout);
    return false;
}

std::string tool_path(const std::string& tool) { return std::string(PGKIT_TOOL_DIR) + "/" + tool; }

std::map<std::string, std::optional<std::string>> tool_env(const Cluster& cluster) {
    std::map<std::string, std::optional<std::string>> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string variable = *entry;
        if (variable.rfind("PG", 0) == 0) {
            env[variable.substr(0, variable.find('='))] = std::nullopt;
        }
    }
    env["PGHOST"] = cluster.host();
    env["PGPORT"] = cluster.port();
    env["PGUSER"] = "postgres";
    env["PGPASSFILE"] = "/nonexistent/pgpass";
    env["LC_ALL"] = "C.UTF-8";
    return env;
}

Outcome run_tool(const std::string& tool, const std::vector<std::string>& args,
                 const std::map<std::string, std::optional<std::string>>& env,
                 const std::string& stdin_data) {
    return start_tool(tool, args, env, stdin_data).wait();
}

Running start_tool(const std::string& tool, const std::vector<std::string>& args,
                   const std::map<std::string, std::optional<std::string>>& env,
                   const std::string& stdin_data) {
    Command command;
    command.argv = {tool_path(tool)};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = tool_env(shared_cluster());
    for (const auto& [name, value] : env) command.env[name] = value;
    command.stdin_data = stdin_data;
    return start(command);
}

std::string unused_port() {
    // Bind to port 0 to get a free port from the kernel, then release it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    const int port = ntohs(address.sin_port);
    ::close(fd);
    return std::to_string(port);
}

std::string unique_variant(const std::string& name) {
    const std::string suffix = unique_name("");
    return name.substr(0, std::min(name.size(), 63 - suffix.size())) + suffix;
}

std::string unique_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

}  // namespace pgkit::test

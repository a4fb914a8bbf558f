#define BOOST_TEST_MODULE reliability against real servers
#include <boost/test/unit_test.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <thread>

#include "support/checks.hpp"
#include "support/cluster.hpp"
#include "support/database.hpp"

// Faults and load: each test starts clusters of its own (a primary with a streaming standby, a
// server stopped in the middle of a COPY or while tools wait for it, one with five connection
// slots, one with TLS, one taking 50 runs of a tool at once) and removes them, also when the
// test fails. The suite's shared cluster is not used.

using namespace pgkit::test;
using Env = std::map<std::string, std::optional<std::string>>;
using namespace std::chrono_literals;

namespace {

/// A temporary directory, removed with everything in it when the guard goes.
class TempDir {
public:
    explicit TempDir(const std::string& tag) {
        std::string pattern = "/tmp/pgkit-reliability-" + tag + "-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// A cluster of a test's own, destroyed when the guard goes, also when the test fails.
class OwnCluster {
public:
    explicit OwnCluster(Cluster cluster) : cluster_(std::move(cluster)) {}
    OwnCluster(const OwnCluster&) = delete;
    ~OwnCluster() {
        try {
            cluster_.destroy();
        } catch (const std::exception& error) {
            BOOST_TEST_MESSAGE("could not destroy a test cluster: " << error.what());
        }
    }
    const Cluster& operator*() const { return cluster_; }
    const Cluster* operator->() const { return &cluster_; }
    /// Starts it again; the script may have moved it to another port, so its file is read again.
    void start() {
        cluster_.start();
        Cluster again = Cluster::load(cluster_.env_file);
        cluster_.vars = again.vars;
    }

private:
    Cluster cluster_;
};

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

/// A built tool's command against `cluster` (its socket and port; tool_env() clears every
/// other PG* variable), with `env` on top.
Command tool_command(const Cluster& cluster, const std::string& tool,
                     const std::vector<std::string>& args, const Env& env = {}) {
    Command command;
    command.argv = {tool_path(tool)};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = tool_env(cluster);
    for (const auto& [name, value] : env) command.env[name] = value;
    return command;
}

Running start_on(const Cluster& cluster, const std::string& tool,
                 const std::vector<std::string>& args, const Env& env = {}) {
    return start(tool_command(cluster, tool, args, env));
}

Outcome run_on(const Cluster& cluster, const std::string& tool,
               const std::vector<std::string>& args, const Env& env = {}) {
    return start_on(cluster, tool, args, env).wait();
}

/// Over TCP to 127.0.0.1, with the superuser's SCRAM password.
Env tcp(const Cluster& cluster) {
    return {{"PGHOST", tcp_host()}, {"PGPORT", cluster.port()},
            {"PGPASSWORD", cluster.password()}};
}

/// True once the child has ended (a zombie not yet collected counts as ended).
bool has_exited(const Running& run) {
    std::ifstream stat("/proc/" + std::to_string(run.pid()) + "/stat");
    std::string content;
    std::getline(stat, content);
    const auto close = content.rfind(')');
    if (close == std::string::npos || close + 2 >= content.size()) return true;
    return content[close + 2] == 'Z' || content[close + 2] == 'X';
}

/// Collects a child that must end within `limit`; one that does not (a hang, a deadlock) is
/// killed and reported as a failure.
Outcome finish(Running& run, std::chrono::seconds limit = 60s) {
    if (!eventually([&] { return has_exited(run); }, limit)) {
        run.send_signal(SIGKILL);
        Outcome outcome = run.wait();
        BOOST_ERROR("a tool did not end within " << limit.count() << " s; stderr so far: "
                                                 << outcome.err);
        return outcome;
    }
    return run.wait();
}

std::string tool_report(const std::string& what, const Outcome& outcome) {
    return what + ": exit " + std::to_string(outcome.exit_code) + ", stdout: " + outcome.out +
           ", stderr: " + outcome.err;
}

std::string count_of(Database& db, const std::string& sql,
                     const std::vector<std::string>& params = {}) {
    return db.value(sql, params).value_or("(null)");
}

bool database_exists(Database& db, const std::string& name) {
    return count_of(db, "SELECT count(*) FROM pg_database WHERE datname = $1", {name}) == "1";
}

bool role_exists(Database& db, const std::string& name) {
    return count_of(db, "SELECT count(*) FROM pg_roles WHERE rolname = $1", {name}) == "1";
}

/// Client sessions on the server, the one asking included.
int client_backends(Database& db) {
    return std::stoi(count_of(db, "SELECT count(*) FROM pg_stat_activity "
                                  "WHERE backend_type = 'client backend'"));
}

/// A fresh connection for each look, for a server that restarts between looks.
std::string value_on(const Cluster& cluster, const std::string& sql,
                     const std::vector<std::string>& params = {}) {
    Database db(cluster.conninfo());
    return count_of(db, sql, params);
}

}  // namespace

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(standby)

BOOST_AUTO_TEST_CASE(changing_tools_are_refused_by_a_standby_and_reach_the_primary_in_a_host_list) {
    const Cluster& shared = shared_cluster();
    if (!possible_here(::access((shared.var("PGKIT_CLUSTER_BINDIR") + "/pg_basebackup").c_str(), X_OK) == 0 ||
                           shared.client_major() == shared.server_major(),
                       "a standby needs pg_basebackup of the server's version")) {
        return;
    }
    TempDir dir("standby");
    OwnCluster primary(Cluster::create(dir / "primary.env", {"wal_keep_size=64MB"}));
    OwnCluster standby(create_standby(dir / "standby.env", *primary));
    BOOST_TEST_REQUIRE(value_on(*standby, "SELECT pg_is_in_recovery()") == "t");

    Database on_primary(primary->conninfo());
    Database on_standby(standby->conninfo());
    on_primary.exec("CREATE TABLE seed_target (id int PRIMARY KEY, name text)");
    BOOST_TEST_REQUIRE(eventually([&] {
        return count_of(on_standby, "SELECT count(*) FROM pg_class WHERE relname = "
                                    "'seed_target'") == "1";
    }));

    const std::string sql_file = dir / "010_from_sql.sql";
    write_text(sql_file, "CREATE TABLE from_sql (id int);\nINSERT INTO from_sql VALUES (1), (2);\n");
    const std::string csv_file = dir / "seed_target.csv";
    write_text(csv_file, "id,name\n1,one\n2,two\n3,three\n");

    // Pointed at the standby alone: every changing tool is exit 1, saying the server is
    // read-only and how to reach the primary.
    const std::vector<std::pair<std::string, std::vector<std::string>>> changes = {
        {"pg-createdb", {"standby_db"}},
        {"pg-createdb", {"--if-not-exists", "standby_db"}},
        {"pg-createuser", {"standby_role"}},
        {"pg-createuser", {"--if-not-exists", "standby_role"}},
        {"pg-seed", {"-d", "postgres", sql_file}},
        {"pg-seed", {"-d", "postgres", csv_file}},
        {"pg-seed", {"-d", "postgres", "--once", sql_file, csv_file}},
    };
    for (const auto& [tool, args] : changes) {
        const Outcome refused = run_on(*standby, tool, args, tcp(*standby));
        const std::string what = tool + " " + args.back() + " on the standby";
        BOOST_TEST_MESSAGE(tool_report(what, refused));
        BOOST_TEST(refused.exit_code == 1, tool_report(what, refused));
        BOOST_TEST(contains(refused.err, tool + ": error: "), tool_report(what, refused));
        BOOST_TEST(contains(refused.err, "read-only"), tool_report(what, refused));
        BOOST_TEST(contains(refused.err, tool + ": hint: The server is read-only"),
                   tool_report(what, refused));
        BOOST_TEST(contains(refused.err, "target_session_attrs=read-write"),
                   tool_report(what, refused));
    }
    BOOST_TEST(!database_exists(on_primary, "standby_db"));
    BOOST_TEST(!role_exists(on_primary, "standby_role"));
    BOOST_TEST(count_of(on_primary, "SELECT count(*) FROM seed_target") == "0");
    BOOST_TEST(count_of(on_primary, "SELECT count(*) FROM pg_class WHERE relname IN "
                                    "('from_sql', 'pg_seed_history')") == "0");

    // pg-listtables only reads: it works on the standby.
    const Outcome listed =
        run_on(*standby, "pg-listtables", {"-d", "postgres", "--format", "names"}, tcp(*standby));
    BOOST_TEST(listed.exit_code == 0, tool_report("pg-listtables on the standby", listed));
    BOOST_TEST(listed.out == "public.seed_target\n");

    // Both hosts, the standby first: target_session_attrs=read-write finds the primary.
    const std::vector<std::string> both = {"-h", tcp_host() + "," + tcp_host(), "-p",
                                           standby->port() + "," + primary->port()};
    auto with_both = [&](std::vector<std::string> args) {
        args.insert(args.begin(), both.begin(), both.end());
        return args;
    };
    const Env password = {{"PGPASSWORD", primary->password()}};
    const std::string read_write = "dbname=postgres target_session_attrs=read-write";

    const Outcome db = run_on(*primary, "pg-createdb",
                              with_both({"--maintenance-db", read_write, "standby_db"}), password);
    BOOST_TEST(db.exit_code == 0, tool_report("pg-createdb with both hosts", db));
    Env attrs_env = password;
    attrs_env["PGTARGETSESSIONATTRS"] = "read-write";
    const Outcome role =
        run_on(*primary, "pg-createuser", with_both({"standby_role"}), attrs_env);
    BOOST_TEST(role.exit_code == 0, tool_report("pg-createuser with both hosts", role));
    const Outcome seeded = run_on(*primary, "pg-seed",
                                  with_both({"-d", read_write, "--once", sql_file, csv_file}),
                                  password);
    BOOST_TEST(seeded.exit_code == 0, tool_report("pg-seed with both hosts", seeded));
    const Outcome seeded_env =
        run_on(*primary, "pg-seed", with_both({"-d", "postgres", "--once", sql_file}), attrs_env);
    BOOST_TEST(seeded_env.exit_code == 0, tool_report("pg-seed again with both hosts", seeded_env));

    // On the primary...
    BOOST_TEST(database_exists(on_primary, "standby_db"));
    BOOST_TEST(role_exists(on_primary, "standby_role"));
    BOOST_TEST(count_of(on_primary, "SELECT count(*) FROM seed_target") == "3");
    BOOST_TEST(count_of(on_primary, "SELECT count(*) FROM from_sql") == "2");
    BOOST_TEST(count_of(on_primary, "SELECT count(*) FROM pg_seed_history") == "2");
    // ...and replicated to the standby.
    BOOST_TEST(eventually([&] {
        return database_exists(on_standby, "standby_db") &&
               role_exists(on_standby, "standby_role") &&
               count_of(on_standby, "SELECT count(*) FROM pg_class WHERE relname = "
                                    "'from_sql'") == "1" &&
               count_of(on_standby, "SELECT count(*) FROM seed_target") == "3";
    }));
    BOOST_TEST(count_of(on_standby, "SELECT count(*) FROM from_sql") == "2");

    // Without target_session_attrs, the first host (the standby) is taken and refuses.
    const Outcome first_host =
        run_on(*primary, "pg-createdb", with_both({"other_db"}), password);
    BOOST_TEST(first_host.exit_code == 1, tool_report("pg-createdb, first host", first_host));
    BOOST_TEST(contains(first_host.err, "read-only"));
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(server_stops)

/// About 200 MB of CSV, so that its COPY lasts long enough to be cut off.
void write_big_csv(const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    out << "id,label,filler,amount\n";
    const std::string filler(60, 'x');
    std::string line;
    for (long id = 1; id <= 2'000'000; ++id) {
        line.clear();
        line += std::to_string(id);
        line += ",label ";
        line += std::to_string(id % 997);
        line += ',';
        line += filler;
        line += ',';
        line += std::to_string(id * 7 % 100000);
        line += ".25\n";
        out << line;
    }
    if (!out) throw std::runtime_error("cannot write " + path);
}

BOOST_AUTO_TEST_CASE(a_server_stopped_during_a_load_is_exit_3_and_nothing_is_committed) {
    TempDir dir("midload");
    // The test clusters commit without waiting for the WAL (synchronous_commit=off), which a
    // crash may lose; this one must keep what it committed.
    OwnCluster cluster(Cluster::create(dir / "cluster.env", {"synchronous_commit=on"}));
    Database(cluster->conninfo())
        .exec("CREATE TABLE big (id bigint PRIMARY KEY, label text, filler text, amount numeric)");
    const std::string csv = dir / "big.csv";
    write_big_csv(csv);

    Running load = start_on(*cluster, "pg-seed", {"-d", "postgres", csv});
    {
        Database watcher(cluster->conninfo());
        // pg_stat_progress_copy is 14's; on 13, an active COPY and rows written are the sign.
        const std::string progress =
            shared_cluster().server_major() >= 14
                ? "SELECT count(*) FROM pg_stat_progress_copy WHERE relid = 'big'::regclass AND "
                  "tuples_processed > 0"
                : "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND state = "
                  "'active' AND pg_relation_size('big') > 0";
        const bool copying = eventually([&] { return count_of(watcher, progress) == "1"; }, 60s);
        BOOST_TEST_REQUIRE(copying, "the COPY never showed in pg_stat_progress_copy");
        BOOST_TEST_REQUIRE(!has_exited(load), "pg-seed ended before the server was stopped");
    }
    stop_immediately(*cluster);
    const Outcome result = finish(load);
    BOOST_TEST_MESSAGE(tool_report("pg-seed cut off", result));
    BOOST_TEST(result.exit_code == 3, tool_report("pg-seed", result));
    BOOST_TEST(contains(result.err, "pg-seed: error: "), result.err);
    BOOST_TEST(result.out.empty());

    cluster.start();
    BOOST_TEST(value_on(*cluster, "SELECT count(*) FROM big") == "0");
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(waiting)

/// Every tool, started with --wait while the server is down, succeeds once it is up.
void tools_outlast_a_down_server(bool crash) {
    TempDir dir(crash ? "crashwait" : "stopwait");
    // synchronous_commit=on: the table made below must outlive a crash.
    OwnCluster cluster(Cluster::create(dir / "cluster.env", {"synchronous_commit=on"}));
    Database(cluster->conninfo()).exec("CREATE TABLE waited (id int, name text)");
    const std::string csv = dir / "waited.csv";
    write_text(csv, "id,name\n1,one\n2,two\n");
    if (crash) {
        stop_immediately(*cluster);
    } else {
        cluster->stop();
    }

    // Without --wait, a server that is down is exit 3 at once (over TCP with a hint to wait).
    const Outcome at_once = run_on(*cluster, "pg-createdb", {"early_db"});
    BOOST_TEST(at_once.exit_code == 3, tool_report("pg-createdb without --wait", at_once));
    const Outcome refused = run_on(*cluster, "pg-createdb", {"early_db"}, tcp(*cluster));
    BOOST_TEST(refused.exit_code == 3, tool_report("pg-createdb without --wait, TCP", refused));
    BOOST_TEST(contains(refused.err, "Connection refused"), refused.err);
    BOOST_TEST(contains(refused.err, "--wait=SECONDS"), refused.err);

    std::vector<std::pair<std::string, Running>> waiting;
    waiting.emplace_back("pg-createdb", start_on(*cluster, "pg-createdb",
                                                 {"--wait", "60", "waited_db"}));
    waiting.emplace_back("pg-createuser",
                         start_on(*cluster, "pg-createuser", {"--wait", "60", "waited_role"},
                                  tcp(*cluster)));
    waiting.emplace_back("pg-seed", start_on(*cluster, "pg-seed",
                                             {"--wait", "60", "-d", "postgres", csv},
                                             tcp(*cluster)));
    waiting.emplace_back("pg-listtables",
                         start_on(*cluster, "pg-listtables",
                                  {"--wait", "60", "-d", "postgres", "--format", "names"}));
    std::this_thread::sleep_for(2s);
    for (const auto& [tool, run] : waiting) {
        BOOST_TEST(!has_exited(run), tool << " stopped waiting before the server started");
    }
    cluster.start();
    for (auto& [tool, run] : waiting) {
        const Outcome result = finish(run);
        BOOST_TEST(result.exit_code == 0, tool_report(tool + " --wait", result));
        if (tool == "pg-listtables") BOOST_TEST(result.out == "public.waited\n");
    }
    Database db(cluster->conninfo());
    BOOST_TEST(database_exists(db, "waited_db"));
    BOOST_TEST(role_exists(db, "waited_role"));
    BOOST_TEST(count_of(db, "SELECT count(*) FROM waited") == "2");
    BOOST_TEST(!database_exists(db, "early_db"));
}

BOOST_AUTO_TEST_CASE(tools_waiting_for_a_stopped_server_succeed_when_it_starts) {
    tools_outlast_a_down_server(/*crash=*/false);
}

BOOST_AUTO_TEST_CASE(tools_waiting_through_a_crash_and_restart_succeed) {
    tools_outlast_a_down_server(/*crash=*/true);
}

BOOST_AUTO_TEST_CASE(a_database_being_made_is_waited_for_and_a_missing_one_named) {
    // Another step of a container's start-up makes the database while the tool waits.
    const std::string name = unique_name("made_later");
    Running waiting = start_tool("pg-listtables", {"-d", name, "--wait", "60", "--format", "names"});
    std::this_thread::sleep_for(1500ms);
    BOOST_TEST(!has_exited(waiting));
    admin().exec("CREATE DATABASE " + name);
    const Outcome found = wait_at_most(waiting, 60);
    BOOST_TEST(found.exit_code == 0, found.err);
    admin().exec("DROP DATABASE " + name);
    // One that never comes: exit 4 once the time is up, naming it.
    const auto started = std::chrono::steady_clock::now();
    const Outcome missing = run_tool("pg-listtables", {"-d", name, "--wait", "2"});
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(missing.exit_code == 4);
    BOOST_TEST(contains(missing.err, "database \"" + name + "\" does not exist"), missing.err);
    BOOST_TEST(contains(missing.err, "--wait=2"), missing.err);
    BOOST_TEST(took >= 1500ms);
    // Without --wait, at once, as before.
    BOOST_TEST(run_tool("pg-listtables", {"-d", name}).exit_code == 4);
}

/// Accepts TCP connections on 127.0.0.1 and closes each at once, without a word: what a
/// client sees of a server killed in the middle of its handshake, or of a proxy in front of a
/// server that is restarting.
class DroppingListener {
public:
    explicit DroppingListener(int port) {
        // Close-on-exec: a tool started meanwhile must not hold the port after stop().
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int on = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(static_cast<uint16_t>(port));
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(fd_, 64) != 0) {
            ::close(fd_);
            throw std::runtime_error("cannot listen on port " + std::to_string(port));
        }
        thread_ = std::thread([this] {
            while (!stopping_) {
                pollfd ready{fd_, POLLIN, 0};
                if (::poll(&ready, 1, 50) > 0) {
                    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
                    if (client >= 0) {
                        ++accepted_;
                        ::close(client);
                    }
                }
            }
        });
    }
    DroppingListener(const DroppingListener&) = delete;
    ~DroppingListener() { stop(); }
    int accepted() const { return accepted_; }
    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

BOOST_AUTO_TEST_CASE(a_server_that_drops_connections_while_restarting_is_waited_for) {
    TempDir dir("dropwait");
    OwnCluster cluster(Cluster::create(dir / "cluster.env", {}));
    cluster->stop();
    const std::string port = cluster->port();
    {
        DroppingListener listener(std::stoi(port));
        Running waiting =
            start_on(*cluster, "pg-createdb", {"--wait", "60", "dropped_db"}, tcp(*cluster));
        std::this_thread::sleep_for(2s);
        BOOST_TEST(listener.accepted() > 0);
        const bool still_waiting = !has_exited(waiting);
        listener.stop();
        cluster.start();
        BOOST_TEST_REQUIRE(cluster->port() == port, "the cluster came back on another port");
        const Outcome result = finish(waiting);
        BOOST_TEST(still_waiting, "pg-createdb --wait gave up on a dropped connection: "
                                      << tool_report("pg-createdb", result));
        BOOST_TEST(result.exit_code == 0, tool_report("pg-createdb --wait", result));
    }
    Database db(cluster->conninfo());
    BOOST_TEST(database_exists(db, "dropped_db"));
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(connection_slots)

BOOST_AUTO_TEST_CASE(full_connection_slots_are_exit_3_and_waited_for) {
    TempDir dir("full");
    // The tools connect as the superuser: no slot is kept for superusers here, so that five
    // held sessions fill the server for them too.
    OwnCluster cluster(Cluster::create(dir / "cluster.env", {"max_connections=5",
                                                              "superuser_reserved_connections=0",
                                                              "synchronous_commit=on"}));
    Database(cluster->conninfo()).exec("CREATE TABLE full_target (id int)");
    const std::string csv = dir / "full_target.csv";
    write_text(csv, "id\n1\n");

    std::vector<std::unique_ptr<Database>> held;
    auto fill = [&] {
        while (held.size() < 5) held.push_back(std::make_unique<Database>(cluster->conninfo()));
        BOOST_REQUIRE_THROW(Database extra(cluster->conninfo()), std::runtime_error);
    };
    fill();

    const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
        {"pg-createdb", {"full_db"}},
        {"pg-createuser", {"full_role"}},
        {"pg-seed", {"-d", "postgres", csv}},
        {"pg-listtables", {"-d", "postgres"}},
    };
    for (const auto& [tool, args] : runs) {
        const Outcome refused = run_on(*cluster, tool, args);
        BOOST_TEST_MESSAGE(tool_report(tool + " on a full server", refused));
        BOOST_TEST(refused.exit_code == 3, tool_report(tool + " on a full server", refused));
        BOOST_TEST(contains(refused.err, "too many clients"), refused.err);
        BOOST_TEST(contains(refused.err, tool + ": hint: All connection slots are in use"),
                   refused.err);
    }

    // With --wait, all four wait; one slot freed 2 s later lets each in, in turn.
    std::vector<std::pair<std::string, Running>> waiting;
    for (const auto& [tool, args] : runs) {
        std::vector<std::string> waiting_args = {"--wait", "60"};
        waiting_args.insert(waiting_args.end(), args.begin(), args.end());
        waiting.emplace_back(tool, start_on(*cluster, tool, waiting_args));
    }
    std::this_thread::sleep_for(2s);
    for (const auto& [tool, run] : waiting) {
        BOOST_TEST(!has_exited(run), tool << " stopped waiting while the slots were full");
    }
    held.pop_back();
    for (auto& [tool, run] : waiting) {
        const Outcome result = finish(run);
        BOOST_TEST(result.exit_code == 0, tool_report(tool + " --wait", result));
    }
    fill();
    BOOST_TEST(database_exists(*held.front(), "full_db"));
    BOOST_TEST(role_exists(*held.front(), "full_role"));
    BOOST_TEST(count_of(*held.front(), "SELECT count(*) FROM full_target") == "1");

    // The server restarts while a tool waits for a slot: the restart ends the held sessions,
    // and the tool gets in once the server is back.
    // (Stopped 2.2 s in: between the tool's tries at about 1.5 s and 3.1 s, so that the stop
    // does not cut one of them off; a_server_that_drops_connections_while_restarting_is_waited_for
    // covers that.)
    Running restarted =
        start_on(*cluster, "pg-createdb", {"--wait", "60", "after_restart_db"});
    std::this_thread::sleep_for(2200ms);
    BOOST_TEST(!has_exited(restarted), "pg-createdb stopped waiting while the slots were full");
    stop_immediately(*cluster);
    held.clear();
    std::this_thread::sleep_for(1s);
    cluster.start();
    const Outcome result = finish(restarted);
    BOOST_TEST(result.exit_code == 0, tool_report("pg-createdb --wait over a restart", result));
    Database db(cluster->conninfo());
    BOOST_TEST(database_exists(db, "after_restart_db"));
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(load)

constexpr int runs_at_once = 50;

/// Starts `count` runs at once, collects them all, and checks each one's exit status.
void run_all_at_once(const Cluster& cluster, const std::string& what,
                     const std::function<std::pair<std::string, std::vector<std::string>>(int)>&
                         command_of) {
    std::vector<Running> running;
    running.reserve(runs_at_once);
    for (int i = 0; i < runs_at_once; ++i) {
        const auto [tool, args] = command_of(i);
        running.push_back(start_on(cluster, tool, args));
    }
    int failed = 0;
    for (int i = 0; i < runs_at_once; ++i) {
        const Outcome result = finish(running[i], 120s);
        if (result.exit_code != 0) {
            ++failed;
            BOOST_TEST(result.exit_code == 0,
                       tool_report(what + ", run " + std::to_string(i), result));
        }
    }
    BOOST_TEST(failed == 0, what << ": " << failed << " of " << runs_at_once << " runs failed");
}

BOOST_AUTO_TEST_CASE(fifty_runs_at_once_of_each_tool_make_each_object_once) {
    TempDir dir("load");
    OwnCluster cluster(Cluster::create(dir / "cluster.env", {"max_connections=120"}));
    Database db(cluster->conninfo());
    const int before = client_backends(db);
    auto connections_settle = [&](const std::string& what) {
        BOOST_TEST(eventually([&] { return client_backends(db) == before; }),
                   what << ": " << client_backends(db) << " client sessions, " << before
                        << " before");
    };

    // One seed directory for all runs of the same name, one per run for distinct names.
    std::filesystem::create_directory(dir / "same");
    write_text(dir / "same/010_schema.sql",
               "CREATE TABLE shared_seed (id int PRIMARY KEY, name text);\n");
    write_text(dir / "same/020_shared_seed.csv", "id,name\n1,one\n2,two\n3,three\n");
    for (int i = 0; i < runs_at_once; ++i) {
        const std::string seeds = dir / ("own_" + std::to_string(i));
        const std::string table = "own_seed_" + std::to_string(i);
        std::filesystem::create_directory(seeds);
        // --once records a file by its path under the directory given: names of their own.
        write_text(seeds + "/010_" + table + ".sql",
                   "CREATE TABLE " + table + " (id int PRIMARY KEY, name text);\n");
        write_text(seeds + "/020_" + table + ".csv",
                   "id,name\n" + std::to_string(i) + ",run " + std::to_string(i) + "\n");
    }

    // The same name 50 times at once.
    run_all_at_once(*cluster, "pg-createdb --if-not-exists, same name", [](int) {
        return std::pair{std::string("pg-createdb"),
                         std::vector<std::string>{"--if-not-exists", "same_db"}};
    });
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_database WHERE datname = 'same_db'") == "1");
    connections_settle("pg-createdb, same name");

    run_all_at_once(*cluster, "pg-createuser --if-not-exists, same name", [](int) {
        return std::pair{std::string("pg-createuser"),
                         std::vector<std::string>{"--if-not-exists", "same_role"}};
    });
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_roles WHERE rolname = 'same_role'") == "1");
    connections_settle("pg-createuser, same name");

    const std::string same_dir = dir / "same";
    run_all_at_once(*cluster, "pg-seed --once, same directory", [&](int) {
        return std::pair{std::string("pg-seed"),
                         std::vector<std::string>{"-d", "postgres", "--once", same_dir}};
    });
    BOOST_TEST(count_of(db, "SELECT count(*) FROM shared_seed") == "3");
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_seed_history") == "2");
    connections_settle("pg-seed, same directory");

    run_all_at_once(*cluster, "pg-listtables", [](int) {
        return std::pair{std::string("pg-listtables"),
                         std::vector<std::string>{"-d", "postgres", "shared_seed"}};
    });
    connections_settle("pg-listtables");

    // 50 names at once.
    run_all_at_once(*cluster, "pg-createdb, distinct names", [](int i) {
        return std::pair{std::string("pg-createdb"),
                         std::vector<std::string>{"load_db_" + std::to_string(i)}};
    });
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_database WHERE datname ~ '^load_db_'") ==
               std::to_string(runs_at_once));
    connections_settle("pg-createdb, distinct names");

    run_all_at_once(*cluster, "pg-createuser, distinct names", [](int i) {
        return std::pair{std::string("pg-createuser"),
                         std::vector<std::string>{"-g", "same_role",
                                                  "load_role_" + std::to_string(i)}};
    });
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_roles WHERE rolname ~ '^load_role_'") ==
               std::to_string(runs_at_once));
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r "
                            "ON r.oid = m.roleid WHERE r.rolname = 'same_role'") ==
               std::to_string(runs_at_once));
    connections_settle("pg-createuser, distinct names");

    run_all_at_once(*cluster, "pg-seed --once, distinct directories", [&](int i) {
        return std::pair{std::string("pg-seed"),
                         std::vector<std::string>{"-d", "postgres", "--once",
                                                  dir / ("own_" + std::to_string(i))}};
    });
    for (int i = 0; i < runs_at_once; ++i) {
        BOOST_TEST(count_of(db, "SELECT count(*) FROM own_seed_" + std::to_string(i) +
                                    " WHERE id = " + std::to_string(i)) == "1");
    }
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_seed_history") ==
               std::to_string(2 + 2 * runs_at_once));
    connections_settle("pg-seed, distinct directories");

    std::vector<Running> listings;
    for (int i = 0; i < runs_at_once; ++i) {
        listings.push_back(start_on(*cluster, "pg-listtables",
                                    {"-d", "postgres", "--format", "names",
                                     "own_seed_" + std::to_string(i)}));
    }
    for (int i = 0; i < runs_at_once; ++i) {
        const Outcome result = finish(listings[i], 120s);
        BOOST_TEST(result.exit_code == 0, tool_report("pg-listtables " + std::to_string(i), result));
        BOOST_TEST(result.out == "public.own_seed_" + std::to_string(i) + "\n");
    }
    connections_settle("pg-listtables, distinct patterns");

    // No run left a lock behind.
    BOOST_TEST(count_of(db, "SELECT count(*) FROM pg_locks WHERE NOT granted") == "0");
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(tls)

/// A CA, a server certificate it signs for 127.0.0.1, and an unrelated second CA.
void make_certificates(const std::string& dir) {
    const std::string script = R"(set -eu
cd ")" + dir + R"("
key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
openssl req -x509 $key -keyout ca.key -out ca.crt -days 2 -subj '/CN=pgkit test CA'
openssl req -x509 $key -keyout other-ca.key -out other-ca.crt -days 2 -subj '/CN=pgkit other CA'
openssl req $key -keyout server.key -out server.csr -subj '/CN=127.0.0.1'
printf 'subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n' >server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.crt
)";
    Command command;
    command.argv = {"/bin/bash", "-c", script};
    const Outcome made = run(command);
    BOOST_TEST_REQUIRE(made.exit_code == 0, "openssl failed: " << made.err);
}

BOOST_AUTO_TEST_CASE(verify_full_connects_with_the_right_root_and_fails_clearly_with_a_wrong_one) {
    TempDir dir("tls");
    make_certificates(dir.path());
    OwnCluster cluster(create_tls_cluster(dir / "cluster.env", dir.path(),
                                          {"log_connections=on"}));
    Database(cluster->conninfo()).exec("CREATE TABLE tls_target (id int)");
    const std::string csv = dir / "tls_target.csv";
    write_text(csv, "id\n1\n2\n");

    Env verified = tcp(*cluster);
    verified["PGSSLMODE"] = "verify-full";
    verified["PGSSLROOTCERT"] = dir / "ca.crt";
    const std::string dbname =
        "dbname=postgres sslmode=verify-full sslrootcert=" + (dir / "ca.crt");

    const Outcome db = run_on(*cluster, "pg-createdb", {"tls_db"}, verified);
    BOOST_TEST(db.exit_code == 0, tool_report("pg-createdb verify-full", db));
    const Outcome role = run_on(*cluster, "pg-createuser", {"tls_role"}, verified);
    BOOST_TEST(role.exit_code == 0, tool_report("pg-createuser verify-full", role));
    // The TLS settings in a connection string given with -d, instead of the environment.
    const Outcome seeded = run_on(*cluster, "pg-seed", {"-d", dbname, csv}, tcp(*cluster));
    BOOST_TEST(seeded.exit_code == 0, tool_report("pg-seed verify-full", seeded));
    const Outcome listed =
        run_on(*cluster, "pg-listtables", {"-d", dbname, "--format", "names"}, tcp(*cluster));
    BOOST_TEST(listed.exit_code == 0, tool_report("pg-listtables verify-full", listed));
    BOOST_TEST(listed.out == "public.tls_target\n");

    Database check(cluster->conninfo());
    BOOST_TEST(database_exists(check, "tls_db"));
    BOOST_TEST(role_exists(check, "tls_role"));
    BOOST_TEST(count_of(check, "SELECT count(*) FROM tls_target") == "2");
    // The server saw each tool's session encrypted.
    const std::string log = read_file(cluster->log_path());
    for (const std::string tool : {"pg-createdb", "pg-createuser", "pg-seed", "pg-listtables"}) {
        BOOST_TEST(contains(log, "application_name=" + tool + " SSL enabled"), tool);
    }

    // A root certificate that did not sign the server's: refused, saying why.
    Env wrong = verified;
    wrong["PGSSLROOTCERT"] = dir / "other-ca.crt";
    const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
        {"pg-createdb", {"wrong_root_db"}},
        {"pg-createuser", {"wrong_root_role"}},
        {"pg-seed", {"-d", "postgres", csv}},
        {"pg-listtables", {"-d", "postgres"}},
    };
    for (const auto& [tool, args] : runs) {
        const Outcome refused = run_on(*cluster, tool, args, wrong);
        BOOST_TEST_MESSAGE(tool_report(tool + " with a wrong root certificate", refused));
        BOOST_TEST((refused.exit_code == 3 || refused.exit_code == 4),
                   tool_report(tool + " with a wrong root certificate", refused));
        BOOST_TEST(contains(refused.err, tool + ": error: "), refused.err);
        BOOST_TEST(contains(refused.err, "certificate"), refused.err);
    }
    // A certificate failure is not worth waiting for: --wait ends at once.
    const auto started = std::chrono::steady_clock::now();
    const Outcome not_waited = run_on(*cluster, "pg-createdb", {"--wait", "60", "wrong_root_db"},
                                      wrong);
    BOOST_TEST((not_waited.exit_code == 3 || not_waited.exit_code == 4),
               tool_report("pg-createdb --wait with a wrong root certificate", not_waited));
    const auto waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(waited).count() < 30,
               "pg-createdb --wait retried a certificate failure");

    // The right root, but a host name the certificate does not name.
    Env other_name = verified;
    other_name["PGHOST"] = "localhost";
    const Outcome mismatch = run_on(*cluster, "pg-listtables", {"-d", "postgres"}, other_name);
    BOOST_TEST_MESSAGE(tool_report("pg-listtables to localhost", mismatch));
    BOOST_TEST((mismatch.exit_code == 3 || mismatch.exit_code == 4),
               tool_report("pg-listtables to localhost", mismatch));
    BOOST_TEST(contains(mismatch.err, "certificate"), mismatch.err);

    BOOST_TEST(!database_exists(check, "wrong_root_db"));
    BOOST_TEST(!role_exists(check, "wrong_root_role"));
    BOOST_TEST(count_of(check, "SELECT count(*) FROM tls_target") == "2");
}

BOOST_AUTO_TEST_SUITE_END()

// -------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(secrets)

/// Runs a tool on a terminal of its own, typing each reply once its prompt shows.
Outcome run_on_terminal(const Cluster& cluster, const std::string& tool,
                        const std::vector<std::string>& args,
                        const std::vector<std::pair<std::string, std::string>>& dialogue,
                        const Env& env = {}) {
    return run_on_terminal(tool_command(cluster, tool, args, env), dialogue);
}

Outcome run_with_input(const Cluster& cluster, const std::string& tool,
                       const std::vector<std::string>& args, const std::string& input) {
    Command command = tool_command(cluster, tool, args);
    command.stdin_data = input;
    return run(command);
}

/// What `ps` shows for a process: its arguments, NULs as spaces.
std::string command_line_of(pid_t pid) {
    std::string text = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(text.begin(), text.end(), '\0', ' ');
    return text;
}

/// Everything a set of runs showed a user or a log reader, and the secrets it must not hold.
struct Witness {
    std::vector<std::string> secrets;
    std::string shown;

    /// A password no other run uses, so that finding it anywhere is meaningful.
    std::string secret(const std::string& tag) {
        secrets.push_back("Sec" + tag + unique_name("x") + "Zq9");
        std::erase(secrets.back(), '_');
        return secrets.back();
    }
    const Outcome& saw(const std::string& what, const Outcome& outcome) {
        shown += "== " + what + "\n" + outcome.out + outcome.err;
        return outcome;
    }
    void check(const std::string& log) const {
        for (const auto& secret : secrets) {
            BOOST_TEST(!contains(shown, secret), "a tool showed " << secret << ":\n" << shown);
            BOOST_TEST(!contains(log, secret), "the server log holds " << secret);
        }
    }
};

BOOST_AUTO_TEST_CASE(a_new_roles_password_from_any_source_is_never_shown_or_logged) {
    TempDir dir("secrets");
    OwnCluster cluster(Cluster::create(dir / "cluster.env",
                                       {"log_statement=all", "log_min_error_statement=debug5"}));
    Database check(cluster->conninfo());
    check.exec("CREATE ROLE unprivileged LOGIN");
    Witness witness;
    // Each source sets a password at creation, sets another with --update-password, and
    // sends a third in a CREATE ROLE the server refuses (logged with the failing statement).
    using Runner = std::function<Outcome(const std::vector<std::string>&, const std::string&)>;
    const std::string file = dir / "password";
    const std::vector<std::pair<std::string, Runner>> sources = {
        {"file",
         [&](const std::vector<std::string>& args, const std::string& password) {
             write_text(file, password + "\n");
             ::chmod(file.c_str(), 0600);
             std::vector<std::string> all = {"--password-file", file};
             all.insert(all.end(), args.begin(), args.end());
             return run_on(*cluster, "pg-createuser", all);
         }},
        {"stdin",
         [&](const std::vector<std::string>& args, const std::string& password) {
             std::vector<std::string> all = {"--password-file", "-"};
             all.insert(all.end(), args.begin(), args.end());
             return run_with_input(*cluster, "pg-createuser", all, password + "\n");
         }},
        {"env",
         [&](const std::vector<std::string>& args, const std::string& password) {
             std::vector<std::string> all = {"--password-env", "APP_PASSWORD"};
             all.insert(all.end(), args.begin(), args.end());
             return run_on(*cluster, "pg-createuser", all, {{"APP_PASSWORD", password}});
         }},
        {"prompt",
         [&](const std::vector<std::string>& args, const std::string& password) {
             std::vector<std::string> all = {"-P"};
             all.insert(all.end(), args.begin(), args.end());
             return run_on_terminal(*cluster, "pg-createuser", all,
                                    {{"Enter password for new role: ", password + "\n"},
                                     {"Enter it again: ", password + "\n"}});
         }},
    };
    for (const auto& [source, run_with] : sources) {
        const std::string role = "secret_" + source;
        const Outcome made = witness.saw(
            source + " create",
            run_with({"--echo", "--format", "json", role}, witness.secret(source + "A")));
        BOOST_TEST(made.exit_code == 0, tool_report(source + " create", made));
        const Outcome changed = witness.saw(
            source + " update",
            run_with({"--echo", "--format", "json", "--if-not-exists", "--update-password", role},
                     witness.secret(source + "B")));
        BOOST_TEST(changed.exit_code == 0, tool_report(source + " update", changed));
        BOOST_TEST(contains(changed.out, "\"password\":\"set\""), changed.out);
        const Outcome refused = witness.saw(
            source + " refused",
            run_with({"--echo", "-U", "unprivileged", role + "_refused"},
                     witness.secret(source + "C")));
        BOOST_TEST(refused.exit_code == 1, tool_report(source + " refused", refused));
        BOOST_TEST(contains(refused.out + refused.err, "PASSWORD '********'"), refused.err);
        // The password reached the server, hashed: the role has a SCRAM verifier.
        BOOST_TEST(count_of(check, "SELECT count(*) FROM pg_authid WHERE rolname = $1 AND "
                                   "rolpassword LIKE 'SCRAM-SHA-256$%'",
                            {role}) == "1",
                   source);
    }
    const std::string log = read_file(cluster->log_path());
    // The log is of every statement, the refused one too: what it lacks, it was not sent.
    BOOST_TEST(contains(log, "CREATE ROLE \"secret_env\""));
    BOOST_TEST(contains(log, "ALTER ROLE \"secret_prompt\""));
    BOOST_TEST(contains(log, "permission denied to create role"));
    BOOST_TEST(contains(log, "PASSWORD 'SCRAM-SHA-256$"));
    witness.check(log);
}

BOOST_AUTO_TEST_CASE(a_connection_password_from_any_source_is_never_shown_or_logged) {
    TempDir dir("secrets");
    OwnCluster cluster(Cluster::create(dir / "cluster.env",
                                       {"log_statement=all", "log_min_error_statement=debug5"}));
    Witness witness;
    const std::string right = cluster->password();
    witness.secrets.push_back(right);
    const std::string user = cluster->var("PGUSER");
    const std::string port = cluster->port();
    const Env no_password = {{"PGHOST", tcp_host()}, {"PGPORT", port}};
    const std::string passfile = dir / "pgpass";
    const std::string csv = dir / "seeded.csv";
    write_text(csv, "id\n1\n");
    Database(cluster->conninfo()).exec("CREATE TABLE seeded (id int)");
    auto keyword_value = [&](const std::string& password) {
        return "host=" + tcp_host() + " port=" + port + " dbname=postgres password=" + password;
    };
    auto uri = [&](const std::string& password) {
        return "postgresql://" + user + ":" + password + "@" + tcp_host() + ":" + port +
               "/postgres";
    };
    // Each way of giving the server's password, with the right one (exit 0) and a wrong one
    // (exit 4), through a tool of each kind.
    for (const bool good : {true, false}) {
        const std::string password = good ? right : witness.secret("wrong");
        const int expected = good ? 0 : 4;
        const std::vector<std::pair<std::string, Outcome>> outcomes = {
            {"PGPASSWORD",
             run_on(*cluster, "pg-createdb", {"--echo", "--format", "json", "--if-not-exists",
                                              "from_env"},
                    {{"PGHOST", tcp_host()}, {"PGPORT", port}, {"PGPASSWORD", password}})},
            {"connection string",
             run_on(*cluster, "pg-createuser",
                    {"--echo", "--format", "json", "--if-not-exists", "--maintenance-db",
                     keyword_value(password), "from_string"},
                    no_password)},
            {"URI", run_on(*cluster, "pg-listtables", {"--echo", "--format", "json", "-d",
                                                       uri(password)},
                           no_password)},
            {"-W prompt", run_on_terminal(*cluster, "pg-createdb",
                                          {"-W", "--echo", "--if-not-exists", "from_prompt"},
                                          {{"Password: ", password + "\n"}}, no_password)},
            {"password file", [&] {
                 write_text(passfile, "*:*:*:*:" + password + "\n");
                 ::chmod(passfile.c_str(), 0600);
                 Env env = no_password;
                 env["PGPASSFILE"] = passfile;
                 return run_on(*cluster, "pg-seed",
                               {"--echo", "--format", "json", "--dry-run", "-d", "postgres", csv},
                               env);
             }()},
        };
        for (const auto& [source, outcome] : outcomes) {
            witness.saw(source, outcome);
            BOOST_TEST(outcome.exit_code == expected, tool_report(source, outcome));
        }
    }
    witness.check(read_file(cluster->log_path()));
}

BOOST_AUTO_TEST_CASE(a_password_in_a_connection_string_leaves_the_command_line) {
    const std::string port = unused_port();
    Cluster nowhere;
    nowhere.vars = {{"PGHOST", tcp_host()}, {"PGPORT", port}};
    TempDir dir("secrets");
    const std::string sql = dir / "seed.sql";
    write_text(sql, "SELECT 1;\n");
    Witness witness;
    const std::string role_password = witness.secret("role");
    // Nothing listens on the port: each tool waits, and meanwhile ps shows its arguments.
    const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
        {"pg-createdb", {"--wait", "60", "--maintenance-db=host=127.0.0.1 port=" + port +
                                             " password='" + witness.secret("db") + "'",
                         "waiting_db"}},
        {"pg-createuser", {"--wait", "60", "--password-env", "APP_PASSWORD", "--maintenance-db",
                           "host=127.0.0.1 port=" + port + " password=" + witness.secret("user"),
                           "waiting_role"}},
        {"pg-listtables", {"--wait", "60", "-d", "postgresql://u:" + witness.secret("list") +
                                                     "@127.0.0.1:" + port + "/postgres"}},
        {"pg-seed", {"--wait", "60", "-dhost=127.0.0.1 port=" + port + " password=" +
                                         witness.secret("seed"),
                     "--dry-run", sql}},
    };
    for (const auto& [tool, args] : runs) {
        Running running = start_on(nowhere, tool, args,
                                   {{"APP_PASSWORD", role_password}, {"PGPASSWORD", std::nullopt}});
        // First the tool's own arguments (not yet those of the forked test), then without
        // any secret in them.
        std::string seen;
        const auto started = [&] {
            seen = command_line_of(running.pid());
            return contains(seen, "port=") || contains(seen, ":" + port);
        };
        const auto secret_free = [&] {
            seen = command_line_of(running.pid());
            return std::none_of(witness.secrets.begin(), witness.secrets.end(),
                                [&](const std::string& secret) { return contains(seen, secret); });
        };
        const bool hidden = eventually(started, 10s) && eventually(secret_free, 5s);
        BOOST_TEST(hidden, tool << " shows: " << seen);
        BOOST_TEST(contains(seen, "*****"), seen);  // hidden in place, the rest kept
        BOOST_TEST(contains(seen, port), seen);
        running.send_signal(SIGTERM);
        const Outcome ended = finish(running);
        witness.saw(tool, ended);
        BOOST_TEST(ended.exit_code == 143, tool_report(tool, ended));
    }
    witness.check("");
}

BOOST_AUTO_TEST_CASE(a_connection_string_libpq_refuses_is_not_quoted_back_when_it_holds_a_password) {
    Cluster nowhere;
    nowhere.vars = {{"PGHOST", tcp_host()}, {"PGPORT", unused_port()}};
    Witness witness;
    const std::string first = witness.secret("first");
    const std::string second = witness.secret("second");
    const Outcome refused = witness.saw(
        "broken string",
        run_on(nowhere, "pg-listtables",
               {"-d", "host=127.0.0.1 password=" + first + " " + second}));
    BOOST_TEST(refused.exit_code == 2, tool_report("broken string", refused));
    BOOST_TEST(contains(refused.err, "invalid connection string: missing \"=\" after \"...\""),
               refused.err);
    // Without a password, libpq's words are passed on whole.
    const Outcome plain = run_on(nowhere, "pg-listtables", {"-d", "host=x oops"});
    BOOST_TEST(plain.exit_code == 2);
    BOOST_TEST(contains(plain.err, "after \"oops\""), plain.err);
    witness.check("");
}

BOOST_AUTO_TEST_SUITE_END()

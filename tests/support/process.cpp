#include "support/process.hpp"


#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pgkit::test {
namespace {

std::string temp_path(const char* tag) {
    std::string path = std::string("/tmp/pgkit-test-") + tag + "-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    return path;
}

/// The argv array of `storage`, made before fork.
std::vector<char*> argv_of(std::vector<std::string>& storage) {
    std::vector<char*> args;
    for (auto& arg : storage) args.push_back(arg.data());
    args.push_back(nullptr);
    return args;
}

/// In a forked child: the command's environment, then exec (exit 127 when it fails).
[[noreturn]] void exec_command(const Command& command, const std::vector<char*>& args) {
    for (const auto& [name, value] : command.env) {
        if (value) {
            ::setenv(name.c_str(), value->c_str(), 1);
        } else {
            ::unsetenv(name.c_str());
        }
    }
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
}

}  // namespace

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

Running::Running(Running&& other) noexcept
    : pid_(other.pid_), out_path_(std::move(other.out_path_)),
      err_path_(std::move(other.err_path_)), in_path_(std::move(other.in_path_)) {
    other.pid_ = -1;
}

Running::~Running() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    for (const auto& path : {out_path_, err_path_, in_path_}) {
        if (!path.empty()) ::unlink(path.c_str());
    }
}

void Running::send_signal(int signal_number) const { ::kill(pid_, signal_number); }

std::string Running::err_so_far() const { return read_file(err_path_); }

Outcome Running::wait() {
    int status = 0;
    pid_t waited = -1;
    while ((waited = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    if (waited < 0) {
        throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
    }
    pid_ = -1;
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    outcome.out = read_file(out_path_);
    outcome.err = read_file(err_path_);
    return outcome;
}

Running start(const Command& command) {
    const std::string in_path = temp_path("in");
    {
        std::ofstream in(in_path, std::ios::binary);
        in << command.stdin_data;
    }
    const std::string out_path = temp_path("out");
    const std::string err_path = temp_path("err");
    std::vector<std::string> storage = command.argv;
    const std::vector<char*> args = argv_of(storage);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int in = ::open(in_path.c_str(), O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_TRUNC);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_TRUNC);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::setsid();  // no controlling terminal: the tools must never prompt in tests
        if (command.ignore_sigint) ::signal(SIGINT, SIG_IGN);  // inherited through exec
        exec_command(command, args);
    }
    return Running(pid, out_path, err_path, in_path);
}

Outcome run(const Command& command) { return start(command).wait(); }

Outcome run_on_terminal(const Command& command,
                        const std::vector<std::pair<std::string, std::string>>& dialogue,
                        int limit_seconds) {
    std::vector<std::string> storage = command.argv;
    const std::vector<char*> args = argv_of(storage);
    int terminal = -1;
    const pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
    if (pid < 0) throw std::runtime_error(std::string("forkpty failed: ") + std::strerror(errno));
    if (pid == 0) exec_command(command, args);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
    std::string screen;
    std::size_t step = 0, seen_up_to = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd readable{terminal, POLLIN, 0};
        if (::poll(&readable, 1, 100) > 0) {
            char buffer[4096];
            const ssize_t got = ::read(terminal, buffer, sizeof buffer);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (got <= 0) break;  // EIO: every process on the terminal has closed it
            screen.append(buffer, static_cast<std::size_t>(got));
        }
        if (step < dialogue.size()) {
            const auto& [prompt, reply] = dialogue[step];
            const std::size_t at = screen.find(prompt, seen_up_to);
            if (at != std::string::npos) {
                seen_up_to = at + prompt.size();
                [[maybe_unused]] const auto written = ::write(terminal, reply.data(), reply.size());
                ++step;
            }
        }
    }
    // Past the deadline, or the terminal closed while the child lives on: it is ended.
    if (std::chrono::steady_clock::now() >= deadline) ::kill(pid, SIGKILL);
    const auto reap_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    pid_t reaped = 0;
    while (true) {
        reaped = ::waitpid(pid, &status, WNOHANG);
        if (reaped < 0 && errno == EINTR) continue;
        if (reaped != 0 || std::chrono::steady_clock::now() >= reap_by) break;
        ::usleep(20000);
    }
    if (reaped <= 0) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    ::close(terminal);
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    outcome.out = screen;
    return outcome;
}

Outcome wait_at_most(Running& run, int limit_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
    while (true) {
        // Ended? (WNOWAIT: left for wait() to collect.)
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(run.pid()), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
            info.si_pid != 0) {
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            run.send_signal(SIGKILL);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return run.wait();
}

}  // namespace pgkit::test

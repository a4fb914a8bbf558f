#pragma once
/// Runs the built executables the way a script would: argv, environment, stdin; captures
/// stdout, stderr and the exit status (128+N for a signal, as a shell reports it).

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgkit::test {

struct Command {
    std::vector<std::string> argv;  ///< argv[0] is a path
    /// Variables set for the child; a value of std::nullopt unsets a variable.
    std::map<std::string, std::optional<std::string>> env;
    std::string stdin_data;
    /// Start the child with SIGINT ignored, as a shell starts a background job (cmd &).
    bool ignore_sigint = false;
};

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// A started child; wait() collects it.
class Running {
public:
    Running(pid_t pid, std::string out_path, std::string err_path, std::string in_path)
        : pid_(pid), out_path_(std::move(out_path)), err_path_(std::move(err_path)),
          in_path_(std::move(in_path)) {}
    Running(Running&& other) noexcept;
    Running(const Running&) = delete;
    ~Running();

    pid_t pid() const { return pid_; }
    void send_signal(int signal_number) const;
    Outcome wait();
    /// The stderr written so far.
    std::string err_so_far() const;

private:
    pid_t pid_ = -1;
    std::string out_path_, err_path_, in_path_;
};

Running start(const Command& command);
/// Waits for `run` to end, killing it (SIGKILL) after `limit_seconds`: a hang fails a test
/// instead of stopping the suite.
Outcome wait_at_most(Running& run, int limit_seconds);
Outcome run(const Command& command);

/// Runs `command` on a pseudo-terminal of its own, as a person at a terminal would: each
/// reply of `dialogue` is typed only once its prompt has appeared (so nothing is typed ahead
/// while the terminal still echoes). `out` is everything the terminal showed, stdout and stderr
/// together, prompts and whatever was echoed. A child still running after `limit_seconds` is
/// killed (exit 137).
Outcome run_on_terminal(const Command& command,
                        const std::vector<std::pair<std::string, std::string>>& dialogue,
                        int limit_seconds = 60);

std::string read_file(const std::string& path);

}  // namespace pgkit::test

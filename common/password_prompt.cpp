#include "common/password_prompt.hpp"

#include "common/errors.hpp"

#include <cstdio>

#include "common/interrupt.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace pgkit {

std::optional<std::string> read_line_from_terminal(std::string_view prompt, bool echo) {
    const int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0) {
        return std::nullopt;
    }
    termios saved{};
    const bool is_terminal = ::tcgetattr(tty, &saved) == 0;
    if (!is_terminal) {
        ::close(tty);
        return std::nullopt;
    }
    set_terminal_to_restore(tty, &saved);  // a Ctrl-C at the prompt must not leave echo off
    termios quiet = saved;
    if (!echo) {
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        quiet.c_lflag |= ECHONL;
    }
    ::tcsetattr(tty, TCSANOW, &quiet);  // keep what was typed ahead
    [[maybe_unused]] auto written = ::write(tty, prompt.data(), prompt.size());

    std::string line;
    char c = 0;
    bool got_any = false;
    while (::read(tty, &c, 1) == 1) {
        got_any = true;
        if (c == '\n' || c == '\r') {
            break;
        }
        line.push_back(c);
    }
    ::tcsetattr(tty, TCSANOW, &saved);
    set_terminal_to_restore(-1, nullptr);
    ::close(tty);
    if (!got_any) {
        return std::nullopt;
    }
    return line;
}

std::optional<bool> ask_yes_no_on_terminal(const std::string& question) {
    while (true) {
        const auto answer = read_line_from_terminal(question + " (y/n) ", true);
        if (!answer) return std::nullopt;
        if (*answer == "y" || *answer == "yes") return true;
        if (*answer == "n" || *answer == "no") return false;
        std::fputs("Please answer \"y\" or \"n\".\n", stderr);
    }
}

namespace {

UsageError no_terminal_for_interactive() {
    return UsageError("-i/--interactive needs a terminal to ask on",
                      "Leave -i out where nobody can answer (a script, a CI job).");
}

}  // namespace

std::string ask_for_interactive(std::string_view prompt) {
    const auto typed = read_line_from_terminal(prompt, true);
    if (!typed) throw no_terminal_for_interactive();
    return *typed;
}

bool confirm_for_interactive(const std::string& question) {
    const auto sure = ask_yes_no_on_terminal(question);
    if (!sure) throw no_terminal_for_interactive();
    return *sure;
}

}  // namespace pgkit

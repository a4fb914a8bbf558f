#include "common/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/errors.hpp"

namespace pgkit {
namespace {

std::atomic<int> received_signal{0};
/// The connections whose statements a signal cancels: one per Session (pg-seed --jobs has
/// several). Slots are changed with the signals blocked; the handler reads them.
struct CancelSlot {
    std::atomic<PGconn*> connection{nullptr};
    std::atomic<PGcancel*> cancel{nullptr};
};
constexpr int cancel_slots = 128;
CancelSlot cancel_targets[cancel_slots];
/// What the handler prints when it exits at once, formatted before it is installed (a handler
/// may not allocate): the message for stderr and, with --format json, the document for stdout.
struct ExitText {
    char text[512];
    size_t length;
};
ExitText stderr_text{};
ExitText json_text[2]{};  // [0] SIGINT, [1] SIGTERM
bool print_json = false;
std::atomic<bool> committed{false};
std::atomic<int> terminal_fd{-1};
struct termios terminal_settings {};

void write_all(int fd, const char* text, size_t length) {
    while (length > 0) {
        const ssize_t written = ::write(fd, text, length);
        if (written <= 0) {
            return;
        }
        text += written;
        length -= static_cast<size_t>(written);
    }
}

void format_into(ExitText& out, const std::string& text) {
    out.length = std::min(text.size(), sizeof out.text);
    std::memcpy(out.text, text.data(), out.length);
}

extern "C" void on_interrupt(int signal_number) {
    const int saved_errno = errno;
    received_signal.store(signal_number);
    bool any = false;
    for (const auto& slot : cancel_targets) any = any || slot.cancel.load() != nullptr;
    if (const int fd = terminal_fd.load(); fd >= 0) {
        ::tcsetattr(fd, TCSANOW, &terminal_settings);  // echo back on
    }
    if (!any) {
        if (committed.load()) {
            errno = saved_errno;
            return;  // the work is done or under way between statements: finish and report
        }
        write_all(STDERR_FILENO, stderr_text.text, stderr_text.length);
        if (print_json) {
            const ExitText& json = json_text[signal_number == SIGTERM ? 1 : 0];
            write_all(STDOUT_FILENO, json.text, json.length);
        }
        ::_exit(128 + signal_number);
    }
    for (const auto& slot : cancel_targets) {
        if (PGcancel* cancel = slot.cancel.load()) {
            char error_buffer[256];
            PQcancel(cancel, error_buffer, sizeof error_buffer);
        }
    }
    errno = saved_errno;
}

}  // namespace

void install_interrupt_handlers(const char* program, bool json) {
    const std::string message = "interrupted before any change was made";
    format_into(stderr_text, std::string(program) + ": error: " + message + "\n");
    print_json = json;
    for (const int signal_number : {SIGINT, SIGTERM}) {
        const nlohmann::json document = {{"ok", false},
                                         {"exit_code", 128 + signal_number},
                                         {"message", message},
                                         {"sqlstate", nullptr}};
        format_into(json_text[signal_number == SIGTERM ? 1 : 0], document.dump() + "\n");
    }
    std::fflush(stdout);
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

namespace {

template <typename Change>
void with_signals_blocked(Change change) {
    sigset_t block, previous;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &previous);
    change();
    sigprocmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace

void add_cancel_target(PGconn* connection) {
    PGcancel* fresh = PQgetCancel(connection);
    bool placed = false;
    with_signals_blocked([&] {
        for (auto& slot : cancel_targets) {
            if (slot.connection.load() == nullptr) {
                slot.connection.store(connection);
                slot.cancel.store(fresh);
                placed = true;
                return;
            }
        }
    });
    if (!placed && fresh != nullptr) PQfreeCancel(fresh);  // more sessions than slots
}

void remove_cancel_target(PGconn* connection) {
    PGcancel* old = nullptr;
    with_signals_blocked([&] {
        for (auto& slot : cancel_targets) {
            if (slot.connection.load() == connection) {
                old = slot.cancel.exchange(nullptr);
                slot.connection.store(nullptr);
                return;
            }
        }
    });
    // Freed with the signals allowed again: the handler no longer sees it.
    if (old != nullptr) PQfreeCancel(old);
}

void note_change_committed() { committed.store(true); }
bool change_committed() { return committed.load(); }

void set_terminal_to_restore(int fd, const struct termios* settings) {
    if (fd >= 0 && settings != nullptr) {
        terminal_fd.store(-1);
        terminal_settings = *settings;
    }
    terminal_fd.store(fd);
}

void block_interrupts() {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, nullptr);
}

int interrupted_signal() { return received_signal.load(); }

void throw_if_interrupted() {
    if (const int signal_number = received_signal.load(); signal_number != 0) {
        throw Interrupted(signal_number);
    }
}

}  // namespace pgkit

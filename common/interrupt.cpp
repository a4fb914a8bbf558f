#include "common/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "common/errors.hpp"

namespace pgkit {
namespace {

std::atomic<int> received_signal{0};
std::atomic<PGcancel*> cancel_target{nullptr};
/// Used only by the handler; filled in before the handlers are installed.
char exit_message[160];
size_t exit_message_length = 0;

void write_all(const char* text, size_t length) {
    while (length > 0) {
        const ssize_t written = ::write(STDERR_FILENO, text, length);
        if (written <= 0) {
            return;
        }
        text += written;
        length -= static_cast<size_t>(written);
    }
}

extern "C" void on_interrupt(int signal_number) {
    const int saved_errno = errno;
    received_signal.store(signal_number);
    PGcancel* cancel = cancel_target.load();
    if (cancel == nullptr) {
        write_all(exit_message, exit_message_length);
        ::_exit(128 + signal_number);
    }
    char error_buffer[256];
    PQcancel(cancel, error_buffer, sizeof error_buffer);
    errno = saved_errno;
}

}  // namespace

void install_interrupt_handlers(const char* program) {
    const char* suffix = ": error: interrupted before any change was made\n";
    exit_message_length = 0;
    for (const char* part : {program, suffix}) {
        const size_t length = std::strlen(part);
        const size_t room = sizeof exit_message - 1 - exit_message_length;
        const size_t take = length < room ? length : room;
        std::memcpy(exit_message + exit_message_length, part, take);
        exit_message_length += take;
    }
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

void set_cancel_target(PGconn* connection) {
    // Block the signals while swapping, so that the handler never sees a freed PGcancel.
    sigset_t block, previous;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &previous);
    PGcancel* fresh = connection != nullptr ? PQgetCancel(connection) : nullptr;
    PGcancel* old = cancel_target.exchange(fresh);
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (old != nullptr) {
        PQfreeCancel(old);
    }
}

int interrupted_signal() { return received_signal.load(); }

void throw_if_interrupted() {
    if (const int signal_number = received_signal.load(); signal_number != 0) {
        throw Interrupted(signal_number);
    }
}

}  // namespace pgkit

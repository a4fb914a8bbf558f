#pragma once
/// SIGINT and SIGTERM: cancel the statement in progress on the server (PQcancel is safe in a
/// signal handler), then let the tool unwind and exit 128+N. With no statement to cancel (still
/// connecting, or idle), the handler exits at once: nothing has been changed yet, or the open
/// transaction is rolled back by the server when the connection closes.

#include <libpq-fe.h>
#include <termios.h>

namespace pgkit {

/// Installs the handlers. `program` is used for the message printed when exiting at once;
/// with `json`, that exit also prints the contract's JSON failure document on stdout.
void install_interrupt_handlers(const char* program, bool json);

/// Connections whose statements a signal cancels: each Session adds its own and removes it
/// before closing (up to 128 at once).
void add_cancel_target(PGconn* connection);
void remove_cancel_target(PGconn* connection);

/// Marks that a change was committed: from then on, a signal with no statement to cancel no
/// longer exits at once (the tool finishes and reports what it did).
void note_change_committed();
bool change_committed();

/// A terminal whose settings (echo off at a password prompt) a signal must put back before
/// exiting; fd -1 clears it.
void set_terminal_to_restore(int fd, const struct termios* settings);

/// Blocks SIGINT and SIGTERM for the rest of the run (while the outcome is printed).
void block_interrupts();

/// The signal received so far, or 0.
int interrupted_signal();

/// Throws Interrupted when a signal has been received.
void throw_if_interrupted();

}  // namespace pgkit

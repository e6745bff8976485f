import Foundation

/// SIGINT (Ctrl-C) and SIGTERM (`kill`, a scheduler's cancel): a handler that tidies up and then
/// lets the signal end the process as it would have. ``RunLock`` removes its lock files this way;
/// the parent of a sweep's `--jobs` passes the signal on to its children.
package enum InterruptSignals {
    /// Installs `handler` for SIGINT and SIGTERM, each only where the process takes the signal's
    /// default action (it has no handler of its own and does not ignore it: a Slurm task that stops
    /// cleanly on SIGTERM keeps its own). The handler must call only async-signal-safe functions and
    /// end with ``endWithDefaultAction(_:)``.
    package static func installWhereDefault(_ handler: @convention(c) (Int32) -> Void) {
        for s in [SIGINT, SIGTERM] {
            var old = sigaction()
            guard sigaction(s, nil, &old) == 0 else { continue }
            #if os(Linux)
            let isDefault = old.__sigaction_handler.sa_handler == nil && old.sa_flags & SA_SIGINFO == 0
            #else
            let isDefault = old.__sigaction_u.__sa_handler == nil && old.sa_flags & SA_SIGINFO == 0
            #endif
            guard isDefault else { continue }
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = handler
            #else
            action.__sigaction_u.__sa_handler = handler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(s, &action, nil)
        }
    }

    /// From inside a handler: restores signal `n`'s default action and raises it again, which ends
    /// the process once the handler returns (`sigaction` and `raise` are async-signal-safe).
    package static func endWithDefaultAction(_ n: Int32) {
        var byDefault = sigaction()
        sigemptyset(&byDefault.sa_mask)
        sigaction(n, &byDefault, nil)
        raise(n)  // blocked until the handler returns, then the default action ends the process
    }
}

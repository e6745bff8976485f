import Foundation

/// The number of the first signal that asked the process to stop, 0 while none has: a C handler
/// may only store into a plain machine word (the `volatile sig_atomic_t` idiom), and a training
/// thread reads it between windows.
nonisolated(unsafe) private var stopSignalNumber: Int32 = 0

/// A flag raised by a POSIX signal, for a run that must stop cleanly when asked: Slurm sends its
/// warning signal (`#SBATCH --signal=B:USR1@60`, forwarded by the batch script) before a time limit
/// or preemption, and SIGTERM when it cancels or requeues a task. ``Trainer/shouldStop`` polls
/// ``isRaised`` between windows. The flag is process-wide: every instance sees the same signal.
package final class StopSignal: Sendable {
    /// Installs a handler for each of `signals` that raises the flag instead of terminating the
    /// process (the run then decides when to exit).
    package init(signals: [Int32] = [SIGUSR1, SIGTERM]) {
        for s in signals {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = { n in if stopSignalNumber == 0 { stopSignalNumber = n } }
            #else
            action.__sigaction_u.__sa_handler = { n in if stopSignalNumber == 0 { stopSignalNumber = n } }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART  // interrupted reads and writes carry on; the flag is polled
            sigaction(s, &action, nil)
        }
    }

    /// Raises the flag as if `signal` had arrived.
    package func raise(_ signal: Int32) { if stopSignalNumber == 0 { stopSignalNumber = signal } }

    /// True once one of the signals has arrived.
    package var isRaised: Bool { stopSignalNumber != 0 }

    /// The name of the signal that raised the flag (`SIGUSR1`, `SIGTERM`, or `signal N`), nil while down.
    package var signalName: String? {
        switch stopSignalNumber {
        case 0: return nil
        case SIGUSR1: return "SIGUSR1"
        case SIGTERM: return "SIGTERM"
        case let s: return "signal \(s)"
        }
    }
}

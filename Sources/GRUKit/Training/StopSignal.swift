import Dispatch
import Foundation

/// A flag raised by a POSIX signal, for a run that must stop cleanly when asked: Slurm sends its
/// warning signal (`#SBATCH --signal=B:USR1@60`) before a time limit or preemption, and SIGTERM
/// when it cancels or requeues a task. ``Trainer/shouldStop`` polls ``isRaised`` between windows.
///
/// The signals are received by a dispatch source on a background queue, not by a C handler, so
/// that nothing runs in signal context; the training thread only reads a locked Boolean.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []
    /// The signal that raised the flag (nil while it is down).
    private var raisedBy: Int32?

    /// Starts listening for `signals` (their default action, termination, is disabled for this
    /// process from now on: the run decides when to exit).
    public init(signals: [Int32] = [SIGUSR1, SIGTERM]) {
        for s in signals {
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { [weak self] in self?.raise(s) }
            source.resume()
            sources.append(source)
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Raises the flag as if `signal` had arrived (also used by tests).
    public func raise(_ signal: Int32) {
        lock.lock(); defer { lock.unlock() }
        if !raised { raised = true; raisedBy = signal }
    }

    /// True once one of the signals has arrived.
    public var isRaised: Bool { lock.lock(); defer { lock.unlock() }; return raised }

    /// The name of the signal that raised the flag (`SIGUSR1`, `SIGTERM`, or the number).
    public var signalName: String? {
        lock.lock(); defer { lock.unlock() }
        switch raisedBy {
        case nil: return nil
        case SIGUSR1?: return "SIGUSR1"
        case SIGTERM?: return "SIGTERM"
        case let s?: return "signal \(s)"
        }
    }
}

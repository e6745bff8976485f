import Dispatch
import Synchronization

/// Two pieces of a training step run at the same time, one per core, with the BLAS library kept to
/// one thread each while they do. The language model (``GRULanguageModel``) uses it twice:
/// - Forward (Float, H < 512): each core forms the logits of half the rows and then their softmax
///   loss, while those logits are still in its cache (instead of one two-thread GEMM, then a
///   two-thread loss).
/// - Backward (H < 768): on two cores a step's large products already use both cores through BLAS,
///   but the GRU's backward sweep is a chain of 35 small products that two BLAS threads barely speed
///   up. The output layer's weight gradient ∂W = Gᵀ·y does not depend on that sweep, so the sweep
///   runs on one core while the other computes blocks of ∂W, and the sweep's core takes the
///   remaining blocks when it is done (``SideBySide/Blocks``). Each block is one BLAS call over
///   fixed rows, whichever thread runs it, so the numbers do not depend on the timing.
enum SideBySide {
    /// Runs `first` and `second` concurrently and returns when both have finished. While they run,
    /// BLAS uses one thread (the setting is process-wide; it is restored afterwards, and a BLAS call
    /// another thread of the process makes meanwhile also runs on one thread: slower, and where
    /// OpenBLAS's result depends on its thread count, as a GEMV's order of summation does, different
    /// in the last bits).
    ///
    /// The two closures must not write the same memory; each may call BLAS.
    static func run(_ first: () -> Void, _ second: () -> Void) {
        let threads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = threads }
        withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                let pair = Pair(first: first, second: second)
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    if part == 0 { pair.first() } else { pair.second() }
                }
            }
        }
    }

    /// Whether running side by side is wanted: BLAS is set to two threads or more (OpenBLAS starts
    /// with one per core; one thread means one core, or that the user asked for one).
    static var available: Bool { BLAS.threads >= 2 }

    /// The two closures of one ``run(_:_:)`` (`@unchecked Sendable`: they are non-escaping closures
    /// made escaping only for the duration of the call, and the caller promises they do not race).
    private struct Pair: @unchecked Sendable {
        let first: () -> Void
        let second: () -> Void
    }

    /// Block indices 0, 1, 2, … handed out once each, in order, to whichever thread asks next. Kept by
    /// its user across steps (no allocation per step) and ``reset()`` before each use.
    final class Blocks: Sendable {
        private let next = Atomic<Int>(0)

        init() {}

        /// Starts again from block 0 (call it before the threads start taking).
        func reset() { next.store(0, ordering: .relaxed) }

        /// The next block not yet taken, or nil when all `count` blocks are.
        func take(below count: Int) -> Int? {
            let i = next.add(1, ordering: .relaxed).oldValue
            return i < count ? i : nil
        }
    }
}

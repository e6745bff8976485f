/// A token sequence cut into `batchSize` parallel streams for truncated backpropagation through
/// time, as in PyTorch's word-language-model example (`batchify` + `get_batch`).
///
/// With N tokens and B streams, each stream has L = ⌊N / B⌋ tokens and the last N − B·L tokens
/// are dropped. Stream b is the contiguous run `tokens[b·L ..< (b+1)·L]`, so each stream reads
/// on where it left off from one window to the next and the hidden state can be carried over.
///
/// Storage is time-major: `data[t·B + b]` = stream b at time t (= `tokens[b·L + t]`).
///
/// Windows of T steps start at t = 0, T, 2T, … < L − 1. The window at t has
/// S = min(T, L − 1 − t) steps (the last one may be shorter); its inputs are times t ..< t+S and
/// its targets the next tokens, times t+1 ..< t+S+1, both S×B time-major.
public struct TokenStreams: Sendable {
    /// B, the number of parallel streams (≥ 1): the batch size of every window.
    public let batchSize: Int
    /// Tokens per stream, L = ⌊N / B⌋ ≥ 2.
    public let length: Int
    /// The L×B time-major token matrix.
    public let data: [Int32]

    /// Cuts `tokens` into `batchSize` streams (copying them once into ``data``).
    ///
    /// - Throws: ``DataError/invalidBatching(reason:)`` when `batchSize < 1` or a stream would hold fewer
    ///   than 2 tokens (no input/target pair at all).
    public init(_ tokens: [Int32], batchSize: Int) throws {
        guard batchSize >= 1 else { throw DataError.invalidBatching(reason: "the batch size must be at least 1, not \(batchSize)") }
        let length = tokens.count / batchSize
        guard length >= 2 else {
            throw DataError.invalidBatching(reason: "\(tokens.count) tokens cannot fill \(batchSize) streams of at least 2 tokens each")
        }
        self.batchSize = batchSize
        self.length = length
        var data = [Int32](repeating: 0, count: length * batchSize)
        tokens.withUnsafeBufferPointer { src in
            data.withUnsafeMutableBufferPointer { dst in
                for b in 0 ..< batchSize {
                    let base = b * length
                    for t in 0 ..< length { dst[t * batchSize + b] = src[base + t] }
                }
            }
        }
        self.data = data
    }

    /// The token of stream `b` at time `t` (= `tokens[b·L + t]` of the original sequence).
    ///
    /// - Precondition: `0 ≤ t < length` and `0 ≤ b < batchSize`; only the flat index is bounds-checked.
    public subscript(t: Int, b: Int) -> Int32 { data[t * batchSize + b] }

    /// The number of windows of `steps` steps: ⌈(L − 1) / steps⌉.
    ///
    /// - Precondition: `steps ≥ 1` (traps otherwise).
    public func windowCount(steps: Int) -> Int {
        precondition(steps >= 1, "window length must be at least 1")
        return (length - 1 + steps - 1) / steps
    }

    /// The windows of at most `steps` steps, in order.
    ///
    /// - Precondition: `steps >= 1` (a programming error otherwise; validate flags with
    ///   ``validateWindow(steps:)``); a smaller value stops here with a precondition failure
    ///   rather than producing a sequence that never ends.
    public func windows(steps: Int) -> Windows {
        precondition(steps >= 1, "window length must be at least 1, not \(steps)")
        return Windows(streams: self, steps: steps)
    }

    /// Checks a user-supplied window length (e.g. a `--bptt` flag) before it reaches the
    /// preconditions of ``windows(steps:)`` and ``copyWindow(_:steps:inputs:targets:)``.
    ///
    /// - Throws: ``DataError/invalidBatching(reason:)`` when `steps < 1`.
    public static func validateWindow(steps: Int) throws {
        guard steps >= 1 else { throw DataError.invalidBatching(reason: "the BPTT window must have at least 1 step, not \(steps)") }
    }

    /// Copies window `index` into preallocated buffers (no allocation once they are large enough)
    /// and returns its number of steps S; `inputs` and `targets` receive S×B time-major tokens
    /// in their first S·B elements.
    ///
    /// - Precondition: `0 <= index < windowCount(steps:)` and buffers hold at least S·B elements
    ///   (traps otherwise); elements past S·B are left untouched.
    public func copyWindow(_ index: Int, steps: Int, inputs: inout [Int32], targets: inout [Int32]) -> Int {
        let start = index * steps
        precondition(start >= 0 && start < length - 1, "window \(index) is out of range")
        let s = Swift.min(steps, length - 1 - start)
        let count = s * batchSize
        precondition(inputs.count >= count && targets.count >= count, "window buffers too small")
        data.withUnsafeBufferPointer { src in
            inputs.withUnsafeMutableBufferPointer { dst in
                for k in 0 ..< count { dst[k] = src[start * batchSize + k] }
            }
            targets.withUnsafeMutableBufferPointer { dst in
                for k in 0 ..< count { dst[k] = src[(start + 1) * batchSize + k] }
            }
        }
        return s
    }

    /// One truncated-BPTT window.
    public struct Window: Sendable, Equatable {
        /// The time of the first input step within the streams.
        public let start: Int
        /// S, the number of steps (≤ the requested length; the last window may be shorter).
        public let steps: Int
        /// B, the number of streams (columns of every time step).
        public let batchSize: Int
        /// S×B time-major: `inputs[s·B + b]` = stream b at time start + s.
        public let inputs: [Int32]
        /// S×B time-major: `targets[s·B + b]` = stream b at time start + s + 1.
        public let targets: [Int32]

        /// A window with the given fields, taken as is; `inputs` and `targets` should hold
        /// `steps · batchSize` tokens each (not checked). Mostly for tests.
        public init(start: Int, steps: Int, batchSize: Int, inputs: [Int32], targets: [Int32]) {
            self.start = start
            self.steps = steps
            self.batchSize = batchSize
            self.inputs = inputs
            self.targets = targets
        }
    }

    /// The sequence of windows of a ``TokenStreams``; each window is copied out (allocating) as it
    /// is reached. Hot loops use ``TokenStreams/copyWindow(_:steps:inputs:targets:)`` instead.
    public struct Windows: Sequence, Sendable {
        /// The streams the windows are cut from.
        public let streams: TokenStreams
        /// T, the requested window length (the last window may be shorter).
        public let steps: Int

        /// The number of windows, ``TokenStreams/windowCount(steps:)``.
        public var count: Int { streams.windowCount(steps: steps) }

        /// Iterates over the windows in order, starting at time 0.
        public func makeIterator() -> Iterator { Iterator(streams: streams, steps: steps) }

        /// The iterator of ``Windows``.
        public struct Iterator: IteratorProtocol {
            let streams: TokenStreams
            let steps: Int
            var index = 0

            /// The next window (with S = min(T, L − 1 − start) steps), or nil after the last.
            public mutating func next() -> Window? {
                let start = index * steps
                guard start < streams.length - 1 else { return nil }
                let s = Swift.min(steps, streams.length - 1 - start)
                let b = streams.batchSize
                let inputs = Array(streams.data[start * b ..< (start + s) * b])
                let targets = Array(streams.data[(start + 1) * b ..< (start + s + 1) * b])
                index += 1
                return Window(start: start, steps: s, batchSize: b, inputs: inputs, targets: targets)
            }
        }
    }
}

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
    public let batchSize: Int
    /// Tokens per stream, L.
    public let length: Int
    /// The L×B time-major token matrix.
    public let data: [Int32]

    /// Cuts `tokens` into `batchSize` streams.
    /// - Throws: `DataError.invalidBatching` when `batchSize < 1` or a stream would hold fewer
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

    /// The token of stream `b` at time `t`.
    public subscript(t: Int, b: Int) -> Int32 { data[t * batchSize + b] }

    /// The number of windows of `steps` steps: ⌈(L − 1) / steps⌉.
    public func windowCount(steps: Int) -> Int {
        precondition(steps >= 1, "window length must be at least 1")
        return (length - 1 + steps - 1) / steps
    }

    /// The windows of at most `steps` steps, in order.
    /// - Precondition: `steps >= 1` (a programming error otherwise; validate flags with `validateWindow`).
    public func windows(steps: Int) -> Windows { Windows(streams: self, steps: steps) }

    /// Checks a user-supplied window length.
    /// - Throws: `DataError.invalidBatching` when `steps < 1`.
    public static func validateWindow(steps: Int) throws {
        guard steps >= 1 else { throw DataError.invalidBatching(reason: "the BPTT window must have at least 1 step, not \(steps)") }
    }

    /// Copies window `index` into preallocated buffers (no allocation once they are large enough)
    /// and returns its number of steps S; `inputs` and `targets` receive S×B time-major tokens
    /// in their first S·B elements.
    /// - Precondition: `0 <= index < windowCount(steps:)`; buffers hold at least steps·B elements.
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
        public let batchSize: Int
        /// S×B time-major: `inputs[s·B + b]` = stream b at time start + s.
        public let inputs: [Int32]
        /// S×B time-major: `targets[s·B + b]` = stream b at time start + s + 1.
        public let targets: [Int32]

        public init(start: Int, steps: Int, batchSize: Int, inputs: [Int32], targets: [Int32]) {
            self.start = start
            self.steps = steps
            self.batchSize = batchSize
            self.inputs = inputs
            self.targets = targets
        }
    }

    /// The sequence of windows of a `TokenStreams`.
    public struct Windows: Sequence, Sendable {
        public let streams: TokenStreams
        public let steps: Int

        public var count: Int { streams.windowCount(steps: steps) }

        public func makeIterator() -> Iterator { Iterator(streams: streams, steps: steps) }

        public struct Iterator: IteratorProtocol {
            let streams: TokenStreams
            let steps: Int
            var index = 0

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

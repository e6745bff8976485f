/// Batches of tunes for next-frame prediction: input frame t, target frame t + 1.
///
/// A tune of T frames gives T − 1 (input, target) steps. A batch of B tunes is padded to the
/// longest of them, S = max(T_b) − 1 steps, and stored time-major in Float (ready for GEMM):
/// - `inputs[(s·B + b)·88 + k]`  = key k of tune b at frame s (0 in padding),
/// - `targets[(s·B + b)·88 + k]` = key k of tune b at frame s + 1 (0 in padding),
/// - `mask[s·B + b]` = 1 for real steps (s < T_b − 1) and 0 for padding, so a loss
///   Σ mask·ℓ / Σ mask never counts padding.
/// Tunes are taken in order, or in an order shuffled by a ``SeededGenerator`` (Fisher–Yates with
/// the generator's own draws, so the order is the same on every machine and toolchain). The last
/// batch may hold fewer tunes. A tune of one frame contributes no steps (its mask column is 0).
public struct MusicBatches: Sequence, Sendable {
    /// One padded, time-major batch (layout in ``MusicBatches``).
    public struct Batch: Sendable, Equatable {
        /// S, the padded number of steps.
        public let steps: Int
        /// B, tunes in this batch.
        public let batchSize: Int
        /// Indices of the tunes (into the list given to `MusicBatches`), in batch order.
        public let tuneIndices: [Int]
        /// T_b − 1 for each tune: its real steps.
        public let lengths: [Int]
        /// S×B×88 time-major inputs.
        public let inputs: [Float]
        /// S×B×88 time-major targets (the next frame).
        public let targets: [Float]
        /// S×B: 1 for real steps, 0 for padding.
        public let mask: [Float]

        /// The number of real (unmasked) steps, Σ lengths.
        public var realSteps: Int { lengths.reduce(0, +) }
    }

    /// The tunes batched, as given (never empty).
    public let tunes: [PianoRoll]
    /// B, the number of tunes per batch (≥ 1); the last batch may hold fewer.
    public let batchSize: Int
    /// The order in which tunes are visited: a permutation of `0 ..< tunes.count`, the identity
    /// when not shuffled. Batch i holds `order[i·B ..< min((i+1)·B, count)]`.
    public let order: [Int]

    /// Batches of `batchSize` tunes in the given order, or shuffled when `shuffleSeed` is given.
    ///
    /// - Throws: ``DataError/invalidBatching(reason:)`` when `batchSize < 1` or there are no tunes.
    public init(_ tunes: [PianoRoll], batchSize: Int = 1, shuffleSeed: UInt64? = nil) throws {
        var generator = shuffleSeed.map { SeededGenerator(seed: $0) }
        try self.init(tunes, batchSize: batchSize, generator: &generator)
    }

    /// Batches shuffled with (and advancing) `generator`, e.g. one generator across epochs so that
    /// every epoch gets a new, reproducible order.
    ///
    /// - Throws: ``DataError/invalidBatching(reason:)`` when `batchSize < 1` or there are no tunes;
    ///   `generator` is then left unchanged.
    public init(_ tunes: [PianoRoll], batchSize: Int, shuffledWith generator: inout SeededGenerator) throws {
        var g: SeededGenerator? = generator
        try self.init(tunes, batchSize: batchSize, generator: &g)
        if let g { generator = g }
    }

    init(_ tunes: [PianoRoll], batchSize: Int, generator: inout SeededGenerator?) throws {
        guard batchSize >= 1 else { throw DataError.invalidBatching(reason: "the batch size must be at least 1, not \(batchSize)") }
        guard !tunes.isEmpty else { throw DataError.invalidBatching(reason: "there are no tunes to batch") }
        self.tunes = tunes
        self.batchSize = batchSize
        var order = Array(tunes.indices)
        if var g = generator {
            // Fisher–Yates: swap i with a uniform j in 0...i, j from the top bits by multiply-shift.
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                let j = Int(g.next().multipliedFullWidth(by: UInt64(i + 1)).high)
                order.swapAt(i, j)
            }
            generator = g
        }
        self.order = order
    }

    /// The number of batches, ⌈tunes / batchSize⌉.
    public var count: Int { (tunes.count + batchSize - 1) / batchSize }

    /// Batch number `index` (0-based), built on demand: allocates S·B·88 Floats for each of inputs
    /// and targets, so callers keep the batch rather than rebuilding it inside a step.
    ///
    /// - Precondition: `0 ≤ index < count` (traps otherwise).
    public func batch(_ index: Int) -> Batch {
        let indices = Array(order[(index * batchSize) ..< Swift.min((index + 1) * batchSize, order.count)])
        let b = indices.count, keys = PianoRoll.keys
        let lengths = indices.map { Swift.max(0, tunes[$0].steps - 1) }
        let steps = lengths.max() ?? 0
        var inputs = [Float](repeating: 0, count: steps * b * keys)
        var targets = inputs
        var mask = [Float](repeating: 0, count: steps * b)
        for (column, tuneIndex) in indices.enumerated() {
            let notes = tunes[tuneIndex].notes
            for s in 0 ..< lengths[column] {
                let dst = (s * b + column) * keys
                for k in 0 ..< keys {
                    inputs[dst + k] = Float(notes[s * keys + k])
                    targets[dst + k] = Float(notes[(s + 1) * keys + k])
                }
                mask[s * b + column] = 1
            }
        }
        return Batch(steps: steps, batchSize: b, tuneIndices: indices, lengths: lengths,
                     inputs: inputs, targets: targets, mask: mask)
    }

    /// Iterates over batches 0 ..< ``count`` in order, building each as ``batch(_:)`` does.
    public func makeIterator() -> AnyIterator<Batch> {
        var index = 0
        return AnyIterator {
            guard index < self.count else { return nil }
            defer { index += 1 }
            return self.batch(index)
        }
    }
}

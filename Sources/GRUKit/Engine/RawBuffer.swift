/// A fixed-size, uninitialised-then-zeroed block of scalars owned by a workspace.
///
/// The engine's per-step loops work on raw pointers into these blocks so that no array is
/// allocated, bounds-checked or copied-on-write inside a training step. A block is allocated
/// once per (T, B) shape and freed with its owner.
final class RawBuffer<S: BLASScalar> {
    let count: Int
    let p: UnsafeMutablePointer<S>

    init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: Swift.max(count, 1))
        p.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit { p.deallocate() }

    func zero() { p.update(repeating: 0, count: count) }

    func copy(from a: [S]) {
        precondition(a.count == count, "RawBuffer: \(a.count) values for \(count) slots")
        a.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: count) }
    }

    /// Copies the first `count` values of `a` into the start of the block.
    func copy(from a: [S], count n: Int) {
        precondition(a.count >= n && n <= count, "RawBuffer: cannot copy \(n) values")
        a.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: n) }
    }

    func array() -> [S] { Array(UnsafeBufferPointer(start: p, count: count)) }
}

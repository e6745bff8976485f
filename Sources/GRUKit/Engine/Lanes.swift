// Eight-lane loads and stores for the GRU's per-unit loops: a row of H units is walked eight
// at a time, and the last H mod 8 units go through the same lanes (the unused ones hold 0
// and are never stored), so every unit is computed by the same code. Lane-wise arithmetic is
// the same IEEE operation as the scalar one, so only the nonlinearities' implementations
// (``BLASScalar/sigmoid(_:)``, ``BLASScalar/tanh(_:)``) decide what changes between Float and
// Double.

/// The `count` ≤ 8 values at `p` as lanes (lanes ≥ `count` are 0).
@inline(__always)
func lanes<S: BLASScalar>(_ p: UnsafePointer<S>, _ count: Int) -> SIMD8<S> {
    if count == 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<S>.self) }
    var v = SIMD8<S>()
    for i in 0..<count { v[i] = p[i] }
    return v
}

/// The `count` ≤ 8 values at `p` as lanes (lanes ≥ `count` are 0).
@inline(__always)
func lanes<S: BLASScalar>(_ p: UnsafeMutablePointer<S>, _ count: Int) -> SIMD8<S> {
    lanes(UnsafePointer(p), count)
}

/// Stores the first `count` ≤ 8 lanes of `v` at `p`.
@inline(__always)
func store<S: BLASScalar>(_ v: SIMD8<S>, _ p: UnsafeMutablePointer<S>, _ count: Int) {
    if count == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<S>.self); return }
    for i in 0..<count { p[i] = v[i] }
}

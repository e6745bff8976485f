import Dispatch

/// C (m×n) ← C·β + A·B for a short, wide A (the batch of a recurrent step) against one matrix B
/// that stays fixed across many products — W_hh, which changes only at the SGD step, while a
/// window multiplies by it 35 times forward and 35 times backward. A BLAS call repacks B every
/// time (at H = 1024, 20 × 1024 · 1024 × 3072 took 1.9 ms through OpenBLAS on two threads and
/// 1.1 ms here); here B is packed once per value, into
/// panels of 16 columns with the k index running down each panel, and each product walks the
/// panels with a 4-row × 16-column register tile (lane-wise multiply, then add, in the order
/// k = 0, 1, …: the same numbers on every build and CPU). The panels are split between two
/// threads.
///
/// B is given either as stored (k×n, `transposed` false) or as its transpose (n×k row-major,
/// `transposed` true, as W_hh is for h·W_hhᵀ).
final class PackedProduct<S: BLASScalar> {
    /// The shape of the B packed last (k×n) and its number of 16-column panels.
    private(set) var k = 0, n = 0, panels = 0
    /// Panel p holds B[κ][16p + j] at κ·16 + j. Columns beyond n in the last panel hold whatever was
    /// there (zeros, or an earlier layout): they are computed in lanes that are never stored, and
    /// lanes do not mix. One buffer serves any B
    /// whose panels fit: a GRU layer packs W_hhᵀ for its forward sweep and W_hh for its backward
    /// one into the same memory (the weights change between two training steps anyway).
    let packed: RawBuffer<S>
    /// What was packed last, as the caller names it (nil: nothing yet).
    var tag: (version: UInt64, forward: Bool)?
    /// Whether a product splits its panels over two threads (false while the caller's thread shares
    /// the machine with other work, see ``SideBySide``). The numbers are the same either way.
    var splitsAcrossThreads = true

    /// A buffer for any B of at most `capacity` values once padded to whole panels.
    init(capacity: Int) {
        packed = RawBuffer(capacity)
    }

    /// The values a k×n B takes once packed (n rounded up to whole 16-column panels).
    static func capacity(k: Int, n: Int) -> Int { (n + 15) / 16 * 16 * k }

    /// Packs B, k×n (`transposed`: B is given as its n×k transpose, row stride `ld`; otherwise k×n
    /// with row stride `ld`).
    func pack(_ b: UnsafePointer<S>, ld: Int, k: Int, n: Int, transposed: Bool) {
        precondition(Self.capacity(k: k, n: n) <= packed.count, "PackedProduct: \(k)×\(n) does not fit in \(packed.count) values")
        self.k = k; self.n = n; panels = (n + 15) / 16
        let p = packed.p
        for panel in 0..<panels {
            let base = p + panel * k * 16, c0 = panel * 16, width = Swift.min(16, n - c0)
            if transposed {
                for j in 0..<width {
                    let row = b + (c0 + j) * ld
                    for kk in 0..<k { base[kk * 16 + j] = row[kk] }
                }
            } else {
                for kk in 0..<k {
                    let row = b + kk * ld + c0
                    for j in 0..<width { base[kk * 16 + j] = row[j] }
                }
            }
        }
    }

    /// C ← (β = 1 ? C : 0) + A·B, A m×k with row stride `lda`, C m×n with row stride `ldc`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func multiply(_ a: UnsafePointer<S>, lda: Int, m: Int, into c: UnsafeMutablePointer<S>, ldc: Int, accumulate: Bool) {
        let job = Job(k: k, n: n, packed: UnsafePointer(packed.p), a: a, lda: lda, m: m, c: c, ldc: ldc, accumulate: accumulate)
        let panels = self.panels
        if panels < 8 || !splitsAcrossThreads { job.run(panels: 0..<panels); return }
        let half = panels / 2
        // Race-free: the two parts write disjoint column ranges of C and only read A and the panels.
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            job.run(panels: part == 0 ? 0..<half : half..<panels)
        }
    }

    /// One product's pointers, shared by the two halves (`@unchecked Sendable`: raw pointers; the
    /// halves write disjoint columns of C).
    struct Job: @unchecked Sendable {
        let k: Int, n: Int, packed: UnsafePointer<S>
        let a: UnsafePointer<S>, lda: Int, m: Int
        let c: UnsafeMutablePointer<S>, ldc: Int
        let accumulate: Bool

        @inline(__always)
        func run(panels range: Range<Int>) {
            for panel in range {
                let b = packed + panel * k * 16, c0 = panel * 16, width = Swift.min(16, n - c0)
                var i = 0
                while i + 4 <= m {
                    let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
                    var c00 = SIMD8<S>(), c01 = SIMD8<S>(), c10 = SIMD8<S>(), c11 = SIMD8<S>()
                    var c20 = SIMD8<S>(), c21 = SIMD8<S>(), c30 = SIMD8<S>(), c31 = SIMD8<S>()
                    for kk in 0..<k {
                        let b0 = lanes(b + kk * 16, 8), b1 = lanes(b + kk * 16 + 8, 8)
                        let x0 = SIMD8(repeating: a0[kk]), x1 = SIMD8(repeating: a1[kk])
                        let x2 = SIMD8(repeating: a2[kk]), x3 = SIMD8(repeating: a3[kk])
                        c00 = c00 + x0 * b0; c01 = c01 + x0 * b1
                        c10 = c10 + x1 * b0; c11 = c11 + x1 * b1
                        c20 = c20 + x2 * b0; c21 = c21 + x2 * b1
                        c30 = c30 + x3 * b0; c31 = c31 + x3 * b1
                    }
                    write(c00, c01, row: i, c0: c0, width: width)
                    write(c10, c11, row: i + 1, c0: c0, width: width)
                    write(c20, c21, row: i + 2, c0: c0, width: width)
                    write(c30, c31, row: i + 3, c0: c0, width: width)
                    i += 4
                }
                while i < m {
                    let a0 = a + i * lda
                    var c00 = SIMD8<S>(), c01 = SIMD8<S>()
                    for kk in 0..<k {
                        let x0 = SIMD8(repeating: a0[kk])
                        c00 = c00 + x0 * lanes(b + kk * 16, 8); c01 = c01 + x0 * lanes(b + kk * 16 + 8, 8)
                    }
                    write(c00, c01, row: i, c0: c0, width: width)
                    i += 1
                }
            }
        }

        /// Row `row`, columns c0 ..< c0 + width of C: the tile's 16 sums (the first `width`), added
        /// to what C holds when accumulating.
        @inline(__always)
        func write(_ lo: SIMD8<S>, _ hi: SIMD8<S>, row: Int, c0: Int, width: Int) {
            let dst = c + row * ldc + c0
            let wLo = Swift.min(8, width), wHi = Swift.max(0, width - 8)
            if accumulate {
                store(lanes(dst, wLo) + lo, dst, wLo)
                if wHi > 0 { store(lanes(dst + 8, wHi) + hi, dst + 8, wHi) }
            } else {
                store(lo, dst, wLo)
                if wHi > 0 { store(hi, dst + 8, wHi) }
            }
        }
    }
}

import GRUKit

/// The BLAS floor under a training step: every GEMM of one step of the language model (the
/// reset-after form, as PyTorch computes it), timed alone with the step's shapes, so that the
/// step's own time can be read against what its matrix products cost by themselves.
enum GEMMFloor {
    /// One product of the step: C (m×n) = op(A)·op(B), `calls` times per step.
    struct Product {
        let name: String
        let transA: Bool, transB: Bool
        let m: Int, n: Int, k: Int
        let calls: Int
    }

    /// The products of one step with vocabulary V, embedding E, hidden H, batch B and T steps
    /// (N = T·B rows).
    static func products(v: Int, e: Int, h: Int, b: Int, t: Int) -> [Product] {
        let n = t * b
        return [
            Product(name: "GRU input projection X·W_ihᵀ", transA: false, transB: true, m: n, n: 3 * h, k: e, calls: 1),
            Product(name: "GRU recurrence h·W_hhᵀ (T calls)", transA: false, transB: true, m: b, n: 3 * h, k: h, calls: t),
            Product(name: "output layer y·Wᵀ", transA: false, transB: true, m: n, n: v, k: h, calls: 1),
            Product(name: "output layer ∂W = Gᵀ·y", transA: true, transB: false, m: v, n: h, k: n, calls: 1),
            Product(name: "output layer ∂y = G·W", transA: false, transB: false, m: n, n: h, k: v, calls: 1),
            Product(name: "GRU recurrence back ∂a·W_hh (T calls)", transA: false, transB: false, m: b, n: h, k: 3 * h, calls: t),
            Product(name: "GRU ∂W_ih = Aᵀ·X", transA: true, transB: false, m: 3 * h, n: e, k: n, calls: 1),
            Product(name: "GRU ∂W_hh = A_hᵀ·H", transA: true, transB: false, m: 3 * h, n: h, k: n, calls: 1),
            Product(name: "GRU ∂X = A·W_ih", transA: false, transB: false, m: n, n: e, k: 3 * h, calls: 1),
        ]
    }

    /// Seconds per step of each product: the fastest of `rounds` rounds, each timing the
    /// product's `calls` in a row (Float, the current BLAS thread setting).
    static func measure(_ products: [Product], rounds: Int = 5) -> [Double] {
        products.map { p in
            let aRows = p.transA ? p.k : p.m, aCols = p.transA ? p.m : p.k
            let bRows = p.transB ? p.n : p.k, bCols = p.transB ? p.k : p.n
            let a = [Float](repeating: 0.01, count: aRows * aCols), b = [Float](repeating: 0.02, count: bRows * bCols)
            var c = [Float](repeating: 0, count: p.m * p.n)
            var best = Double.infinity
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        for _ in 0..<rounds {
                            let t0 = MonotonicClock.seconds()
                            for _ in 0..<p.calls {
                                Float.gemm(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, alpha: 1,
                                           a: pa.baseAddress!, lda: aCols, b: pb.baseAddress!, ldb: bCols,
                                           beta: 0, c: pc.baseAddress!, ldc: p.n)
                            }
                            best = Swift.min(best, MonotonicClock.seconds() - t0)
                        }
                    }
                }
            }
            return best
        }
    }
}

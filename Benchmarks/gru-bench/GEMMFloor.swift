import GRUKit

/// The BLAS floor under a training step: every GEMM of one step of the language model (the
/// reset-after form, as PyTorch computes it), timed alone with the step's shapes, so that the
/// step's own time can be read against what its matrix products cost by themselves.
enum GEMMFloor {
    /// One product of the step (the shapes ``StepFlops`` counts).
    typealias Product = StepFlops.Product

    /// The products of one step with vocabulary V, embedding E, hidden H, batch B and T steps
    /// (N = T·B rows): ``StepFlops/products``, so that the floor times exactly what is counted.
    static func products(v: Int, e: Int, h: Int, b: Int, t: Int) -> [Product] {
        StepFlops(vocabularySize: v, embeddingSize: e, hiddenSize: h, batchSize: b, steps: t).products
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

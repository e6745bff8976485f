/// The projection P_δ applied in place to a square block of a weight matrix, with all
/// buffers allocated once (the training path; ``SpectralProjection/projectByFullSVD(_:threshold:)``
/// is the allocating reference).
///
/// Method: a full SVD W = U Σ Vᵀ by xGESDD of a copy; if k singular values exceed c, W is
/// updated in place as W ← W − U_k diag(σ_i − c) V_kᵀ (one GEMM of inner dimension k), which
/// equals U diag(min(σ_i, c)) Vᵀ exactly in exact arithmetic and to ‖·‖ ≲ c·ε·‖W‖ in floating
/// point. If no σ_i exceeds c, W is not written at all (bit-for-bit unchanged).
///
/// Not thread-safe: the buffers are shared by every call, so use one projector per thread.
public final class CandidateProjector<Scalar: BLASScalar> {
    /// n, the order of the square blocks this projector handles (its buffers hold n×n values).
    public let size: Int
    let a, s, u, vt: RawBuffer<Scalar>

    /// A projector for n×n blocks; allocates its workspace (3n² + n scalars: a copy of the
    /// block, U, Vᵀ and σ) here, once, so that ``project(_:threshold:)`` allocates nothing.
    /// - Precondition: n > 0.
    public init(size n: Int) {
        precondition(n > 0, "CandidateProjector: size must be positive")
        size = n
        a = RawBuffer(n * n); s = RawBuffer(n); u = RawBuffer(n * n); vt = RawBuffer(n * n)
    }

    /// Replaces the n×n row-major block at `w` (leading dimension n) by its projection onto
    /// ‖W‖₂ ≤ c, P_c(W) = U diag(min(σ_i, c)) Vᵀ, by the rank-k update described above.
    ///
    /// - Parameters:
    ///   - w: n² contiguous, writable scalars (row-major, leading dimension exactly n).
    ///   - c: the threshold, > 0 (2 − δ for the paper's P_δ).
    /// - Returns: σ_1 of the block *before* the projection and the number k of clipped σ_i.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when the block holds ±∞/NaN
    ///   (no SVD exists; the block is then left as it is), or
    ///   ``LinearAlgebraError/didNotConverge(routine:info:)`` when xGESDD fails (the block is
    ///   again unchanged: it is written only after the SVD has succeeded).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func project(_ w: UnsafeMutablePointer<Scalar>, threshold c: Scalar) throws -> SpectralProjection.Outcome {
        let n = size
        for i in 0..<(n * n) where !w[i].isFinite { throw LinearAlgebraError.nonFiniteInput(routine: "gesdd") }
        a.p.update(from: w, count: n * n)
        let info = Scalar.gesdd(m: n, n: n, a: a.p, s: s.p, u: u.p, vt: vt.p)
        try LinearAlgebraError.check(info, "gesdd")
        var k = 0
        while k < n && s.p[k] > c { k += 1 }   // σ descending: the clipped ones come first
        if k > 0 {
            // U_k diag(σ_i − c): scale the first k columns of U.
            for i in 0..<n { for j in 0..<k { u.p[i * n + j] *= s.p[j] - c } }
            Scalar.gemm(transA: false, transB: false, m: n, n: n, k: k, alpha: -1, a: u.p, lda: n,
                        b: vt.p, ldb: n, beta: 1, c: w, ldc: n)
        }
        return SpectralProjection.Outcome(largestSingularValue: Double(s.p[0]), clippedCount: k)
    }
}

extension GRULayer {
    /// Applies P_δ (threshold c = 2 − δ) to the candidate's recurrent matrix, rows 2H..<3H of
    /// `weightHH` (W_hn; the paper's W_hh), in place, in both forms, by a full SVD
    /// (``CandidateProjector``). The r and z blocks are never touched.
    ///
    /// This is the allocation-free reference path; training goes through ``SGD``, whose
    /// ``SpectralProjector`` gives the same matrix to working precision and skips certified cases.
    /// - Parameters:
    ///   - delta: δ, 0 ≤ δ < 2 (a precondition of ``SpectralProjection/threshold(delta:)``).
    ///   - projector: buffers to reuse, of size H; nil allocates a fresh one for this call.
    /// - Returns: σ_1 of the block before the projection and how many σ_i exceeded 2 − δ.
    /// - Precondition: `projector`, when given, has ``CandidateProjector/size`` = H.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when the block holds ±∞/NaN, or
    ///   LAPACK's failure; in both cases the block is left unchanged.
    @discardableResult
    public func projectCandidate(delta: Double, using projector: CandidateProjector<Scalar>? = nil) throws -> SpectralProjection.Outcome {
        let h = hiddenSize
        let proj = projector ?? CandidateProjector<Scalar>(size: h)
        precondition(proj.size == h, "projectCandidate: projector of size \(proj.size) for H = \(h)")
        let c = Scalar(SpectralProjection.threshold(delta: delta))
        return try weightHH.value.elements.withUnsafeMutableBufferPointer { w in
            try proj.project(w.baseAddress! + 2 * h * h, threshold: c)
        }
    }
}

/// How ``SpectralProjector`` computes P_c(W) = U diag(min(σ_i, c)) Vᵀ. Every method gives the
/// same matrix to the working precision; they differ in cost (measured by `ProjectionCost`).
///
/// Notation: W is n×n, c > 0 the threshold, k the number of σ_i > c, M = WᵀW with eigenpairs
/// (λ_i = σ_i², v_i). Two identities make every method exact:
///
///     P_c(W) = W − Σ_{σ_i > c} (σ_i − c) u_i v_iᵀ                              (a)
///     P_c(W) = W · V diag(min(1, c/σ_i)) Vᵀ = W − W V_k diag(1 − c/σ_i) V_kᵀ   (b)
///
/// (a) because only the clipped triplets change; (b) because W v_i = σ_i u_i, so
/// W·(σ_i − c)/σ_i·v_i v_iᵀ = (σ_i − c) u_i v_iᵀ: only the right singular vectors and values
/// of the clipped triplets are needed, and they are eigenpairs of M with λ_i > c².
public enum ProjectionMethod: String, CaseIterable, Sendable {
    /// (a) with a full SVD of W (xGESDD): O(n³) ≈ 20n³ flops, the reference.
    case fullSVD
    /// (b) with all eigenpairs of M (xSYRK n³ flops + xSYEVD ≈ 9n³), then 4n²k flops of GEMM.
    case eigen
    /// (b) with only the eigenpairs λ > c² of M (xSYRK + xSYEVR, range 'V'): the tridiagonal
    /// reduction (4n³/3) dominates; each wanted vector adds O(n²).
    case selectiveEigen
    /// As ``selectiveEigen`` with bisection and inverse iteration (xSYEVX, range 'V').
    case selectiveEigenX
    /// (a) with only the triplets σ > c of W (xGESVDX, range 'V'): bidiagonal reduction
    /// (8n³/3) plus O(n²) per wanted triplet.
    case selectiveSVD
    /// (b) with the p largest eigenpairs of M (xSYEVR, range 'I'), p = (last k) + margin; when
    /// all p exceed c² it repeats with range 'V'. Unlike range 'V' it always yields σ_1, which
    /// keeps the certified bound of ``SpectralProjector`` tight.
    case leadingEigen
    /// (b) with the leading Ritz pairs of M from a subspace iteration started at the previous
    /// call's leading right singular vectors (W changes little from one SGD step to the next),
    /// accepted only with an a-posteriori certificate: the residuals of the clipped pairs are at
    /// rounding level, and a Cholesky factorization of s₀I − M + Z T Zᵀ (Z the p Ritz vectors)
    /// bounds every other singular value below c. Cost n³ (xSYRK) + n³/3 (xPOTRF) + 8n²p per
    /// iteration (a degree-4 Chebyshev filter and a Rayleigh–Ritz step; two or three iterations
    /// per training step at n = 650, p = 16), against xSYRK plus the 4n³/3 tridiagonal reduction
    /// (half of it matrix–vector work) of ``leadingEigen``. When the
    /// certificate fails (stale start, too few iterations, a spectrum crowding c) the result
    /// comes from ``leadingEigen`` instead, whose eigenvectors then seed the next call. See
    /// ``SpectralProjector`` for the certificate and its tolerances.
    case warmSubspace
    /// Certified skip when a rigorous bound gives σ_1 ≤ c, else ``warmSubspace`` when an earlier
    /// call left leading singular vectors to start from, else ``leadingEigen``; any LAPACK
    /// failure falls back to ``fullSVD``.
    case automatic
}

/// What one call of ``SpectralProjector`` did.
public struct ProjectionReport: Sendable, Equatable {
    /// What happened to W: left alone by a certificate, decomposed and left unchanged, or
    /// decomposed and clipped.
    public enum Action: Sendable, Equatable {
        /// A rigorous bound showed σ_1 ≤ c: nothing was decomposed and W is unchanged.
        case skipped
        /// A decomposition found no σ_i > c: W is unchanged.
        case unchanged
        /// `clipped` singular values exceeded c and were clipped.
        case projected(clipped: Int)
    }
    /// Skipped, unchanged or projected (with the number of clipped singular values).
    public var action: Action
    /// The method that produced the result (``ProjectionMethod/automatic`` for a skip).
    public var method: ProjectionMethod
    /// σ_1(W) before the projection when the method computed it, else nil.
    public var largestSingularValue: Double?
    /// The certified bound on σ_1 of the returned matrix (nil when none is known).
    public var certifiedBound: Double?
    /// True when a LAPACK failure forced the full-SVD fallback.
    public var fellBack: Bool
    /// Wall-clock time of the call.
    public var seconds: Double
    /// True when ``ProjectionMethod/warmSubspace`` was tried and its certificate failed, so that
    /// ``method`` (``ProjectionMethod/leadingEigen`` or ``ProjectionMethod/fullSVD``) produced the result.
    public var certificateRejected: Bool = false
    /// Subspace iterations of a ``ProjectionMethod/warmSubspace`` attempt (certified or not), else 0.
    public var subspaceIterations: Int = 0

    /// The number of clipped singular values (0 unless `.projected`).
    public var clippedCount: Int { if case .projected(let k) = action { return k } else { return 0 } }
}

/// The exact projection P_c(W) = U diag(min(σ_i, c)) Vᵀ of an n×n matrix, made cheap.
///
/// Holds every workspace for its n (allocated once in `init`; a call allocates nothing) and
/// a ``SpectralNormTracker``. With ``ProjectionMethod/automatic`` a call
///  1. **skips** when the tracker certifies σ_1 ≤ c: the bound b of the returned matrix from the
///     previous call plus the step size ‖ΔW‖_F (Weyl), O(1);
///  2. otherwise scans W once (Inf/NaN → error; ‖W‖_F and √(‖W‖₁‖W‖_∞), both ≥ σ_1) and
///     **skips** when either is ≤ c, O(n²);
///  3. otherwise, when an earlier call left leading right singular vectors, runs the certified
///     warm-started subspace iteration (``ProjectionMethod/warmSubspace``, below);
///  4. otherwise, or when that certificate fails, computes the leading eigenpairs of WᵀW above c²
///     (``ProjectionMethod/leadingEigen``) and applies identity (b), falling back to the full
///     SVD if LAPACK reports a failure.
/// The matrix is modified only after a decomposition has succeeded (or been certified).
///
/// **The warm-subspace certificate.** With M = WᵀW formed once (xSYRK), a block of p vectors
/// (the previous call's Ritz vectors, padded with pseudo-random ones; p ≥ 16, grown until the
/// block reaches below c) is iterated with a Rayleigh–Ritz step each time: QᵀMQ = S Θ Sᵀ, Ritz
/// vectors Z = Q S, residuals r_i = M z_i − θ_i z_i, then Q ← orth(T₄(2M/b − I)·Z), a Chebyshev
/// filter that damps the eigenvalues below the block's smallest Ritz value b.
/// Let k Ritz values exceed c² (the clipped set, vectors Z_k) and τ = (c(1 + 4u))². The result
/// W − W Z_k diag(1 − c/√θ_i) Z_kᵀ is accepted only when all of the following hold:
///  1. ‖r_i‖ ≤ 8√n·u·c² for every clipped pair (rounding level; the attempt is abandoned at
///     once when θ_max > 8c², where the residual floor u·√n·θ_max would not allow it);
///  2. the Cholesky factorization (xPOTRF) of H = s₀I − M + Z T Zᵀ succeeds, with T = diag(4^m_i)
///     the powers of 4 above θ_i + s₀ (so Z T^½ is formed exactly) and s₀ below c². By Demmel's
///     backward error bound for Cholesky (any summation order), success means
///     H + ΔH ⪰ 0 with ‖ΔH‖₂ ≤ γ_{n+1}/(1 − γ_{n+1})·tr H, and forming H in floating point adds at
///     most γ_n‖W‖_F² (the Gram product: |fl(WᵀW) − WᵀW| ≤ γ_n|W|ᵀ|W|) plus
///     γ_{p+1}(√n·s₀ + 2‖W‖_F² + 2 tr T) + u(s₀ + ‖W‖_F²) (the shift and the rank-p update).
///     With s_cert = s₀ + those allowances, every unit x ⊥ span(Z) has ‖Wx‖² ≤ s_cert: a
///     rigorous bound (γ_m = mu/(1 − mu)) on the part of W the block does not hold;
///  3. s_cert < τ and Σ_{i unclipped} (‖r_i‖ + ε)²/(τ_S − θ_i) ≤ τ_S − s_cert, with
///     τ_S = τ(1 + 16√n·u) and ε = 4n·u·max(θ_max, c²) (the class's p(n)·u allowance for the
///     rounding of M and of the residuals). In the basis (Z_k, Z_rest, Z⊥) the compression N of M
///     to span(Z_k)⊥ is [[Θ_rest, Gᵀ], [G, C]] with ‖g_i‖ ≤ ‖r_i‖ + ε and λ_max(C) ≤ s_cert, so
///     by the Schur complement N ⪯ τ_S·I iff D − GᵀG/(τ_S − s_cert) ⪰ 0 (D = diag(τ_S − θ_i)),
///     which the sum (a trace bound) implies.
/// Then M̃ = diag(Θ_k, N) (M without the coupling F = [r_1 … r_k]) has
/// ‖g(M̃) − diag(g(Θ_k), I)‖ ≤ 8√n·u for g(λ) = min(1, c/√λ) (N ⪯ τ_S·I: a value of N between c²
/// and τ_S, left unclipped, is within 8√n·u·c of c), while P_c(W) = W·g(M). g is Lipschitz with
/// constant 1/(2c²), and for symmetric matrices a Lipschitz function is Lipschitz in the Frobenius
/// norm with the same constant, so the accepted result differs from P_c(W) by at most
/// σ_1·√2‖F‖_F/(2c²) + 8√n·u·σ_1·√(#unclipped values in (c, c(1 + 8√n·u)]) in Frobenius norm,
/// with ‖F‖_F ≤ 8√(nk)·u·c²: about 4√(2nk)·u·σ_1, the working precision of the Gram-matrix
/// methods. (Z is orthonormal to O(√n·u) only; that error is of the same order.)
/// NaN anywhere fails a comparison and rejects the certificate; Inf/NaN in W is refused before.
///
/// Exactness: a skip is exact because the bound is rigorous (with explicit allowances for
/// rounding). The decompositions are backward stable: the eigenpairs computed from M are exact
/// for M + ΔM with ‖ΔM‖ ≲ p(n)·u·σ_1², and P depends on M through g(λ) = min(1, c/√λ), which is
/// Lipschitz with constant 1/(2c²); so the result differs from P_c(W) by ≲ p(n)·u·σ_1·(σ_1/c),
/// the same order as the rounding of the full-SVD reference when σ_1 is within a small factor
/// of c (as in training, where W was projected one step earlier). Singular values within 4u of c
/// are treated as equal to c, which changes the result by at most 4u·c.
///
/// Not thread-safe: one projector per matrix being trained.
public final class SpectralProjector<T: BLASScalar> {
    /// The size of the projected n×n matrices.
    public let n: Int
    /// The threshold c (= 2 − δ in the paper).
    public let threshold: T
    /// The method used by ``project(_:stepFrobeniusNorm:)``.
    public var method: ProjectionMethod
    /// The bound carried across calls (see ``SpectralNormTracker``).
    public private(set) var tracker = SpectralNormTracker()

    private let a: UnsafeMutablePointer<T>      // n×n: WᵀW, or a copy of W for the SVDs
    private let z: UnsafeMutablePointer<T>      // n×n: eigenvectors / U
    private let y: UnsafeMutablePointer<T>      // n×n: W·V_k / Vᵀ
    private let values: UnsafeMutablePointer<T> // n
    private let colSums: UnsafeMutablePointer<Double> // n
    private let work: UnsafeMutablePointer<T>
    private let lwork: Int
    private let iwork: UnsafeMutablePointer<Int32>
    private let liwork: Int
    private let isuppz: UnsafeMutablePointer<Int32> // 2n (also ifail)
    private var found: Int32 = 0
    private var lastClipped = 0
    private let unitRoundoff: Double
    /// Relative allowance for the rounding of a decomposition and of the update (see init).
    private let decompositionAllowance: Double

    // Warm-subspace state (see ``ProjectionMethod/warmSubspace``).
    /// The largest block: min(96, n/4), so that four n×p blocks fit in `z`; < 8 disables the method.
    private let blockCapacity: Int
    /// The previous call's leading right singular vectors (column-major n×blockCapacity).
    private let warm: UnsafeMutablePointer<T>
    /// How many columns of `warm` are valid (0: no warm start).
    public private(set) var warmStartCount = 0
    /// The block size to use next time (grown when the block did not reach below c).
    private var blockSize = 0
    /// p×p Rayleigh–Ritz matrix, Ritz values, QR scalars, residual norms (Double).
    private let small: UnsafeMutablePointer<T>
    private let ritz: UnsafeMutablePointer<T>
    private let tau: UnsafeMutablePointer<T>
    private let residuals: UnsafeMutablePointer<Double>
    /// State of the pseudo-random padding (xorshift64*), fixed so that results are reproducible.
    private var noise: UInt64 = SpectralProjector.initialNoise
    /// The cold-start generator's state at creation (and after ``resetHistory()``).
    private static var initialNoise: UInt64 { 0x9E37_79B9_7F4A_7C15 }
    /// Subspace iterations of the last warm-subspace attempt (for tests and benchmarks).
    public private(set) var lastIterations = 0

    /// A projector for n×n matrices and the threshold c.
    /// - Precondition: n ≥ 1, c finite and > 0.
    /// - Throws: ``LinearAlgebraError`` if a LAPACK workspace query fails.
    public init(n: Int, threshold c: T, method: ProjectionMethod = .automatic) throws {
        precondition(n >= 1, "SpectralProjector: n must be ≥ 1, got \(n)")
        precondition(c.isFinite && c > 0, "SpectralProjector: the threshold must be finite and > 0, got \(c)")
        self.n = n; self.threshold = c; self.method = method
        unitRoundoff = Double(T.ulpOfOne) / 2
        // p(n)·u with p(n) = 4n: a generous stand-in for LAPACK's "modest function of n" in the
        // backward-error bounds of the symmetric eigensolvers and of the SVD.
        decompositionAllowance = 4 * Double(n) * unitRoundoff
        let nn = n * n
        a = .allocate(capacity: nn); z = .allocate(capacity: nn); y = .allocate(capacity: nn)
        values = .allocate(capacity: n); colSums = .allocate(capacity: n)
        isuppz = .allocate(capacity: 2 * n)
        // Workspace queries (lwork = liwork = -1) for every driver; keep the maximum.
        let qw = UnsafeMutablePointer<T>.allocate(capacity: 1), qi = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        let pf = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { qw.deallocate(); qi.deallocate(); pf.deallocate() }
        var maxWork = 1, maxIWork = 12 * n
        func take(_ info: Int32, _ routine: String) throws {
            try LinearAlgebraError.check(info, routine)
            maxWork = Swift.max(maxWork, Int(qw[0]) + 1)
            maxIWork = Swift.max(maxIWork, Int(qi[0]))
            qi[0] = 0
        }
        let (pa, pz, py, pv, ps) = (a, z, y, values, isuppz)
        let r = SpectrumRange<T>.values(lower: 0, upper: 1)
        qi[0] = 0
        try take(T.syevrWork(vectors: true, range: r, n: n, a: pa, lda: n, abstol: 0, found: pf, w: pv, z: pz, ldz: n,
                             isuppz: ps, work: qw, lwork: -1, iwork: qi, liwork: -1), "syevr")
        try take(T.syevrWork(vectors: true, range: .indices(lower: 1, upper: n), n: n, a: pa, lda: n, abstol: 0, found: pf, w: pv,
                             z: pz, ldz: n, isuppz: ps, work: qw, lwork: -1, iwork: qi, liwork: -1), "syevr")
        try take(T.syevxWork(vectors: true, range: r, n: n, a: pa, lda: n, abstol: 0, found: pf, w: pv, z: pz, ldz: n,
                             work: qw, lwork: -1, iwork: qi, ifail: ps), "syevx")
        try take(T.gesvdxWork(vectors: true, range: r, m: n, n: n, a: pa, lda: n, found: pf, s: pv, u: pz, ldu: n, vt: py, ldvt: n,
                              work: qw, lwork: -1, iwork: qi), "gesvdx")
        try take(T.syevdWork(n: n, a: pa, lda: n, w: pv, work: qw, lwork: -1, iwork: qi, liwork: -1), "syevd")
        try take(T.gesddWork(m: n, n: n, a: pa, lda: n, s: pv, u: pz, ldu: n, vt: py, ldvt: n, work: qw, lwork: -1, iwork: qi), "gesdd")
        // The warm-subspace blocks: syevd on the p×p Ritz matrix, QR of an n×p block.
        let cap = Swift.min(96, n / 4)
        blockCapacity = cap
        if cap >= 8 {
            try take(T.syevdWork(n: cap, a: pa, lda: cap, w: pv, work: qw, lwork: -1, iwork: qi, liwork: -1), "syevd")
            try take(T.orthonormalize(m: n, n: cap, a: pa, lda: n, tau: pv, work: qw, lwork: -1), "geqrf")
        }
        let c1 = Swift.max(cap, 1)
        warm = .allocate(capacity: n * c1); small = .allocate(capacity: c1 * c1); ritz = .allocate(capacity: c1)
        tau = .allocate(capacity: c1); residuals = .allocate(capacity: c1)
        lwork = maxWork; liwork = maxIWork
        work = .allocate(capacity: lwork); iwork = .allocate(capacity: liwork)
    }

    deinit {
        a.deallocate(); z.deallocate(); y.deallocate(); values.deallocate(); colSums.deallocate()
        work.deallocate(); iwork.deallocate(); isuppz.deallocate()
        warm.deallocate(); small.deallocate(); ritz.deallocate(); tau.deallocate(); residuals.deallocate()
    }

    /// Forgets the leading singular vectors kept for ``ProjectionMethod/warmSubspace`` (the next
    /// call starts cold: pseudo-random vectors for that method, ``ProjectionMethod/leadingEigen``
    /// for ``ProjectionMethod/automatic``). Never needed for correctness: the certificate does not
    /// depend on the start.
    public func resetWarmStart() { warmStartCount = 0; blockSize = 0 }

    /// Forgets everything carried from earlier calls — the certified bound, the warm start, the
    /// last clipped count and the generator of cold starts — so that the following calls compute
    /// exactly (bit for bit) what a newly made projector computes. The trainer calls it (through
    /// ``SGD/resetProjectionHistory()``) at every epoch start: a run resumed from a checkpoint, whose
    /// projector is new, then repeats an uninterrupted run exactly, although the warm start itself
    /// is not saved.
    public func resetHistory() {
        resetWarmStart()
        resetBound()
        lastClipped = 0
        noise = Self.initialNoise
    }

    /// Replaces the warm start by the given unit vectors (for tests of stale or adversarial starts).
    /// - Precondition: each vector has n entries; at most the block capacity min(96, n/4) are kept.
    public func setWarmStart(_ vectors: [[T]]) {
        let m = Swift.min(vectors.count, blockCapacity)
        for j in 0..<m {
            precondition(vectors[j].count == n, "setWarmStart: vectors must have n = \(n) entries")
            vectors[j].withUnsafeBufferPointer { (warm + j * n).update(from: $0.baseAddress!, count: n) }
        }
        warmStartCount = m
        blockSize = m
    }

    /// Forgets the certified bound: call it when W was changed by anything other than steps
    /// whose size is passed to ``project(_:stepFrobeniusNorm:)``.
    public func resetBound() { tracker.reset() }

    /// Replaces W by P_c(W) in place, by ``method``.
    ///
    /// - Parameters:
    ///   - w: the n×n matrix to project, replaced only after a decomposition has succeeded.
    ///   - stepFrobeniusNorm: an upper bound on ‖W − W_prev‖_F, W_prev the matrix this
    ///   projector returned last time (for SGD, η‖∇W‖_F); nil when unknown. It feeds the Weyl
    ///   certificate, so it **must** be an upper bound: an underestimate voids the certificate.
    /// - Returns: what was done, by which method, σ_1 when it was computed, the certified bound
    ///   of the result and the time taken.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when W holds Inf/NaN (W is left
    ///   unchanged), ``LinearAlgebraError/shape(routine:message:)`` when W is not n×n, and the
    ///   LAPACK error of the full SVD if even the fallback fails (W is left unchanged). After a
    ///   non-finite W or a LAPACK failure the carried bound is forgotten.
    @discardableResult
    public func project(_ w: inout Matrix<T>, stepFrobeniusNorm: T? = nil) throws -> ProjectionReport {
        guard w.rows == n, w.cols == n else {
            throw LinearAlgebraError.shape(routine: "SpectralProjector", message: "expected a \(n)×\(n) matrix, got \(w.rows)×\(w.cols)")
        }
        return try w.elements.withUnsafeMutableBufferPointer { p in
            try project(block: p.baseAddress!, rowStride: n, stepFrobeniusNorm: stepFrobeniusNorm)
        }
    }

    /// ``project(_:stepFrobeniusNorm:)`` after an SGD step W ← W − η∇ with ‖∇‖_F = gradientFrobeniusNorm,
    /// i.e. with step size |η|·‖∇‖_F formed in T. The rounding of that product (≤ u relative) lies
    /// within the allowance ``SpectralNormTracker/advance(by:n:unitRoundoff:)`` adds, but
    /// `gradientFrobeniusNorm` itself must be an upper bound (round a computed norm up).
    /// - Throws: as ``project(_:stepFrobeniusNorm:)``.
    @discardableResult
    public func project(_ w: inout Matrix<T>, gradientFrobeniusNorm g: T, learningRate eta: T) throws -> ProjectionReport {
        try project(&w, stepFrobeniusNorm: abs(eta) * g)
    }

    /// In-place P_c (internal: the raw-pointer entry point behind ``SGD``; callers outside the engine use
    /// ``project(_:stepFrobeniusNorm:)`` on a ``Matrix``) on the row-major n×n block at `base` with row stride `rowStride` ≥ n (for
    /// the candidate block of a 3H×H gate matrix: base + 2H·H, stride H). No copy of the block
    /// is made except inside the SVD methods, which copy into the projector's workspace.
    /// Otherwise as ``project(_:stepFrobeniusNorm:)``.
    /// - Parameters:
    ///   - base: the block's first entry; n rows of n writable scalars, `rowStride` apart.
    ///   - ld: the row stride (leading dimension), ≥ n.
    ///   - stepFrobeniusNorm: an upper bound on the change since the last call, or nil.
    /// - Precondition: `rowStride` ≥ n.
    /// - Throws: as ``project(_:stepFrobeniusNorm:)`` (except the shape error, which cannot occur).
    @discardableResult
    func project(block base: UnsafeMutablePointer<T>, rowStride ld: Int, stepFrobeniusNorm: T? = nil) throws -> ProjectionReport {
        precondition(ld >= n, "SpectralProjector: row stride \(ld) < n = \(n)")
        let start = ContinuousClock.now
        func seconds() -> Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let c = Double(threshold)
        if method == .automatic {
            tracker.advance(by: stepFrobeniusNorm.map(Double.init), n: n, unitRoundoff: unitRoundoff)
            if let b = tracker.bound, b <= c {
                return ProjectionReport(action: .skipped, method: .automatic, largestSingularValue: nil,
                                        certifiedBound: b, fellBack: false, seconds: seconds())
            }
        }
        // One pass: finiteness, ‖W‖_F, ‖W‖₁, ‖W‖_∞ (summed in Double).
        guard let (frob, holder) = scan(base, ld) else {
            tracker.reset()
            throw LinearAlgebraError.nonFiniteInput(routine: "SpectralProjector")
        }
        let cheap = Swift.min(frob, holder)
        if method == .automatic, cheap <= c {
            tracker.establish(cheap)
            return ProjectionReport(action: .skipped, method: .automatic, largestSingularValue: nil,
                                    certifiedBound: cheap, fellBack: false, seconds: seconds())
        }
        // An upper bound for the 'V' ranges (LAPACK needs a finite VU > VL).
        let upper = Swift.max(cheap * 1.01 + 1, 2 * c + 1)
        var used = method == .automatic ? ProjectionMethod.leadingEigen : method
        var result: (k: Int, sigma1: Double?)? = nil
        var fellBack = false
        var rejected = false
        // Automatic tries the warm subspace only while the constraint binds (the last call clipped)
        // and the clipped set is small enough to fit in a block with room below c (a spectrum with
        // many values above c goes straight to the eigensolver instead of growing a block first).
        // While nothing is clipped it keeps the eigensolver: that yields σ_1 itself, whose tight
        // bound lets the following steps skip by Weyl's inequality, where the subspace method's
        // certificate only bounds σ_1 by c and every following step would have to decompose again.
        let subspace = blockCapacity >= 8
            && (method == .warmSubspace
                || (method == .automatic && warmStartCount > 0 && lastClipped > 0 && lastClipped < blockCapacity / 2))
        if used == .warmSubspace { used = .leadingEigen }
        if subspace {
            result = warmSubspace(base, ld, frobeniusSquared: frob * frob)
            if result != nil { used = .warmSubspace } else { rejected = true }
        }
        if result == nil && used != .fullSVD { result = decompose(used, base, ld, upper) }
        if result == nil {
            fellBack = used != .fullSVD
            used = .fullSVD
            let info = fullSVD(base, ld)
            if info != 0 {
                tracker.reset()
                try LinearAlgebraError.check(info, "gesdd")
            }
            result = (lastClipped, Double(values[0]))
        }
        let (k, sigma1) = result!
        lastClipped = k
        // The bound of the returned matrix: c after clipping, σ_1 otherwise (or c when only
        // "no value above c" is known), inflated by the rounding allowance.
        let b = (k > 0 ? c : (sigma1 ?? c)) * (1 + decompositionAllowance)
        tracker.establish(b)
        return ProjectionReport(action: k > 0 ? .projected(clipped: k) : .unchanged, method: used,
                                largestSingularValue: sigma1, certifiedBound: b, fellBack: fellBack, seconds: seconds(),
                                certificateRejected: rejected, subspaceIterations: subspace ? lastIterations : 0)
    }

    // MARK: Pieces

    /// (‖W‖_F, √(‖W‖₁‖W‖_∞)) inflated by 1 + 2⁻³⁰ for the Double sums, or nil on Inf/NaN.
    /// `scanEntries` is pre-specialised for Float and Double: an unspecialised generic loop over n²
    /// entries would cost more than the decomposition it is meant to avoid.
    private func scan(_ base: UnsafeMutablePointer<T>, _ ld: Int) -> (Double, Double)? {
        scanEntries(base, n: n, ld: ld, colSums: colSums)
    }

    /// The threshold below which a singular value counts as "not above c": c(1 + 4u).
    private var sigmaCut: T { threshold * (1 + 4 * T.ulpOfOne / 2) }

    /// M = WᵀW into `a` (upper triangle, column-major). Row-major W with stride ld is the
    /// column-major Wᵀ with lda = ld, so M = (Wᵀ)(Wᵀ)ᵀ = syrk without transpose.
    private func gram(_ base: UnsafeMutablePointer<T>, _ ld: Int) {
        T.syrkUpper(trans: false, n: n, k: n, alpha: 1, a: base, lda: ld, beta: 0, c: a, ldc: n)
    }

    /// Runs one of the eigen or selective-SVD methods; returns nil on a LAPACK failure (W untouched).
    private func decompose(_ m: ProjectionMethod, _ base: UnsafeMutablePointer<T>, _ ld: Int, _ upper: Double) -> (k: Int, sigma1: Double?)? {
        let cut = sigmaCut, cut2 = cut * cut
        let vu2 = T(upper * upper)
        switch m {
        case .eigen:
            gram(base, ld)
            guard T.syevdWork(n: n, a: a, lda: n, w: values, work: work, lwork: lwork, iwork: iwork, liwork: liwork) == 0 else { return nil }
            var j0 = n
            while j0 > 0 && values[j0 - 1] > cut2 { j0 -= 1 }
            let s1 = Double(Swift.max(values[n - 1], 0)).squareRoot()
            remember(a, count: n, largestLast: true)
            applyEigen(base, ld, vectors: a + j0 * n, lambdas: values + j0, k: n - j0)
            return (n - j0, s1)
        case .selectiveEigen, .selectiveEigenX:
            gram(base, ld)
            let r = SpectrumRange<T>.values(lower: cut2, upper: vu2)
            let info = m == .selectiveEigen
                ? T.syevrWork(vectors: true, range: r, n: n, a: a, lda: n, abstol: 0, found: &found, w: values, z: z, ldz: n,
                              isuppz: isuppz, work: work, lwork: lwork, iwork: iwork, liwork: liwork)
                : T.syevxWork(vectors: true, range: r, n: n, a: a, lda: n, abstol: 0, found: &found, w: values, z: z, ldz: n,
                              work: work, lwork: lwork, iwork: iwork, ifail: isuppz)
            guard info == 0 else { return nil }
            let got = Int(found)
            var j0 = 0
            while j0 < got && !(values[j0] > cut2) { j0 += 1 }
            let s1: Double? = got > 0 ? Double(values[got - 1]).squareRoot() : nil
            remember(z, count: got, largestLast: true)
            applyEigen(base, ld, vectors: z + j0 * n, lambdas: values + j0, k: got - j0)
            return (got - j0, s1)
        case .leadingEigen:
            var p = Swift.min(n, Swift.max(lastClipped + Swift.max(4, lastClipped / 4), 8))
            // Seeding a warm-subspace call: a few more vectors cost O(n²) each here and save
            // iterations there.
            if method != .leadingEigen && blockCapacity >= 8 { p = Swift.max(p, Swift.min(blockCapacity, 16)) }
            // Many wanted vectors: divide and conquer on all of M is cheaper than a subset.
            if 2 * p >= n { return decompose(.eigen, base, ld, upper) }
            gram(base, ld)
            guard T.syevrWork(vectors: true, range: .indices(lower: n - p + 1, upper: n), n: n, a: a, lda: n, abstol: 0,
                              found: &found, w: values, z: z, ldz: n, isuppz: isuppz, work: work, lwork: lwork,
                              iwork: iwork, liwork: liwork) == 0 else { return nil }
            let got = Int(found)
            guard got == p else { return nil }
            let s1 = Double(Swift.max(values[got - 1], 0)).squareRoot()
            if p < n && values[0] > cut2 {
                // All p leading values exceed c: the clipped set may be larger. Ask for exactly (c², ∞).
                guard let r = decompose(.selectiveEigen, base, ld, upper) else { return nil }
                return (r.k, s1)
            }
            var j0 = 0
            while j0 < got && !(values[j0] > cut2) { j0 += 1 }
            remember(z, count: got, largestLast: true)
            applyEigen(base, ld, vectors: z + j0 * n, lambdas: values + j0, k: got - j0)
            return (got - j0, s1)
        case .selectiveSVD:
            copyToWorkspace(base, ld)
            let r = SpectrumRange<T>.values(lower: cut, upper: T(upper))
            guard T.gesvdxWork(vectors: true, range: r, m: n, n: n, a: a, lda: n, found: &found, s: values, u: z, ldu: n,
                               vt: y, ldvt: n, work: work, lwork: lwork, iwork: iwork) == 0 else { return nil }
            let got = Int(found)
            var k = 0
            while k < got && values[k] > cut { k += 1 }
            applySVD(base, ld, k: k)
            return (k, got > 0 ? Double(values[0]) : nil)
        case .fullSVD, .automatic, .warmSubspace:
            return nil
        }
    }

    /// W ← W − (W V_k) diag(1 − c/σ_i) V_kᵀ, identity (b). `vectors` holds k eigenvectors v_i
    /// contiguously (column-major columns = row-major rows v_iᵀ, stride n), `lambdas` their λ_i.
    private func applyEigen(_ base: UnsafeMutablePointer<T>, _ ld: Int, vectors: UnsafeMutablePointer<T>,
                            lambdas: UnsafeMutablePointer<T>, k: Int) {
        guard k > 0 else { return }
        // Y = W · V_k  (n×k, row-major, ldc = k)
        T.gemm(transA: false, transB: true, m: n, n: k, k: n, alpha: 1, a: base, lda: ld, b: vectors, ldb: n, beta: 0, c: y, ldc: k)
        for i in 0..<k {
            let d = 1 - threshold / lambdas[i].squareRoot()
            T.scal(n: n, alpha: d, x: vectors + i * n, incx: 1)
        }
        // W ← W − Y · (D V_kᵀ)
        T.gemm(transA: false, transB: false, m: n, n: n, k: k, alpha: -1, a: y, lda: k, b: vectors, ldb: n, beta: 1, c: base, ldc: ld)
    }

    /// Copies the row-major block into `a` (stride n); read column-major it is Wᵀ.
    private func copyToWorkspace(_ base: UnsafeMutablePointer<T>, _ ld: Int) {
        if ld == n { a.update(from: base, count: n * n); return }
        for i in 0..<n { (a + i * n).update(from: base + i * ld, count: n) }
    }

    /// After an SVD of Wᵀ = U_a Σ V_aᵀ (column-major, U_a in z, V_aᵀ in y, σ descending in
    /// `values`): W = V_a Σ U_aᵀ, so read row-major y holds (u_i)_r at [r][i] and z holds (v_i)_s
    /// at [i][s]. W ← W − Σ_{i<k} (σ_i − c) u_i v_iᵀ, identity (a).
    private func applySVD(_ base: UnsafeMutablePointer<T>, _ ld: Int, k: Int) {
        guard k > 0 else { return }
        for i in 0..<k { T.scal(n: n, alpha: values[i] - threshold, x: z + i * n, incx: 1) }
        T.gemm(transA: false, transB: false, m: n, n: n, k: k, alpha: -1, a: y, lda: n, b: z, ldb: n, beta: 1, c: base, ldc: ld)
    }

    /// The reference: full SVD by xGESDD, then identity (a). Returns LAPACK's info; sets lastClipped.
    private func fullSVD(_ base: UnsafeMutablePointer<T>, _ ld: Int) -> Int32 {
        copyToWorkspace(base, ld)
        let info = T.gesddWork(m: n, n: n, a: a, lda: n, s: values, u: z, ldu: n, vt: y, ldvt: n,
                               work: work, lwork: lwork, iwork: iwork)
        guard info == 0 else { return info }
        var k = 0
        let cut = sigmaCut
        while k < n && values[k] > cut { k += 1 }
        remember(z, count: n, largestLast: false)
        applySVD(base, ld, k: k)
        lastClipped = k
        return 0
    }

    /// Keeps up to ``blockCapacity`` of `count` contiguous unit vectors (length n) as the next warm
    /// start: the last ones when `largestLast` (LAPACK's ascending eigenvalues), else the first.
    private func remember(_ vectors: UnsafeMutablePointer<T>, count: Int, largestLast: Bool) {
        guard blockCapacity >= 8, method == .automatic || method == .warmSubspace else { return }
        let m = Swift.min(count, blockCapacity)
        guard m > 0 else { return }
        warm.update(from: vectors + (largestLast ? (count - m) * n : 0), count: m * n)
        warmStartCount = m
    }

    // MARK: Warm-started subspace iteration

    /// Column-major C(m×n) = op(A)·op(B), through the row-major xGEMM (Cᵀ = op(B)ᵀ·op(A)ᵀ).
    @inline(__always)
    private func gemmColumnMajor(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                 b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        T.gemm(transA: transB, transB: transA, m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb, b: a, ldb: lda, beta: beta, c: c, ldc: ldc)
    }

    /// `count` pseudo-random entries uniform in [−1, 1) (xorshift64*, reproducible).
    private func fillNoise(_ p: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count {
            noise ^= noise >> 12; noise ^= noise << 25; noise ^= noise >> 27
            let r = noise &* 0x2545_F491_4F6C_DD1D
            p[i] = T(Double(r >> 11) * 0x1p-52 - 1)
        }
    }

    /// ``ProjectionMethod/warmSubspace`` on the block: M = WᵀW, subspace iteration from the warm
    /// start, and the certificate described on ``SpectralProjector``. Returns nil, with W untouched,
    /// when the certificate fails or LAPACK reports an error; else applies identity (b) with the
    /// clipped Ritz pairs, keeps the Ritz vectors as the next warm start and returns (k, σ_1).
    private func warmSubspace(_ base: UnsafeMutablePointer<T>, _ ld: Int, frobeniusSquared f2: Double) -> (k: Int, sigma1: Double?)? {
        let cap = blockCapacity
        let u = unitRoundoff
        let cut = Double(sigmaCut), tauCut = cut * cut
        // Block size: what the last call used (grown when needed), at least 16 and the warm vectors.
        var p = Swift.min(cap, Swift.max(blockSize, warmStartCount, Swift.min(cap, Swift.max(16, 2 * lastClipped + 8))))
        let q = z, yb = z + n * cap, zb = z + 2 * n * cap, mz = z + 3 * n * cap
        let have = Swift.min(warmStartCount, p)
        q.update(from: warm, count: have * n)
        fillNoise(q + have * n, count: (p - have) * n)
        guard T.orthonormalize(m: n, n: p, a: q, lda: n, tau: tau, work: work, lwork: lwork) == 0 else { return nil }
        gram(base, ld)
        // Rigorous allowances of the Cholesky certificate (see the class documentation).
        func gamma(_ m: Int) -> Double { let x = Double(m) * u; return x / (1 - x) }
        let gramError = gamma(n) * f2
        // Iterations: about one per bit of precision from a warm start, three times that cold.
        let bits = -Int(u.exponent)
        let maxIterations = have > 0 ? bits : 3 * bits
        var k = 0, iterations = 0, converged = false
        var thetaMax = 0.0, epsilonEstimate = 0.0
        lastIterations = 0
        while iterations < maxIterations {
            iterations += 1
            // Rayleigh–Ritz on span(Q): Y = MQ, QᵀY = SΘSᵀ, Z = QS, MZ = YS.
            T.symmUpper(n: n, m: p, alpha: 1, a: a, lda: n, b: q, ldb: n, beta: 0, c: yb, ldc: n)
            gemmColumnMajor(transA: true, transB: false, m: p, n: p, k: n, alpha: 1, a: q, lda: n, b: yb, ldb: n, beta: 0, c: small, ldc: p)
            guard T.syevdWork(n: p, a: small, lda: p, w: ritz, work: work, lwork: lwork, iwork: iwork, liwork: liwork) == 0 else { return nil }
            gemmColumnMajor(transA: false, transB: false, m: n, n: p, k: p, alpha: 1, a: q, lda: n, b: small, ldb: p, beta: 0, c: zb, ldc: n)
            gemmColumnMajor(transA: false, transB: false, m: n, n: p, k: p, alpha: 1, a: yb, lda: n, b: small, ldb: p, beta: 0, c: mz, ldc: n)
            // Residual norms ‖M z_i − θ_i z_i‖ (yb is free now).
            yb.update(from: mz, count: n * p)
            for i in 0..<p {
                T.axpy(n: n, alpha: -ritz[i], x: zb + i * n, incx: 1, y: yb + i * n, incy: 1)
                residuals[i] = Double(T.nrm2(n: n, x: yb + i * n, incx: 1))
            }
            thetaMax = Double(ritz[p - 1])
            guard thetaMax.isFinite else { return nil }
            k = 0
            while k < p && Double(ritz[p - 1 - k]) > tauCut { k += 1 }
            // The block must reach well below c for the Cholesky certificate to have room.
            epsilonEstimate = gamma(n + 1) * Double(n + 2 * p) * tauCut + gramError
            let bottomLimit = tauCut - Swift.max(0.05 * tauCut, 5 * epsilonEstimate)
            if !(Double(ritz[0]) <= bottomLimit) {
                guard p < cap else { return nil }
                // Grow: keep the Ritz vectors, add pseudo-random ones.
                let grown = Swift.min(cap, p + Swift.max(8, p / 2))
                q.update(from: zb, count: n * p)
                fillNoise(q + p * n, count: (grown - p) * n)
                p = grown
                guard T.orthonormalize(m: n, n: p, a: q, lda: n, tau: tau, work: work, lwork: lwork) == 0 else { return nil }
                continue
            }
            // Rounding-level residuals for the clipped pairs, relative to c² (not θ_max: the error
            // bound grows with σ_1·‖F‖/c²). When σ_1 > 2.8c the residual floor u·√n·θ_max can exceed
            // that, so give up at once: the eigensolver is as cheap and the regime is not training's.
            guard thetaMax <= 8 * tauCut else { lastIterations = iterations; return nil }
            let clippedTolerance = 8 * Double(n).squareRoot() * u * tauCut
            var ok = true
            for i in (p - k)..<p where !(residuals[i] <= clippedTolerance) { ok = false; break }
            // The unclipped pairs near c must be accurate enough for step 3 to leave s₀ (below)
            // above the bottom of the block.
            if ok && !(schurSum(p: p, k: k, thetaMax: thetaMax) <= Swift.max(0.05 * tauCut, 5 * epsilonEstimate) / 8) { ok = false }
            if ok { converged = true; break }
            // Next iterate: orth(p_d(M) Z) with the Chebyshev filter below, else orth(MZ).
            chebyshevFilter(p: p, bound: Double(ritz[0]))
            guard T.orthonormalize(m: n, n: p, a: q, lda: n, tau: tau, work: work, lwork: lwork) == 0 else { return nil }
        }
        lastIterations = iterations
        guard converged else { return nil }

        // The certificate: H = s₀I − M + Z T Zᵀ in `a` (upper triangle), then xPOTRF. The target
        // for s_cert leaves τ − s_cert ≥ twice the Schur sum of step 3, twice the estimated
        // allowances and 1 % of τ; s₀ as large as that allows, so that the factorization succeeds
        // whenever every eigenvalue of M above s₀ lies in the block.
        let schur = schurSum(p: p, k: k, thetaMax: thetaMax)
        let sTarget = tauCut - Swift.max(2 * schur, 2 * epsilonEstimate, 0.01 * tauCut)
        var traceT = 0.0
        for i in 0..<p {
            // t_i = 4^m ≥ θ_i + s_target: the column is scaled by 2^m exactly.
            var scale = 1.0, t = 1.0
            while t < Double(ritz[i]) + sTarget { t *= 4; scale *= 2 }
            traceT += t
            (yb + i * n).update(from: zb + i * n, count: n)
            T.scal(n: n, alpha: T(scale), x: yb + i * n, incx: 1)
        }
        func formingError(_ s0: Double) -> Double {
            gramError + gamma(p + 1) * (Double(n).squareRoot() * s0 + 2 * f2 * (1 + gamma(n)) + 2 * traceT * (1 + 4 * u * Double(n)))
                + u * (s0 + f2 * (1 + gamma(n)))
        }
        // Choose s₀ so that s₀ plus every allowance stays at about s_target (tr H ≤ n·s₀ + tr T).
        let choleskyFactor = gamma(n + 1) / (1 - gamma(n + 1))
        let s0 = (sTarget - formingError(sTarget) - choleskyFactor * traceT) / (1 + choleskyFactor * Double(n))
        guard s0 > 0 else { return nil }
        let sh = T(s0)
        for j in 0..<n {
            let col = a + j * n
            T.scal(n: j + 1, alpha: -1, x: col, incx: 1)
            col[j] += sh
        }
        T.syrkUpper(trans: false, n: n, k: p, alpha: 1, a: yb, lda: n, beta: 1, c: a, ldc: n)
        var traceH = 0.0
        for j in 0..<n { traceH += Double(a[j * n + j]) }
        traceH *= 1 + 2 * Double(n) * 0x1p-53
        guard T.potrfUpper(n: n, a: a, lda: n) == 0 else {
            // An eigenvalue above s₀ outside the block (or a stale start): a larger block next time.
            blockSize = Swift.min(cap, p + 8)
            return nil
        }
        let underflow = 4 * Double(n) * Double(n + 2) * Double(T.leastNormalMagnitude)
        let sCert = Double(sh) + choleskyFactor * traceH + formingError(Double(sh)) + underflow
        guard sCert < tauCut, schurSum(p: p, k: k, thetaMax: thetaMax) <= schurCut - sCert else { return nil }

        // Certified: keep the Ritz vectors for the next call, then apply (b) with the clipped ones.
        warm.update(from: zb, count: n * p)
        warmStartCount = p
        blockSize = p
        applyEigen(base, ld, vectors: zb + (p - k) * n, lambdas: ritz + (p - k), k: k)
        // σ_1 is known only when clipped (the top pair then has a rounding-level residual); with
        // nothing clipped the top Ritz value is only a lower bound, and the caller's carried bound
        // falls back to c (all values are certified ≤ c).
        return (k, k > 0 ? Swift.max(thetaMax, 0).squareRoot() : nil)
    }

    /// Q ← p_d(M)·Z for the Ritz vectors Z (in the block `zb`, M Z in `mz`), p_d(λ) = T_d(2λ/b − 1)
    /// the degree-d Chebyshev polynomial, which is bounded by 1 on [0, b] and grows fastest outside:
    /// with b at the bottom of the block's Ritz values, the unwanted eigenvalues (≤ λ_{p+1} ≲ b)
    /// are damped and a wanted λ gains T_d(2λ/b − 1) per filter (for λ = 1.25b and d = 4: 23.5,
    /// where d plain iterations gain 1.25⁴ ≈ 2.4). Three-term recurrence X_{j+1} = (4/b)·M X_j −
    /// 2X_j − X_{j−1}, one xSYMM per degree. Only the speed depends on b; with b ≤ 0 (a zero or
    /// tiny block bottom) it is one plain step Q ← MZ.
    private func chebyshevFilter(p: Int, bound b: Double) {
        let cap = blockCapacity
        let q = z, yb = z + n * cap, zb = z + 2 * n * cap, mz = z + 3 * n * cap
        let degree = 4
        guard b > 0, b.isFinite else { q.update(from: mz, count: n * p); return }
        let e = T(b / 2)
        // X₀ = Z, X₁ = (MZ − eZ)/e.
        q.update(from: mz, count: n * p)
        T.axpy(n: n * p, alpha: -e, x: zb, incx: 1, y: q, incy: 1)
        T.scal(n: n * p, alpha: 1 / e, x: q, incx: 1)
        var previous = zb, current = q, spare = yb
        for _ in 1..<degree {
            T.symmUpper(n: n, m: p, alpha: 2 / e, a: a, lda: n, b: current, ldb: n, beta: 0, c: spare, ldc: n)
            T.axpy(n: n * p, alpha: -2, x: current, incx: 1, y: spare, incy: 1)
            T.axpy(n: n * p, alpha: -1, x: previous, incx: 1, y: spare, incy: 1)
            (previous, current, spare) = (current, spare, previous)
        }
        if current != q { q.update(from: current, count: n * p) }
    }

    /// The level τ_S = τ(1 + 16√n·u) that step 3 certifies for the unclipped part: a singular
    /// value in (c(1 + 4u), c(1 + 8√n·u)] outside the block's clipped pairs would be left unclipped,
    /// an error of at most 8√n·u·c each, of the order of the clipped pairs' residual tolerance.
    /// The window keeps values that sat at c after the previous projection (and moved by less than
    /// a rounding error since) from forcing a fallback.
    private var schurCut: Double {
        let cut = Double(sigmaCut)
        return cut * cut * (1 + 16 * Double(n).squareRoot() * unitRoundoff)
    }

    /// Σ over the unclipped Ritz pairs of (‖r_i‖ + ε)²/(τ_S − θ_i), ε = 4n·u·max(θ_max, c²) (step 3
    /// of the certificate); +∞ when a Ritz value is not below τ_S or anything is NaN.
    private func schurSum(p: Int, k: Int, thetaMax: Double) -> Double {
        let cut = Double(sigmaCut), tauCut = cut * cut, level = schurCut
        let eps = 4 * Double(n) * unitRoundoff * Swift.max(thetaMax, tauCut)
        var sum = 0.0
        for i in 0..<(p - k) {
            let gap = level - Double(ritz[i])
            guard gap > 0, residuals[i].isFinite else { return .infinity }
            let r = residuals[i] + eps
            sum += r * r / gap
        }
        return sum
    }
}

/// One pass over a row-major n×n block: nil if an entry is Inf/NaN, else (‖W‖_F, √(‖W‖₁‖W‖_∞)),
/// each inflated by 1 + 2⁻³⁰ to cover the rounding of the Double sums (relative ≤ n²·2⁻⁵³).
@_specialize(where S == Float)
@_specialize(where S == Double)
private func scanEntries<S: BinaryFloatingPoint>(_ base: UnsafeMutablePointer<S>, n: Int, ld: Int,
                                                 colSums: UnsafeMutablePointer<Double>) -> (Double, Double)? {
    colSums.initialize(repeating: 0, count: n)
    var sq = 0.0, rowMax = 0.0
    for i in 0..<n {
        let row = base + i * ld
        var r = 0.0
        for j in 0..<n {
            let x = Double(row[j])
            if !x.isFinite { return nil }
            sq += x * x
            let ax = abs(x)
            r += ax
            colSums[j] += ax
        }
        rowMax = Swift.max(rowMax, r)
    }
    var colMax = 0.0
    for j in 0..<n { colMax = Swift.max(colMax, colSums[j]) }
    let f = 1 + 0x1p-30
    return (sq.squareRoot() * f, (rowMax * colMax).squareRoot() * f)
}

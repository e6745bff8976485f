/// How ``SpectralProjector`` computes P_c(W) = U diag(min(σ_i, c)) Vᵀ. Every method gives the
/// same matrix to the working precision; they differ in cost (measured by ``ProjectionCost``).
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
    /// Certified skip when a rigorous bound gives σ_1 ≤ c, else ``leadingEigen``; any LAPACK
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
///  3. otherwise computes the leading eigenpairs of WᵀW above c² (``ProjectionMethod/leadingEigen``)
///     and applies identity (b), falling back to the full SVD if LAPACK reports a failure.
/// The matrix is modified only after a decomposition has succeeded.
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
public final class SpectralProjector<T: SelectiveLAPACKScalar> {
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
        lwork = maxWork; liwork = maxIWork
        work = .allocate(capacity: lwork); iwork = .allocate(capacity: liwork)
    }

    deinit {
        a.deallocate(); z.deallocate(); y.deallocate(); values.deallocate(); colSums.deallocate()
        work.deallocate(); iwork.deallocate(); isuppz.deallocate()
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

    /// In-place P_c on the row-major n×n block at `base` with row stride `rowStride` ≥ n (for
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
    public func project(block base: UnsafeMutablePointer<T>, rowStride ld: Int, stepFrobeniusNorm: T? = nil) throws -> ProjectionReport {
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
        if used != .fullSVD { result = decompose(used, base, ld, upper) }
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
                                largestSingularValue: sigma1, certifiedBound: b, fellBack: fellBack, seconds: seconds())
    }

    // MARK: Pieces

    /// (‖W‖_F, √(‖W‖₁‖W‖_∞)) inflated by 1 + 2⁻³⁰ for the Double sums, or nil on Inf/NaN.
    /// Dispatches to a concrete Float or Double loop: an unspecialised generic loop over n²
    /// entries would cost more than the decomposition it is meant to avoid.
    private func scan(_ base: UnsafeMutablePointer<T>, _ ld: Int) -> (Double, Double)? {
        let raw = UnsafeMutableRawPointer(base)
        if T.self == Float.self {
            return scanEntries(raw.assumingMemoryBound(to: Float.self), n: n, ld: ld, colSums: colSums)
        } else if T.self == Double.self {
            return scanEntries(raw.assumingMemoryBound(to: Double.self), n: n, ld: ld, colSums: colSums)
        }
        return scanEntries(base, n: n, ld: ld, colSums: colSums)
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
            applyEigen(base, ld, vectors: z + j0 * n, lambdas: values + j0, k: got - j0)
            return (got - j0, s1)
        case .leadingEigen:
            let p = Swift.min(n, Swift.max(lastClipped + Swift.max(4, lastClipped / 4), 8))
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
        case .fullSVD, .automatic:
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
        applySVD(base, ld, k: k)
        lastClipped = k
        return 0
    }
}

/// One pass over a row-major n×n block: nil if an entry is Inf/NaN, else (‖W‖_F, √(‖W‖₁‖W‖_∞)),
/// each inflated by 1 + 2⁻³⁰ to cover the rounding of the Double sums (relative ≤ n²·2⁻⁵³).
@inline(__always)
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

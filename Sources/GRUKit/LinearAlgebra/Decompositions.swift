/// A thin singular value decomposition A = U·diag(σ)·Vᵀ of an m×n matrix, k = min(m, n),
/// as returned by ``Matrix/svd()``.
public struct SVD<Scalar: BLASScalar>: Sendable {
    /// m×k, orthonormal columns (the left singular vectors u_i).
    public var U: Matrix<Scalar>
    /// The k singular values σ_1 ≥ σ_2 ≥ … ≥ σ_k ≥ 0.
    public var singularValues: [Scalar]
    /// k×n, orthonormal rows (the right singular vectors v_iᵀ).
    public var Vt: Matrix<Scalar>

    /// The matrix U·diag(s)·Vᵀ, rebuilt by scaling the columns of U and one GEMM.
    ///
    /// With `values == nil`, s = ``singularValues`` and the result is A again, to within
    /// c·ε·‖A‖₂ (ε the unit round-off of `Scalar`, c a modest multiple of max(m, n)).
    /// Passing other values is how a matrix with modified singular values is built, e.g.
    /// the spectral projection that clips every σ_i to min(σ_i, δ).
    ///
    /// - Precondition: `values`, when given, holds at least k = `U.cols` entries (only the
    ///   first k are used).
    /// - Returns: an m×n matrix.
    public func reconstructed(with values: [Scalar]? = nil) -> Matrix<Scalar> {
        let s = values ?? singularValues
        var us = U
        for i in 0..<U.rows { for j in 0..<U.cols { us.elements[i * U.cols + j] *= s[j] } }
        return us * Vt
    }
}

/// A symmetric eigendecomposition A = Q·diag(λ)·Qᵀ.
public struct SymmetricEigen<Scalar: BLASScalar>: Sendable {
    /// The n real eigenvalues λ_1 ≤ λ_2 ≤ … ≤ λ_n, ascending (LAPACK's order).
    public var values: [Scalar]
    /// The orthonormal eigenvectors as the columns of an n×n matrix, in the order of `values`.
    public var vectors: Matrix<Scalar>
}

/// A complex number re + i·im, as LAPACK reports the eigenvalues of a real matrix
/// (``Matrix/eigenvalues()``). Only what the spectral analysis needs; not a complex arithmetic type.
public struct ComplexValue<Scalar: BLASScalar>: Equatable, Sendable {
    /// The real part.
    public var re: Scalar
    /// The imaginary part; 0 for a real eigenvalue, ±b for a complex-conjugate pair.
    public var im: Scalar
    /// The complex number re + i·im.
    public init(re: Scalar, im: Scalar) { self.re = re; self.im = im }
    /// The modulus |λ| = √(re² + im²), computed as m·√(p² + q²) with m = max(|re|, |im|),
    /// p = |re|/m, q = |im|/m, so that the squares neither overflow nor underflow.
    ///
    /// Returns 0 for 0, +∞ when either part is infinite, NaN when either part is NaN.
    public var magnitude: Scalar {
        let a = abs(re), b = abs(im), m = Swift.max(a, b)
        if m == 0 || !m.isFinite { return m }
        let p = a / m, q = b / m
        return m * (p * p + q * q).squareRoot()
    }
}

extension Matrix {
    private func requireFinite(_ routine: String) throws {
        guard isFinite else { throw LinearAlgebraError.nonFiniteInput(routine: routine) }
    }

    /// The thin SVD A = U·diag(σ)·Vᵀ by LAPACK's divide-and-conquer driver xGESDD (jobz = 'S').
    ///
    /// U is m×k, Vᵀ is k×n, k = min(m, n), σ descending. A is copied first, so `self` is untouched.
    /// Accuracy: backward stable, ‖A − UΣVᵀ‖₂ ≤ c·ε·‖A‖₂ with ε the unit round-off of `Scalar`;
    /// each σ_i is within c·ε·σ_1 of the exact value (absolute, not relative, accuracy for the
    /// small ones). An empty matrix gives empty factors without calling LAPACK.
    ///
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when A holds ±∞ or NaN,
    ///   ``LinearAlgebraError/didNotConverge(routine:info:)`` when LAPACK's iteration fails.
    public func svd() throws -> SVD<Scalar> {
        try requireFinite("gesdd")
        let k = Swift.min(rows, cols)
        var a = elements
        var s = [Scalar](repeating: 0, count: k)
        var u = Matrix(rows: rows, cols: k), vt = Matrix(rows: k, cols: cols)
        if k > 0 {
            let info = a.withUnsafeMutableBufferPointer { pa in
                s.withUnsafeMutableBufferPointer { ps in
                    u.elements.withUnsafeMutableBufferPointer { pu in
                        vt.elements.withUnsafeMutableBufferPointer { pv in
                            Scalar.gesdd(m: rows, n: cols, a: pa.baseAddress!, s: ps.baseAddress!,
                                         u: pu.baseAddress!, vt: pv.baseAddress!)
                        }
                    }
                }
            }
            try LinearAlgebraError.check(info, "gesdd")
        }
        return SVD(U: u, singularValues: s, Vt: vt)
    }

    /// The k = min(m, n) singular values σ_1 ≥ … ≥ σ_k ≥ 0 alone, by xGESDD with jobz = 'N'
    /// (cheaper than ``svd()``: no singular vectors). Same accuracy as ``svd()``; empty for an
    /// empty matrix.
    ///
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when A holds ±∞ or NaN,
    ///   ``LinearAlgebraError/didNotConverge(routine:info:)`` when LAPACK's iteration fails.
    public func singularValues() throws -> [Scalar] {
        try requireFinite("gesdd")
        let k = Swift.min(rows, cols)
        var a = elements
        var s = [Scalar](repeating: 0, count: k)
        if k > 0 {
            let info = a.withUnsafeMutableBufferPointer { pa in
                s.withUnsafeMutableBufferPointer { Scalar.gesddValues(m: rows, n: cols, a: pa.baseAddress!, s: $0.baseAddress!) }
            }
            try LinearAlgebraError.check(info, "gesdd")
        }
        return s
    }

    /// The spectral norm ‖A‖₂ = σ_1 = max_{‖x‖=1} ‖Ax‖, from ``singularValues()``: accurate
    /// to a few units of round-off relative to σ_1, unlike the lower bound ``spectralNormEstimate(iterations:seed:)``.
    /// 0 for an empty matrix.
    ///
    /// - Throws: as ``singularValues()``.
    public func spectralNorm() throws -> Scalar { try singularValues().first ?? 0 }

    /// The solution x of A x = b for this square A, by LU with partial pivoting (LAPACK xGESV);
    /// nil when A is exactly singular (a zero pivot) or A or b holds ±∞/NaN. Backward stable: the
    /// computed x solves (A + E) x = b with ‖E‖ ≈ ε·‖A‖ times a growth factor that is small in
    /// practice, so the error of x is about ε·κ(A) — a nearly singular A gives a large but finite x,
    /// which the caller judges (the fixed-point finder checks the residual after each step).
    ///
    /// - Precondition: A is square and `b.count == rows`.
    public func solving(_ b: [Scalar]) -> [Scalar]? {
        precondition(rows == cols, "Matrix.solving: \(rows)×\(cols) is not square")
        precondition(b.count == rows, "Matrix.solving: \(b.count) right-hand entries for \(rows) rows")
        guard rows > 0 else { return [] }
        guard isFinite, b.allSatisfy(\.isFinite) else { return nil }
        var lu = elements, x = b
        var pivots = [Int32](repeating: 0, count: rows)
        let info = lu.withUnsafeMutableBufferPointer { a in
            x.withUnsafeMutableBufferPointer { px in
                pivots.withUnsafeMutableBufferPointer { Scalar.gesv(n: rows, nrhs: 1, a: a.baseAddress!, b: px.baseAddress!, ipiv: $0.baseAddress!) }
            }
        }
        return info == 0 ? x : nil
    }

    /// The eigendecomposition A = Q·diag(λ)·Qᵀ of a symmetric matrix by divide and conquer (xSYEVD).
    ///
    /// Only the upper triangle is read: the matrix is *assumed* symmetric and the lower triangle
    /// is ignored, not checked. Eigenvalues come back ascending, each within c·ε·‖A‖₂ of the
    /// exact one; the eigenvectors are orthonormal to working precision.
    ///
    /// - Throws: ``LinearAlgebraError/shape(routine:message:)`` when the matrix is not square,
    ///   ``LinearAlgebraError/nonFiniteInput(routine:)`` when it holds ±∞ or NaN,
    ///   ``LinearAlgebraError/didNotConverge(routine:info:)`` when LAPACK fails to converge.
    public func symmetricEigen() throws -> SymmetricEigen<Scalar> {
        guard isSquare else { throw LinearAlgebraError.shape(routine: "syevd", message: "needs a square matrix, got \(rows)×\(cols)") }
        try requireFinite("syevd")
        var a = elements
        var w = [Scalar](repeating: 0, count: rows)
        if rows > 0 {
            let info = a.withUnsafeMutableBufferPointer { pa in
                w.withUnsafeMutableBufferPointer { Scalar.syevd(n: rows, a: pa.baseAddress!, w: $0.baseAddress!) }
            }
            try LinearAlgebraError.check(info, "syevd")
        }
        return SymmetricEigen(values: w, vectors: Matrix(rows: rows, cols: cols, elements: a))
    }

    /// The n (complex) eigenvalues of a general square matrix by the QR algorithm (xGEEV, no
    /// eigenvectors), in LAPACK's order: complex-conjugate pairs adjacent, positive imaginary
    /// part first. An eigenvalue's error is ε·‖A‖ divided by its condition number, so
    /// eigenvalues of a non-normal matrix may be much less accurate than singular values.
    ///
    /// - Throws: ``LinearAlgebraError/shape(routine:message:)`` when the matrix is not square,
    ///   ``LinearAlgebraError/nonFiniteInput(routine:)`` when it holds ±∞ or NaN,
    ///   ``LinearAlgebraError/didNotConverge(routine:info:)`` when the QR algorithm fails.
    public func eigenvalues() throws -> [ComplexValue<Scalar>] {
        guard isSquare else { throw LinearAlgebraError.shape(routine: "geev", message: "needs a square matrix, got \(rows)×\(cols)") }
        try requireFinite("geev")
        var a = elements
        var wr = [Scalar](repeating: 0, count: rows), wi = wr
        if rows > 0 {
            let info = a.withUnsafeMutableBufferPointer { pa in
                wr.withUnsafeMutableBufferPointer { pr in
                    wi.withUnsafeMutableBufferPointer { Scalar.geev(n: rows, a: pa.baseAddress!, wr: pr.baseAddress!, wi: $0.baseAddress!) }
                }
            }
            try LinearAlgebraError.check(info, "geev")
        }
        return zip(wr, wi).map { ComplexValue(re: $0, im: $1) }
    }

    /// The spectral radius ρ(A) = max_i |λ_i| over the eigenvalues of a square matrix (by xGEEV);
    /// 0 for the 0×0 matrix. Always ρ(A) ≤ ‖A‖₂: ρ(A) < 1 is the condition for the fixed point
    /// of a linearised map to be stable, ‖A‖₂ < 1 the stronger one the paper's projection enforces.
    ///
    /// - Throws: as ``eigenvalues()``.
    public func spectralRadius() throws -> Scalar {
        try eigenvalues().map(\.magnitude).max() ?? 0
    }

    /// An estimate of σ_1 = ‖A‖₂ by power iteration on AᵀA from a seeded random start.
    ///
    /// Starting from v drawn from N(0, I) by ``SeededGenerator`` with `seed`, each iteration
    /// normalises v, sets the estimate to ‖A·v‖₂ and replaces v by Aᵀ·A·v: two GEMVs, no LAPACK.
    /// In exact arithmetic ‖A v‖ with ‖v‖ = 1 is always a **lower** bound of σ_1; it converges
    /// at rate (σ_2/σ_1)² per iteration, so it is fast when the top singular value is well
    /// separated and slow when it is not. Use ``svd()`` or ``singularValues()`` where a
    /// rigorous value is needed. Deterministic for a given seed.
    ///
    /// - Parameters:
    ///   - iterations: the number of power steps; values below 1 are treated as 1.
    ///   - seed: the seed of the random start vector.
    /// - Returns: 0 for an empty matrix or when A·v vanishes; NaN when the iteration meets
    ///   ±∞ or NaN (a non-finite matrix). Never throws.
    public func spectralNormEstimate(iterations: Int = 50, seed: UInt64 = 0) -> Scalar {
        if rows == 0 || cols == 0 { return 0 }
        var rng = SeededGenerator(seed: seed)
        var v = (0..<cols).map { _ in Scalar(rng.nextNormal()) }
        var estimate: Scalar = 0
        for _ in 0..<Swift.max(1, iterations) {
            let nv = Scalar.nrm2(n: cols, x: v, incx: 1)
            if nv == 0 || !nv.isFinite { return nv.isFinite ? estimate : .nan }
            for j in 0..<cols { v[j] /= nv }
            let av = multiplied(by: v)
            estimate = Scalar.nrm2(n: rows, x: av, incx: 1)
            v = multiplied(by: av, transposeSelf: true)
        }
        return estimate
    }
}

/// A thin singular value decomposition A = U·diag(S)·Vᵀ of an m×n matrix, k = min(m, n).
public struct SVD<Scalar: BLASScalar>: Sendable {
    /// m×k, orthonormal columns (the left singular vectors u_i).
    public var U: Matrix<Scalar>
    /// The k singular values σ_1 ≥ σ_2 ≥ … ≥ σ_k ≥ 0.
    public var singularValues: [Scalar]
    /// k×n, orthonormal rows (the right singular vectors v_iᵀ).
    public var Vt: Matrix<Scalar>

    /// U·diag(S)·Vᵀ, rebuilt by one GEMM.
    public func reconstructed(with values: [Scalar]? = nil) -> Matrix<Scalar> {
        let s = values ?? singularValues
        var us = U
        for i in 0..<U.rows { for j in 0..<U.cols { us.elements[i * U.cols + j] *= s[j] } }
        return us * Vt
    }
}

/// A symmetric eigendecomposition A = Q·diag(λ)·Qᵀ.
public struct SymmetricEigen<Scalar: BLASScalar>: Sendable {
    /// The eigenvalues in ascending order.
    public var values: [Scalar]
    /// The orthonormal eigenvectors as the columns of an n×n matrix, in the order of `values`.
    public var vectors: Matrix<Scalar>
}

/// A complex number (re, im), as LAPACK reports eigenvalues of a real matrix.
public struct ComplexValue<Scalar: BLASScalar>: Equatable, Sendable {
    public var re: Scalar
    public var im: Scalar
    public init(re: Scalar, im: Scalar) { self.re = re; self.im = im }
    /// |λ| = √(re² + im²), computed without intermediate overflow.
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

    /// The thin SVD by LAPACK's divide-and-conquer driver xGESDD.
    ///
    /// Accuracy: backward stable, ‖A − UΣVᵀ‖ ≤ c·ε·‖A‖ with ε the unit round-off of `Scalar`.
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(routine:)`` when A holds Inf/NaN,
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

    /// The singular values alone, descending (xGESDD with jobz = 'N').
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

    /// The spectral norm ‖A‖₂ = σ_1, exactly (to LAPACK accuracy), from the singular values.
    public func spectralNorm() throws -> Scalar { try singularValues().first ?? 0 }

    /// The eigendecomposition of a symmetric matrix by xSYEVD (only the upper triangle is read).
    /// - Throws: on a non-square or non-finite matrix, or when LAPACK fails to converge.
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

    /// The (complex) eigenvalues of a general square matrix by xGEEV, in LAPACK's order
    /// (complex-conjugate pairs adjacent, positive imaginary part first).
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

    /// The spectral radius ρ(A) = max |λ_i| over the eigenvalues of a square matrix (by xGEEV).
    public func spectralRadius() throws -> Scalar {
        try eigenvalues().map(\.magnitude).max() ?? 0
    }

    /// An estimate of σ_1 = ‖A‖₂ by power iteration on AᵀA from a seeded random start.
    ///
    /// Each iteration costs two GEMVs. The estimate ‖A v‖ with ‖v‖ = 1 is always a **lower**
    /// bound of σ_1; it converges at rate (σ_2/σ_1)² per iteration, so it is fast when the top
    /// singular value is well separated and slow when it is not. Use ``svd()`` or
    /// ``singularValues()`` where a rigorous value is needed.
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

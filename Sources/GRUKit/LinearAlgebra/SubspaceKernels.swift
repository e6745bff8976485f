import CLAPACK

/// The BLAS and LAPACK kernels of the warm-started subspace projection
/// (``ProjectionMethod/warmSubspace``): a symmetric-times-block product, Householder QR of a
/// tall block and a Cholesky factorization, all **column-major** like the selective drivers of
/// ``SelectiveLAPACKScalar``, and allocation-free (the `…_work` LAPACKE forms).
///
/// They are dispatched on the concrete type (`Float` → `s…`, `Double` → `d…`) rather than added
/// to ``SelectiveLAPACKScalar`` as requirements, so that the protocol (and every generic
/// function constrained to it) is unchanged. Only `Float` and `Double` conform to that
/// protocol; any other conforming type traps here.
enum SubspaceKernels<T: SelectiveLAPACKScalar> {
    @inline(__always) private static func f(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    @inline(__always) private static func d(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) private static func i32(_ x: Int) -> Int32 { Int32(truncatingIfNeeded: x) }

    /// `C ← α·A·B + β·C` with A n×n symmetric (upper triangle read, lda), B and C n×m (xSYMM,
    /// side = left, column-major).
    static func symmUpper(n: Int, m: Int, alpha: T, a: UnsafeMutablePointer<T>, lda: Int,
                          b: UnsafeMutablePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if T.self == Float.self {
            cblas_ssymm(CblasColMajor, CblasLeft, CblasUpper, i32(n), i32(m), Float(alpha), f(a), i32(lda), f(b), i32(ldb),
                        Float(beta), f(c), i32(ldc))
        } else if T.self == Double.self {
            cblas_dsymm(CblasColMajor, CblasLeft, CblasUpper, i32(n), i32(m), Double(alpha), d(a), i32(lda), d(b), i32(ldb),
                        Double(beta), d(c), i32(ldc))
        } else {
            preconditionFailure("SubspaceKernels: only Float and Double")
        }
    }

    /// Cholesky factorization A = RᵀR of the upper triangle of a symmetric n×n matrix (xPOTRF,
    /// uplo = 'U'). Returns LAPACK's info: 0 on success, i > 0 when the leading i×i minor is not
    /// positive definite (the factorization stopped there).
    static func potrfUpper(n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int32 {
        let u = CChar(UInt8(ascii: "U"))
        if T.self == Float.self { return LAPACKE_spotrf_work(LAPACK_COL_MAJOR, u, i32(n), f(a), i32(lda)) }
        if T.self == Double.self { return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, u, i32(n), d(a), i32(lda)) }
        preconditionFailure("SubspaceKernels: only Float and Double")
    }

    /// Householder QR of an m×n block (m ≥ n, column-major, lda) followed by the explicit Q
    /// (xGEQRF then xORGQR): on return A holds the n orthonormal columns of Q. `tau` holds n
    /// scalars; `lwork = -1` is the workspace query (the larger of the two routines' optimum in
    /// `work[0]`). Returns LAPACK's info.
    static func orthonormalize(m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafeMutablePointer<T>,
                               work: UnsafeMutablePointer<T>, lwork: Int) -> Int32 {
        if T.self == Float.self {
            if lwork == -1 {
                var best: Float = 1
                if LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), f(a), i32(lda), f(tau), f(work), -1) == 0 { best = Swift.max(best, f(work)[0]) }
                if LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), f(a), i32(lda), f(tau), f(work), -1) == 0 { best = Swift.max(best, f(work)[0]) }
                f(work)[0] = best
                return 0
            }
            let info = LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), f(a), i32(lda), f(tau), f(work), i32(lwork))
            guard info == 0 else { return info }
            return LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), f(a), i32(lda), f(tau), f(work), i32(lwork))
        } else if T.self == Double.self {
            if lwork == -1 {
                var best: Double = 1
                if LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), d(a), i32(lda), d(tau), d(work), -1) == 0 { best = Swift.max(best, d(work)[0]) }
                if LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), d(a), i32(lda), d(tau), d(work), -1) == 0 { best = Swift.max(best, d(work)[0]) }
                d(work)[0] = best
                return 0
            }
            let info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), d(a), i32(lda), d(tau), d(work), i32(lwork))
            guard info == 0 else { return info }
            return LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), d(a), i32(lda), d(tau), d(work), i32(lwork))
        }
        preconditionFailure("SubspaceKernels: only Float and Double")
    }
}

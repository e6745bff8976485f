import CLAPACK

// The subspace kernels of ``BLASScalar`` (xSYMM, xPOTRF, xGEQRF + xORGQR) for the warm-started
// projection (``ProjectionMethod/warmSubspace``): column-major and allocation-free.

@inline(__always) private func i32(_ x: Int) -> Int32 { Int32(truncatingIfNeeded: x) }

extension Float {
    public static func symmUpper(n: Int, m: Int, alpha: Float, a: UnsafeMutablePointer<Float>, lda: Int,
                                 b: UnsafeMutablePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_ssymm(CblasColMajor, CblasLeft, CblasUpper, i32(n), i32(m), alpha, a, i32(lda), b, i32(ldb), beta, c, i32(ldc))
    }

    public static func potrfUpper(n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int32 {
        LAPACKE_spotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), i32(n), a, i32(lda))
    }

    public static func orthonormalize(m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int, tau: UnsafeMutablePointer<Float>,
                                      work: UnsafeMutablePointer<Float>, lwork: Int) -> Int32 {
        if lwork == -1 {
            var best: Float = 1
            if LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), a, i32(lda), tau, work, -1) == 0 { best = Swift.max(best, work[0]) }
            if LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), a, i32(lda), tau, work, -1) == 0 { best = Swift.max(best, work[0]) }
            work[0] = best
            return 0
        }
        let info = LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), a, i32(lda), tau, work, i32(lwork))
        guard info == 0 else { return info }
        return LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), a, i32(lda), tau, work, i32(lwork))
    }
}

extension Double {
    public static func symmUpper(n: Int, m: Int, alpha: Double, a: UnsafeMutablePointer<Double>, lda: Int,
                                 b: UnsafeMutablePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsymm(CblasColMajor, CblasLeft, CblasUpper, i32(n), i32(m), alpha, a, i32(lda), b, i32(ldb), beta, c, i32(ldc))
    }

    public static func potrfUpper(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int32 {
        LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), i32(n), a, i32(lda))
    }

    public static func orthonormalize(m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int, tau: UnsafeMutablePointer<Double>,
                                      work: UnsafeMutablePointer<Double>, lwork: Int) -> Int32 {
        if lwork == -1 {
            var best: Double = 1
            if LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), a, i32(lda), tau, work, -1) == 0 { best = Swift.max(best, work[0]) }
            if LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), a, i32(lda), tau, work, -1) == 0 { best = Swift.max(best, work[0]) }
            work[0] = best
            return 0
        }
        let info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, i32(m), i32(n), a, i32(lda), tau, work, i32(lwork))
        guard info == 0 else { return info }
        return LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, i32(m), i32(n), i32(n), a, i32(lda), tau, work, i32(lwork))
    }
}

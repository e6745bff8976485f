import CLAPACK

/// Which part of a spectrum a selective LAPACK driver (xSYEVR, xSYEVX, xGESVDX) computes.
public enum SpectrumRange<Scalar: BLASScalar>: Sendable {
    /// Every eigenvalue (LAPACK `range = 'A'`).
    case all
    /// The values in the half-open interval (lower, upper] (LAPACK `range = 'V'`).
    /// Precondition: lower < upper, both finite.
    case values(lower: Scalar, upper: Scalar)
    /// The values with 1-based indices lower…upper counted in LAPACK's order: ascending
    /// for the symmetric drivers, descending for xGESVDX (LAPACK `range = 'I'`).
    case indices(lower: Int, upper: Int)

    var code: CChar {
        switch self {
        case .all: return CChar(UInt8(ascii: "A"))
        case .values: return CChar(UInt8(ascii: "V"))
        case .indices: return CChar(UInt8(ascii: "I"))
        }
    }
    var bounds: (vl: Scalar, vu: Scalar, il: Int32, iu: Int32) {
        switch self {
        case .all: return (0, 0, 0, 0)
        case .values(let l, let u): return (l, u, 0, 0)
        case .indices(let l, let u): return (0, 0, Int32(truncatingIfNeeded: l), Int32(truncatingIfNeeded: u))
        }
    }
}


@inline(__always) private func ch(_ c: String) -> CChar { CChar(UInt8(ascii: c.unicodeScalars.first!)) }
@inline(__always) private func i32(_ x: Int) -> Int32 { Int32(truncatingIfNeeded: x) }
private let colMajor = LAPACK_COL_MAJOR

extension Float {
    public static func syrkUpper(trans: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_ssyrk(CblasColMajor, CblasUpper, trans ? CblasTrans : CblasNoTrans, i32(n), i32(k), alpha, a, i32(lda), beta, c, i32(ldc))
    }
    public static func syevrWork(vectors: Bool, range: SpectrumRange<Float>, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                                 abstol: Float, found: UnsafeMutablePointer<Int32>, w: UnsafeMutablePointer<Float>,
                                 z: UnsafeMutablePointer<Float>, ldz: Int, isuppz: UnsafeMutablePointer<Int32>,
                                 work: UnsafeMutablePointer<Float>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int) -> Int32 {
        let b = range.bounds
        return LAPACKE_ssyevr_work(colMajor, ch(vectors ? "V" : "N"), range.code, ch("U"), i32(n), a, i32(lda), b.vl, b.vu, b.il, b.iu,
                                   abstol, found, w, z, i32(ldz), isuppz, work, i32(lwork), iwork, i32(liwork))
    }
    public static func syevxWork(vectors: Bool, range: SpectrumRange<Float>, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                                 abstol: Float, found: UnsafeMutablePointer<Int32>, w: UnsafeMutablePointer<Float>,
                                 z: UnsafeMutablePointer<Float>, ldz: Int, work: UnsafeMutablePointer<Float>, lwork: Int,
                                 iwork: UnsafeMutablePointer<Int32>, ifail: UnsafeMutablePointer<Int32>) -> Int32 {
        let b = range.bounds
        return LAPACKE_ssyevx_work(colMajor, ch(vectors ? "V" : "N"), range.code, ch("U"), i32(n), a, i32(lda), b.vl, b.vu, b.il, b.iu,
                                   abstol, found, w, z, i32(ldz), work, i32(lwork), iwork, ifail)
    }
    public static func gesvdxWork(vectors: Bool, range: SpectrumRange<Float>, m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                                  found: UnsafeMutablePointer<Int32>, s: UnsafeMutablePointer<Float>,
                                  u: UnsafeMutablePointer<Float>, ldu: Int, vt: UnsafeMutablePointer<Float>, ldvt: Int,
                                  work: UnsafeMutablePointer<Float>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int32 {
        let b = range.bounds, job = ch(vectors ? "V" : "N")
        return LAPACKE_sgesvdx_work(colMajor, job, job, range.code, i32(m), i32(n), a, i32(lda), b.vl, b.vu, b.il, b.iu,
                                    found, s, u, i32(ldu), vt, i32(ldvt), work, i32(lwork), iwork)
    }
    public static func syevdWork(n: Int, a: UnsafeMutablePointer<Float>, lda: Int, w: UnsafeMutablePointer<Float>,
                                 work: UnsafeMutablePointer<Float>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int) -> Int32 {
        LAPACKE_ssyevd_work(colMajor, ch("V"), ch("U"), i32(n), a, i32(lda), w, work, i32(lwork), iwork, i32(liwork))
    }
    public static func gesddWork(m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int, s: UnsafeMutablePointer<Float>,
                                 u: UnsafeMutablePointer<Float>, ldu: Int, vt: UnsafeMutablePointer<Float>, ldvt: Int,
                                 work: UnsafeMutablePointer<Float>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgesdd_work(colMajor, ch("S"), i32(m), i32(n), a, i32(lda), s, u, i32(ldu), vt, i32(ldvt), work, i32(lwork), iwork)
    }
}

extension Double {
    public static func syrkUpper(trans: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                                 beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasColMajor, CblasUpper, trans ? CblasTrans : CblasNoTrans, i32(n), i32(k), alpha, a, i32(lda), beta, c, i32(ldc))
    }
    public static func syevrWork(vectors: Bool, range: SpectrumRange<Double>, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                                 abstol: Double, found: UnsafeMutablePointer<Int32>, w: UnsafeMutablePointer<Double>,
                                 z: UnsafeMutablePointer<Double>, ldz: Int, isuppz: UnsafeMutablePointer<Int32>,
                                 work: UnsafeMutablePointer<Double>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int) -> Int32 {
        let b = range.bounds
        return LAPACKE_dsyevr_work(colMajor, ch(vectors ? "V" : "N"), range.code, ch("U"), i32(n), a, i32(lda), b.vl, b.vu, b.il, b.iu,
                                   abstol, found, w, z, i32(ldz), isuppz, work, i32(lwork), iwork, i32(liwork))
    }
    public static func syevxWork(vectors: Bool, range: SpectrumRange<Double>, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                                 abstol: Double, found: UnsafeMutablePointer<Int32>, w: UnsafeMutablePointer<Double>,
                                 z: UnsafeMutablePointer<Double>, ldz: Int, work: UnsafeMutablePointer<Double>, lwork: Int,
                                 iwork: UnsafeMutablePointer<Int32>, ifail: UnsafeMutablePointer<Int32>) -> Int32 {
        let b = range.bounds
        return LAPACKE_dsyevx_work(colMajor, ch(vectors ? "V" : "N"), range.code, ch("U"), i32(n), a, i32(lda), b.vl, b.vu, b.il, b.iu,
                                   abstol, found, w, z, i32(ldz), work, i32(lwork), iwork, ifail)
    }
    public static func gesvdxWork(vectors: Bool, range: SpectrumRange<Double>, m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                                  found: UnsafeMutablePointer<Int32>, s: UnsafeMutablePointer<Double>,
                                  u: UnsafeMutablePointer<Double>, ldu: Int, vt: UnsafeMutablePointer<Double>, ldvt: Int,
                                  work: UnsafeMutablePointer<Double>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int32 {
        let b = range.bounds, job = ch(vectors ? "V" : "N")
        return LAPACKE_dgesvdx_work(colMajor, job, job, range.code, i32(m), i32(n), a, i32(lda), b.vl, b.vu, b.il, b.iu,
                                    found, s, u, i32(ldu), vt, i32(ldvt), work, i32(lwork), iwork)
    }
    public static func syevdWork(n: Int, a: UnsafeMutablePointer<Double>, lda: Int, w: UnsafeMutablePointer<Double>,
                                 work: UnsafeMutablePointer<Double>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int) -> Int32 {
        LAPACKE_dsyevd_work(colMajor, ch("V"), ch("U"), i32(n), a, i32(lda), w, work, i32(lwork), iwork, i32(liwork))
    }
    public static func gesddWork(m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int, s: UnsafeMutablePointer<Double>,
                                 u: UnsafeMutablePointer<Double>, ldu: Int, vt: UnsafeMutablePointer<Double>, ldvt: Int,
                                 work: UnsafeMutablePointer<Double>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgesdd_work(colMajor, ch("S"), i32(m), i32(n), a, i32(lda), s, u, i32(ldu), vt, i32(ldvt), work, i32(lwork), iwork)
    }
}

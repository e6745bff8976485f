import CLAPACK

/// A floating-point type that BLAS and LAPACK can compute with: `Float` (single precision,
/// used for training) and `Double` (used for analysis and gradient checks).
///
/// Each requirement is a thin, typed veneer over one CBLAS or LAPACKE routine (the `s…`
/// routine for `Float`, the `d…` routine for `Double`). All matrices are **row-major**.
/// The LAPACK wrappers return LAPACK's `info` code unchanged; the throwing API on
/// ``Matrix`` turns a non-zero code into a ``LinearAlgebraError``.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    /// `C ← α·op(A)·op(B) + β·C` (xGEMM), with op(X) = X or Xᵀ; C is m×n, op(A) m×k, op(B) k×n.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `y ← α·op(A)·x + β·y` (xGEMV), A is m×n row-major.
    static func gemv(trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)
    /// `A ← A + α·x·yᵀ` (xGER), A is m×n row-major.
    static func ger(m: Int, n: Int, alpha: Self, x: UnsafePointer<Self>, incx: Int,
                    y: UnsafePointer<Self>, incy: Int, a: UnsafeMutablePointer<Self>, lda: Int)
    /// `y ← α·x + y` (xAXPY).
    static func axpy(n: Int, alpha: Self, x: UnsafePointer<Self>, incx: Int, y: UnsafeMutablePointer<Self>, incy: Int)
    /// `x ← α·x` (xSCAL).
    static func scal(n: Int, alpha: Self, x: UnsafeMutablePointer<Self>, incx: Int)
    /// `xᵀy` (xDOT).
    static func dot(n: Int, x: UnsafePointer<Self>, incx: Int, y: UnsafePointer<Self>, incy: Int) -> Self
    /// `‖x‖₂` computed without overflow (xNRM2).
    static func nrm2(n: Int, x: UnsafePointer<Self>, incx: Int) -> Self

    /// Thin SVD by divide and conquer (xGESDD, jobz = 'S'): `A = U·diag(s)·Vt`, A is m×n,
    /// U m×min(m,n), Vt min(m,n)×n, s descending. A is destroyed.
    static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>,
                      u: UnsafeMutablePointer<Self>, vt: UnsafeMutablePointer<Self>) -> Int32
    /// Singular values only (xGESDD, jobz = 'N'). A is destroyed.
    static func gesddValues(m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>) -> Int32
    /// Symmetric eigendecomposition by divide and conquer (xSYEVD, jobz = 'V', upper triangle):
    /// on return A holds the eigenvectors as columns and w the eigenvalues in ascending order.
    static func syevd(n: Int, a: UnsafeMutablePointer<Self>, w: UnsafeMutablePointer<Self>) -> Int32
    /// Eigenvalues of a general square matrix (xGEEV, no eigenvectors): λ_j = wr[j] + i·wi[j].
    /// A is destroyed.
    static func geev(n: Int, a: UnsafeMutablePointer<Self>, wr: UnsafeMutablePointer<Self>,
                     wi: UnsafeMutablePointer<Self>) -> Int32
}

@inline(__always) private func tr(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }
@inline(__always) private func i32(_ x: Int) -> Int32 { Int32(truncatingIfNeeded: x) }

extension Float: BLASScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, tr(transA), tr(transB), i32(m), i32(n), i32(k), alpha, a, i32(lda), b, i32(ldb), beta, c, i32(ldc))
    }
    public static func gemv(trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int) {
        cblas_sgemv(CblasRowMajor, tr(trans), i32(m), i32(n), alpha, a, i32(lda), x, i32(incx), beta, y, i32(incy))
    }
    public static func ger(m: Int, n: Int, alpha: Float, x: UnsafePointer<Float>, incx: Int,
                           y: UnsafePointer<Float>, incy: Int, a: UnsafeMutablePointer<Float>, lda: Int) {
        cblas_sger(CblasRowMajor, i32(m), i32(n), alpha, x, i32(incx), y, i32(incy), a, i32(lda))
    }
    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, incx: Int, y: UnsafeMutablePointer<Float>, incy: Int) {
        cblas_saxpy(i32(n), alpha, x, i32(incx), y, i32(incy))
    }
    public static func scal(n: Int, alpha: Float, x: UnsafeMutablePointer<Float>, incx: Int) {
        cblas_sscal(i32(n), alpha, x, i32(incx))
    }
    public static func dot(n: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>, incy: Int) -> Float {
        cblas_sdot(i32(n), x, i32(incx), y, i32(incy))
    }
    public static func nrm2(n: Int, x: UnsafePointer<Float>, incx: Int) -> Float {
        cblas_snrm2(i32(n), x, i32(incx))
    }
    public static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>,
                             u: UnsafeMutablePointer<Float>, vt: UnsafeMutablePointer<Float>) -> Int32 {
        let k = Swift.min(m, n)
        return LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), i32(m), i32(n), a, i32(n), s, u, i32(k), vt, i32(n))
    }
    public static func gesddValues(m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), i32(m), i32(n), a, i32(n), s, nil, i32(Swift.max(1, m)), nil, i32(Swift.max(1, n)))
    }
    public static func syevd(n: Int, a: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), i32(n), a, i32(n), w)
    }
    public static func geev(n: Int, a: UnsafeMutablePointer<Float>, wr: UnsafeMutablePointer<Float>,
                            wi: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgeev(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), i32(n), a, i32(n), wr, wi, nil, 1, nil, 1)
    }
}

extension Double: BLASScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, tr(transA), tr(transB), i32(m), i32(n), i32(k), alpha, a, i32(lda), b, i32(ldb), beta, c, i32(ldc))
    }
    public static func gemv(trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int) {
        cblas_dgemv(CblasRowMajor, tr(trans), i32(m), i32(n), alpha, a, i32(lda), x, i32(incx), beta, y, i32(incy))
    }
    public static func ger(m: Int, n: Int, alpha: Double, x: UnsafePointer<Double>, incx: Int,
                           y: UnsafePointer<Double>, incy: Int, a: UnsafeMutablePointer<Double>, lda: Int) {
        cblas_dger(CblasRowMajor, i32(m), i32(n), alpha, x, i32(incx), y, i32(incy), a, i32(lda))
    }
    public static func axpy(n: Int, alpha: Double, x: UnsafePointer<Double>, incx: Int, y: UnsafeMutablePointer<Double>, incy: Int) {
        cblas_daxpy(i32(n), alpha, x, i32(incx), y, i32(incy))
    }
    public static func scal(n: Int, alpha: Double, x: UnsafeMutablePointer<Double>, incx: Int) {
        cblas_dscal(i32(n), alpha, x, i32(incx))
    }
    public static func dot(n: Int, x: UnsafePointer<Double>, incx: Int, y: UnsafePointer<Double>, incy: Int) -> Double {
        cblas_ddot(i32(n), x, i32(incx), y, i32(incy))
    }
    public static func nrm2(n: Int, x: UnsafePointer<Double>, incx: Int) -> Double {
        cblas_dnrm2(i32(n), x, i32(incx))
    }
    public static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>,
                             u: UnsafeMutablePointer<Double>, vt: UnsafeMutablePointer<Double>) -> Int32 {
        let k = Swift.min(m, n)
        return LAPACKE_dgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), i32(m), i32(n), a, i32(n), s, u, i32(k), vt, i32(n))
    }
    public static func gesddValues(m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), i32(m), i32(n), a, i32(n), s, nil, i32(Swift.max(1, m)), nil, i32(Swift.max(1, n)))
    }
    public static func syevd(n: Int, a: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), i32(n), a, i32(n), w)
    }
    public static func geev(n: Int, a: UnsafeMutablePointer<Double>, wr: UnsafeMutablePointer<Double>,
                            wi: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgeev(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), i32(n), a, i32(n), wr, wi, nil, 1, nil, 1)
    }
}

/// Process-wide BLAS settings.
public enum BLAS {
    /// The number of threads OpenBLAS uses for one call (`openblas_set_num_threads`).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}

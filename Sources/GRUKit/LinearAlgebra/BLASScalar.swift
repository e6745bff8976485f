import CLAPACK

/// A floating-point type that BLAS and LAPACK can compute with: `Float` (single precision,
/// used for training) and `Double` (used for analysis and gradient checks).
///
/// Each requirement is a thin, typed veneer over one CBLAS or LAPACKE routine (the `s…`
/// routine for `Float`, the `d…` routine for `Double`). All matrices are **row-major**: a
/// leading dimension (`lda`, `ldb`, `ldc`) is the distance between the starts of two rows, at
/// least the number of columns as stored. Nothing is allocated and nothing is checked here:
/// pointers must address enough elements for the shapes given, and the BLAS routines report
/// an illegal dimension only through their `xerbla` handler on stderr (OpenBLAS's then returns
/// without computing).
/// Callers validate shapes first (as ``Matrix`` does). The LAPACK wrappers return LAPACK's
/// `info` code unchanged (0 success, −i: argument i illegal, > 0: no convergence); the
/// throwing API on ``Matrix`` turns a non-zero code into a ``LinearAlgebraError``.
public protocol BLASScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable, CustomStringConvertible, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    /// `C ← α·op(A)·op(B) + β·C` (xGEMM), with op(X) = Xᵀ when its flag is set and X otherwise;
    /// C is m×n, op(A) m×k, op(B) k×n.
    ///
    /// A is stored m×k (k×m when `transA`) with row stride `lda` ≥ its stored column count,
    /// likewise B with `ldb`, C with `ldc` ≥ n. With β = 0, C need not be initialised (BLAS
    /// does not read it, so NaNs in C do not propagate). C must not overlap A or B.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `y ← α·op(A)·x + β·y` (xGEMV), A stored m×n row-major with row stride `lda` ≥ n;
    /// op(A) = Aᵀ when `trans`. x has n entries (m when `trans`) at stride `incx`, y has m
    /// (n when `trans`) at stride `incy`. With β = 0, y is not read.
    static func gemv(trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)
    /// The rank-one update `A ← A + α·x·yᵀ` (xGER), A m×n row-major with row stride `lda` ≥ n,
    /// x of length m, y of length n. Used for weight gradients accumulated one step at a time.
    static func ger(m: Int, n: Int, alpha: Self, x: UnsafePointer<Self>, incx: Int,
                    y: UnsafePointer<Self>, incy: Int, a: UnsafeMutablePointer<Self>, lda: Int)
    /// `y ← α·x + y` (xAXPY) over n entries at strides `incx`, `incy`.
    static func axpy(n: Int, alpha: Self, x: UnsafePointer<Self>, incx: Int, y: UnsafeMutablePointer<Self>, incy: Int)
    /// `x ← α·x` (xSCAL) over n entries at stride `incx`.
    static func scal(n: Int, alpha: Self, x: UnsafeMutablePointer<Self>, incx: Int)
    /// The inner product `xᵀy = Σ_i x_i·y_i` (xDOT) over n entries; 0 when n = 0.
    static func dot(n: Int, x: UnsafePointer<Self>, incx: Int, y: UnsafePointer<Self>, incy: Int) -> Self
    /// The Euclidean norm `‖x‖₂ = √(Σ_i x_i²)` (xNRM2) over n entries at stride `incx`, with
    /// scaling so that the squares neither overflow nor underflow; 0 when n = 0.
    static func nrm2(n: Int, x: UnsafePointer<Self>, incx: Int) -> Self

    /// Thin SVD by divide and conquer (xGESDD, jobz = 'S'): `A = U·diag(s)·Vt`.
    ///
    /// All buffers are contiguous row-major: A m×n, s of k = min(m, n) values (descending),
    /// U m×k, Vt k×n. A is destroyed. LAPACKE allocates its own workspace; the allocation-free
    /// form is ``BLASScalar/gesddWork(m:n:a:lda:s:u:ldu:vt:ldvt:work:lwork:iwork:)``.
    /// - Returns: LAPACK's `info` (0 on success).
    static func gesdd(m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>,
                      u: UnsafeMutablePointer<Self>, vt: UnsafeMutablePointer<Self>) -> Int32
    /// The k = min(m, n) singular values only, descending (xGESDD, jobz = 'N'); A is m×n
    /// contiguous row-major and is destroyed.
    /// - Returns: LAPACK's `info` (0 on success).
    static func gesddValues(m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>) -> Int32
    /// Symmetric eigendecomposition by divide and conquer (xSYEVD, jobz = 'V', upper triangle):
    /// A is n×n contiguous row-major and assumed symmetric (the lower triangle is not read);
    /// on return A holds the orthonormal eigenvectors as columns and w the n eigenvalues in
    /// ascending order.
    /// - Returns: LAPACK's `info` (0 on success).
    static func syevd(n: Int, a: UnsafeMutablePointer<Self>, w: UnsafeMutablePointer<Self>) -> Int32
    /// Eigenvalues of a general square matrix (xGEEV, no eigenvectors): λ_j = wr[j] + i·wi[j],
    /// j < n, complex-conjugate pairs adjacent with the positive imaginary part first.
    /// A is n×n contiguous row-major and is destroyed.
    /// - Returns: LAPACK's `info` (0 on success; > 0: the QR algorithm failed and only
    ///   λ_info+1 … λ_n are valid).
    static func geev(n: Int, a: UnsafeMutablePointer<Self>, wr: UnsafeMutablePointer<Self>,
                     wi: UnsafeMutablePointer<Self>) -> Int32
    /// Solves A X = B (xGESV: LU with partial pivoting) for A n×n contiguous row-major (destroyed:
    /// it receives the LU factors) and B n×nrhs contiguous row-major (overwritten by X); `ipiv`
    /// holds n pivot indices.
    /// - Returns: LAPACK's `info` (0 on success; > 0: U(info, info) is exactly zero, A is singular
    ///   and no solution was computed).
    static func gesv(n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>, b: UnsafeMutablePointer<Self>,
                     ipiv: UnsafeMutablePointer<Int32>) -> Int32

    // MARK: Selective LAPACK drivers (implemented in SelectiveEigen.swift)
    //
    // LAPACK drivers that compute only part of a symmetric spectrum or of an SVD, and the
    // workspace forms of the full drivers, so that a hot loop can run them with buffers
    // allocated once.
    // 
    // Every requirement here is **column-major** and calls the LAPACKE `…_work` routine, which
    // goes straight to the Fortran routine: no transposed copy, no internal allocation. A
    // row-major n×n matrix W with row stride `ld` is, read column-major with `lda = ld`, the
    // matrix Wᵀ; the callers account for that. Passing `lwork = -1` (and `liwork = -1`) is
    // LAPACK's workspace query: the optimal sizes are returned in `work[0]` (and `iwork[0]`).
    // The `Int32` results are LAPACK's `info` (0: success, < 0: illegal argument, > 0: failure
    // to converge); ``LinearAlgebraError`` maps them to errors.

    /// `C ← α·A·Aᵀ + β·C` (column-major xSYRK, `trans = false`, A n×k) or `C ← α·Aᵀ·A + β·C`
    /// (`trans = true`, A k×n); only the upper triangle of the n×n matrix C is written.
    static func syrkUpper(trans: Bool, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                          beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Selected eigenpairs of a symmetric matrix by relatively robust representations
    /// (xSYEVR, upper triangle read, destroyed). Eigenvalues ascending in `w[0..<found]`,
    /// eigenvectors (when `vectors`) in the first `found` columns of z (ldz ≥ n).
    /// `isuppz` holds 2·n integers, `abstol` is LAPACK's absolute tolerance (0: default).
    static func syevrWork(vectors: Bool, range: SpectrumRange<Self>, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                          abstol: Self, found: UnsafeMutablePointer<Int32>, w: UnsafeMutablePointer<Self>,
                          z: UnsafeMutablePointer<Self>, ldz: Int, isuppz: UnsafeMutablePointer<Int32>,
                          work: UnsafeMutablePointer<Self>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int) -> Int32

    /// Selected eigenpairs of a symmetric matrix by bisection and inverse iteration (xSYEVX,
    /// upper triangle read, destroyed). Output as
    /// ``BLASScalar/syevrWork(vectors:range:n:a:lda:abstol:found:w:z:ldz:isuppz:work:lwork:iwork:liwork:)``;
    /// `iwork` holds 5·n integers,
    /// `ifail` n integers (indices of eigenvectors that failed to converge when info > 0).
    static func syevxWork(vectors: Bool, range: SpectrumRange<Self>, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                          abstol: Self, found: UnsafeMutablePointer<Int32>, w: UnsafeMutablePointer<Self>,
                          z: UnsafeMutablePointer<Self>, ldz: Int, work: UnsafeMutablePointer<Self>, lwork: Int,
                          iwork: UnsafeMutablePointer<Int32>, ifail: UnsafeMutablePointer<Int32>) -> Int32

    /// Selected singular triplets of an m×n matrix A (xGESVDX, A destroyed): singular values
    /// descending in `s[0..<found]`, left vectors in the first `found` columns of u (ldu ≥ m),
    /// right vectors in the first `found` rows of vt (ldvt ≥ found). `iwork` holds 12·min(m, n).
    static func gesvdxWork(vectors: Bool, range: SpectrumRange<Self>, m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                           found: UnsafeMutablePointer<Int32>, s: UnsafeMutablePointer<Self>,
                           u: UnsafeMutablePointer<Self>, ldu: Int, vt: UnsafeMutablePointer<Self>, ldvt: Int,
                           work: UnsafeMutablePointer<Self>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int32

    /// All eigenpairs of a symmetric matrix by divide and conquer (xSYEVD, jobz = 'V', upper
    /// triangle): A is overwritten by the eigenvectors (columns), w holds the eigenvalues ascending.
    static func syevdWork(n: Int, a: UnsafeMutablePointer<Self>, lda: Int, w: UnsafeMutablePointer<Self>,
                          work: UnsafeMutablePointer<Self>, lwork: Int, iwork: UnsafeMutablePointer<Int32>, liwork: Int) -> Int32

    /// The thin SVD A = U·diag(s)·Vᵀ of an m×n matrix by divide and conquer (xGESDD, jobz = 'S',
    /// A destroyed). `iwork` holds 8·min(m, n) integers.
    static func gesddWork(m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int, s: UnsafeMutablePointer<Self>,
                          u: UnsafeMutablePointer<Self>, ldu: Int, vt: UnsafeMutablePointer<Self>, ldvt: Int,
                          work: UnsafeMutablePointer<Self>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int32

    // MARK: Subspace kernels (implemented in SubspaceKernels.swift)
    //
    // The kernels of the warm-started subspace projection (``ProjectionMethod/warmSubspace``), column-major
    // like the selective drivers above and allocation-free (the `…_work` LAPACKE forms).

    /// `C ← α·A·B + β·C` with A n×n symmetric (upper triangle read, lda), B and C n×m (xSYMM,
    /// side = left, column-major).
    static func symmUpper(n: Int, m: Int, alpha: Self, a: UnsafeMutablePointer<Self>, lda: Int,
                          b: UnsafeMutablePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// Cholesky factorization A = RᵀR of the upper triangle of a symmetric n×n matrix (xPOTRF,
    /// uplo = 'U'). Returns LAPACK's info: 0 on success, i > 0 when the leading i×i minor is not
    /// positive definite (the factorization stopped there).
    static func potrfUpper(n: Int, a: UnsafeMutablePointer<Self>, lda: Int) -> Int32
    /// Householder QR of an m×n block (m ≥ n, column-major, lda) followed by the explicit Q
    /// (xGEQRF then xORGQR): on return A holds the n orthonormal columns of Q. `tau` holds n
    /// scalars; `lwork = -1` is the workspace query (the larger of the two routines' optimum in
    /// `work[0]`). Returns LAPACK's info.
    static func orthonormalize(m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int, tau: UnsafeMutablePointer<Self>,
                               work: UnsafeMutablePointer<Self>, lwork: Int) -> Int32

    // MARK: Elementary functions
    //
    // The engine's nonlinearities, so that generic code calls the C library's `expf`/`exp` (and so
    // on) through the protocol instead of testing `S.self == Float.self` and bit-casting. After
    // specialisation each is a direct call.

    /// e^x, correctly rounded to within the C library's error (≤ 1 ulp in glibc).
    static func exp(_ x: Self) -> Self
    /// tanh x (≤ 2 ulp in glibc).
    static func tanh(_ x: Self) -> Self
    /// log(1 + x), accurate for small |x| where log(1 + x) would lose the digits of x.
    static func log1p(_ x: Self) -> Self
    /// σ(x) = 1 / (1 + e^{−x}) for eight lanes at once (the GRU's gates). Double: the C library's
    /// `exp` per lane, the same numbers as ``exp(_:)`` in the scalar formula; Float: the
    /// vectorised polynomial e^x (relative error ≤ 3 ulp wherever σ(x) is a normal Float, below
    /// 2⁻¹²⁶ for x < −87, 1 at the upper end, NaN in NaN out).
    static func sigmoid(_ x: SIMD8<Self>) -> SIMD8<Self>
    /// tanh x for eight lanes at once (the GRU's candidate). Double: the C library's `tanh` per
    /// lane; Float: an odd polynomial for |x| < 0.625 (where 1 − 2/(e^{2|x|} + 1) would cancel) and
    /// 1 − 2/(e^{2|x|} + 1) with the vectorised e^x beyond it, relative error ≤ 3 ulp, ±1 at the
    /// saturated ends, NaN in NaN out.
    static func tanh(_ x: SIMD8<Self>) -> SIMD8<Self>

    /// Softmax cross-entropy over the rows of an n×v row-major block of logits ℓ_i = z_i + b, the
    /// bias b (v values) added as each row is read (so an output layer's GEMM need not copy b into
    /// every row first), in place: returns the mean over rows of −log softmax(ℓ_i)[y_i] (summed in
    /// Double), and when `gradient` replaces z by ∂loss/∂ℓ = (softmax(ℓ_i) − e_{y_i}) / n
    /// (otherwise by scratch values). Float has a SIMD kernel (a polynomial e^x accurate to a few
    /// ulp); Double the scalar reference. The targets lie in 0..<v (checked by the caller).
    static func softmaxCrossEntropy(_ l: UnsafeMutablePointer<Self>, rows n: Int, classes v: Int, bias: UnsafePointer<Self>,
                                    targets: UnsafePointer<Int32>, gradient: Bool) -> Double
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
    public static func gesv(n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
                            ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgesv(LAPACK_ROW_MAJOR, i32(n), i32(nrhs), a, i32(n), ipiv, b, i32(nrhs))
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
    public static func gesv(n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>,
                            ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgesv(LAPACK_ROW_MAJOR, i32(n), i32(nrhs), a, i32(n), ipiv, b, i32(nrhs))
    }
}

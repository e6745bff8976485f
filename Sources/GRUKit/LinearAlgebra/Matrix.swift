/// A dense, row-major m×n matrix of `Float` or `Double`.
///
/// Element (i, j), 0-based, lives at `elements[i * cols + j]`. Products go through BLAS
/// (``BLASScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``); the
/// decompositions in `Decompositions.swift` go through LAPACK. `Matrix` is a value type
/// (copy-on-write through its array), so hot loops that must not allocate work on
/// preallocated matrices with the `…(into:)` forms or with `withUnsafeMutableBufferPointer`.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// The number of rows m ≥ 0; the matrix is m×n with n = ``cols``.
    public let rows: Int
    /// The number of columns n ≥ 0; also the stride between consecutive rows in ``elements``.
    public let cols: Int
    /// The entries; only ``elements`` reaches them, so that their count is checked.
    @usableFromInline internal var storage: [Scalar]

    /// The m·n entries in row-major order: a_ij at index `i * cols + j`.
    ///
    /// Mutable in place, so that hot loops can write entries (`m.elements[k] = x`,
    /// `m.elements.withUnsafeMutableBufferPointer { … }`) without a copy, but the count is an
    /// invariant: every method, and BLAS reading through the array's base address, relies on exactly
    /// `rows * cols` entries. Assigning an array of another count, or a mutation that appends or
    /// removes entries, traps (naming both counts) when the access ends, before any other code can
    /// see the matrix; reading and in-place writes cost nothing extra (the check is one comparison
    /// per access, not per entry of a buffer-pointer loop).
    @inlinable public var elements: [Scalar] {
        get { storage }
        set {
            precondition(newValue.count == rows * cols, "Matrix: \(newValue.count) elements for a \(rows)×\(cols) matrix")
            storage = newValue
        }
        _modify {
            // `_modify` (a yielding accessor) gives in-place access without the copy a get/set pair
            // would make; the count is checked when the caller's access ends.
            yield &storage
            precondition(storage.count == rows * cols, "Matrix: \(storage.count) elements for a \(rows)×\(cols) matrix")
        }
    }

    /// A rows×cols matrix with every entry equal to `value` (zero by default).
    ///
    /// - Precondition: `rows ≥ 0` and `cols ≥ 0` (traps otherwise; a shape is a programming
    ///   decision, not input).
    public init(rows: Int, cols: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)×\(cols)")
        self.rows = rows; self.cols = cols
        storage = Array(repeating: value, count: rows * cols)
    }

    /// A rows×cols matrix that takes `elements` as its row-major entries (no copy).
    ///
    /// - Precondition: `elements.count == rows * cols` (traps otherwise, naming both).
    public init(rows: Int, cols: Int, elements: [Scalar]) {
        precondition(elements.count == rows * cols, "Matrix: \(elements.count) elements for a \(rows)×\(cols) matrix")
        self.rows = rows; self.cols = cols; self.storage = elements
    }

    /// A matrix from an array of rows, `Matrix([[1, 2], [3, 4]])` being the 2×2 matrix with
    /// first row (1, 2). An empty array gives the 0×0 matrix.
    ///
    /// - Precondition: all rows have the same length (traps otherwise).
    public init(_ rowArrays: [[Scalar]]) {
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "Matrix: rows of unequal length")
        self.init(rows: rowArrays.count, cols: c, elements: rowArrays.flatMap { $0 })
    }

    /// The n×n identity I_n (ones on the diagonal, zeros elsewhere).
    ///
    /// - Precondition: `n ≥ 0`.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.elements[i * n + i] = 1 }
        return m
    }

    /// The n×n matrix diag(values), n = `values.count`: a_ii = values[i], zero off the diagonal.
    public static func diagonal(_ values: [Scalar]) -> Matrix {
        let n = values.count
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.elements[i * n + i] = values[i] }
        return m
    }

    /// A rows×cols matrix with entries drawn independently from N(0, std²).
    ///
    /// Draws rows·cols standard normals from `rng` (``SeededGenerator/nextNormal()``) in
    /// row-major order and scales each by `std`, so the same seed gives the same matrix in
    /// `Float` and `Double` up to rounding. `std` may be negative or zero (the sign is absorbed
    /// by the symmetric distribution; zero gives the zero matrix).
    ///
    /// - Precondition: `rows ≥ 0` and `cols ≥ 0`.
    public static func randomNormal(rows: Int, cols: Int, std: Scalar = 1, using rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.elements.count { m.elements[i] = Scalar(rng.nextNormal()) * std }
        return m
    }

    /// A rows×cols matrix with entries drawn independently and uniformly from [−bound, bound).
    ///
    /// Draws rows·cols uniforms from `rng` (``SeededGenerator/nextUniform(in:)``) in row-major
    /// order; each is computed in `Double` and rounded to `Scalar`.
    ///
    /// - Precondition: `bound > 0` and finite; `rows ≥ 0` and `cols ≥ 0`.
    public static func randomUniform(rows: Int, cols: Int, bound: Scalar, using rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.elements.count { m.elements[i] = Scalar(rng.nextUniform(in: -Double(bound)..<Double(bound))) }
        return m
    }

    /// The shape (m, n) as a tuple, for messages and shape comparisons.
    public var shape: (rows: Int, cols: Int) { (rows, cols) }
    /// The number of entries m·n (`elements.count`).
    public var count: Int { elements.count }
    /// True when m = n. Eigenvalues, spectral radius and the identity need a square matrix.
    public var isSquare: Bool { rows == cols }

    /// The entry a_ij (0-based row i, column j), read or written in place at `elements[i * cols + j]`.
    ///
    /// - Precondition: `0 ≤ i < rows` and `0 ≤ j < cols`. Only the flat index is bounds-checked
    ///   (by the array), so a column index out of range but inside the storage silently reaches
    ///   into a neighbouring row; the check is left out because this subscript is used in inner loops.
    @inlinable public subscript(i: Int, j: Int) -> Scalar {
        get { elements[i * cols + j] }
        set { elements[i * cols + j] = newValue }
    }

    /// Row i, (a_i0, …, a_i,n−1), copied into a new array of length n.
    ///
    /// - Precondition: `0 ≤ i < rows`.
    public func row(_ i: Int) -> [Scalar] { Array(elements[(i * cols)..<((i + 1) * cols)]) }
    /// Column j, (a_0j, …, a_m−1,j), gathered into a new array of length m.
    ///
    /// - Precondition: `0 ≤ j < cols`.
    public func column(_ j: Int) -> [Scalar] { (0..<rows).map { elements[$0 * cols + j] } }

    /// The transpose Aᵀ, an n×m matrix with (Aᵀ)_ji = a_ij (a new copy; no BLAS call).
    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for i in 0..<rows { for j in 0..<cols { t.elements[j * rows + i] = elements[i * cols + j] } }
        return t
    }

    /// The same matrix in another precision, each entry converted with `T(x)`.
    ///
    /// Double → Float rounds to nearest; magnitudes above `Float.greatestFiniteMagnitude`
    /// become ±∞ (check ``isFinite`` afterwards when that matters). Float → Double is exact.
    public func converted<T: BLASScalar>(to: T.Type = T.self) -> Matrix<T> {
        Matrix<T>(rows: rows, cols: cols, elements: elements.map { T($0) })
    }

    /// True when every entry is finite (no ±∞, no NaN).
    public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }

    // MARK: Norms

    /// The Frobenius norm ‖A‖_F = √(Σ_ij a_ij²), by xNRM2 over all m·n entries.
    ///
    /// xNRM2 scales as it sums, so the result neither overflows for entries near the top of the
    /// range nor underflows for tiny ones; its relative error is a small multiple of the unit
    /// round-off. It is also an upper bound of the spectral norm: ‖A‖₂ ≤ ‖A‖_F ≤ √rank(A)·‖A‖₂.
    public var frobeniusNorm: Scalar {
        elements.withUnsafeBufferPointer { Scalar.nrm2(n: count, x: $0.baseAddress!, incx: 1) }
    }

    /// The largest absolute entry, max |a_ij| (0 for an empty matrix; NaN if any entry is NaN).
    public var maxAbs: Scalar {
        var m: Scalar = 0
        for x in elements { if x.isNaN { return .nan }; m = Swift.max(m, abs(x)) }
        return m
    }

    /// The operator 1-norm ‖A‖₁ = max_j Σ_i |a_ij|, the largest absolute column sum (0 when empty).
    public var oneNorm: Scalar {
        var sums = [Scalar](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { sums[j] += abs(elements[i * cols + j]) } }
        return sums.max() ?? 0
    }

    /// The operator ∞-norm ‖A‖_∞ = max_i Σ_j |a_ij|, the largest absolute row sum (0 when empty).
    ///
    /// Together with ``oneNorm`` it gives the cheap bound ‖A‖₂ ≤ √(‖A‖₁·‖A‖_∞).
    public var infinityNorm: Scalar {
        (0..<rows).map { i in elements[(i * cols)..<((i + 1) * cols)].reduce(0) { $0 + abs($1) } }.max() ?? 0
    }

    // MARK: Arithmetic

    /// The entrywise sum A + B, (A + B)_ij = a_ij + b_ij.
    ///
    /// - Precondition: A and B have the same shape (traps otherwise, naming both shapes).
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix +: shapes \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols)")
        return Matrix(rows: a.rows, cols: a.cols, elements: zip(a.elements, b.elements).map(+))
    }
    /// The entrywise difference A − B, (A − B)_ij = a_ij − b_ij.
    ///
    /// - Precondition: A and B have the same shape (traps otherwise, naming both shapes).
    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix -: shapes \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols)")
        return Matrix(rows: a.rows, cols: a.cols, elements: zip(a.elements, b.elements).map(-))
    }
    /// The scalar multiple s·A, (s·A)_ij = s·a_ij.
    public static func * (s: Scalar, a: Matrix) -> Matrix {
        Matrix(rows: a.rows, cols: a.cols, elements: a.elements.map { s * $0 })
    }

    /// The matrix product A·B, (AB)_ij = Σ_k a_ik·b_kj, by xGEMM (``multiplied(by:transposeSelf:transposeOther:)``).
    ///
    /// - Precondition: `a.cols == b.rows` (traps otherwise, naming both inner dimensions).
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        a.multiplied(by: b)
    }

    /// The product op(A)·op(B) by one xGEMM, with op(X) = Xᵀ when its flag is set and X otherwise.
    ///
    /// The transposes are never formed: BLAS reads the row-major storage with the transposed
    /// access pattern. The result is m×n with m the rows of op(A) and n the columns of op(B);
    /// when the inner dimension k is 0 the result is the m×n zero matrix (the empty sum).
    /// Allocates the result; hot paths call ``BLASScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// on preallocated buffers instead.
    ///
    /// - Precondition: the inner dimensions agree, columns of op(A) = rows of op(B)
    ///   (traps otherwise, naming both).
    public func multiplied(by b: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? cols : rows, k = transposeSelf ? rows : cols
        let kb = transposeOther ? b.cols : b.rows, n = transposeOther ? b.rows : b.cols
        precondition(k == kb, "Matrix product: inner dimensions \(k) and \(kb) differ")
        var c = Matrix(rows: m, cols: n)
        if m == 0 || n == 0 { return c }
        if k == 0 { return c }
        elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k, alpha: 1,
                                a: pa.baseAddress!, lda: cols, b: pb.baseAddress!, ldb: b.cols,
                                beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// The matrix–vector product y = A·x, y_i = Σ_j a_ij·x_j (or y = Aᵀ·x when `transposeSelf`),
    /// by one xGEMV.
    ///
    /// - Precondition: `x.count == cols` (or `rows` when `transposeSelf`); traps otherwise.
    /// - Returns: a new array of length `rows` (or `cols` when `transposeSelf`); all zeros when
    ///   the matrix is empty.
    public func multiplied(by x: [Scalar], transposeSelf: Bool = false) -> [Scalar] {
        let m = transposeSelf ? cols : rows, n = transposeSelf ? rows : cols
        precondition(x.count == n, "Matrix·vector: vector of length \(x.count) for \(n) columns")
        var y = [Scalar](repeating: 0, count: m)
        if m == 0 || n == 0 { return y }
        elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    Scalar.gemv(trans: transposeSelf, m: rows, n: cols, alpha: 1, a: pa.baseAddress!, lda: cols,
                                x: px.baseAddress!, incx: 1, beta: 0, y: py.baseAddress!, incy: 1)
                }
            }
        }
        return y
    }
}

extension Matrix: CustomStringConvertible {
    /// A header `Matrix<Scalar> m×n` followed by at most the top-left 8×8 block, one row per
    /// line, with `…` marking truncated rows or columns; meant for debugging, not for export.
    public var description: String {
        var s = "Matrix<\(Scalar.self)> \(rows)×\(cols)"
        for i in 0..<Swift.min(rows, 8) {
            s += "\n  " + (0..<Swift.min(cols, 8)).map { j in "\(self[i, j])" }.joined(separator: "  ")
            if cols > 8 { s += "  …" }
        }
        if rows > 8 { s += "\n  …" }
        return s
    }
}

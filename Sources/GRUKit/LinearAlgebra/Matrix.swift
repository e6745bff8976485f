/// A dense, row-major matrix of `Float` or `Double`.
///
/// Element (i, j) lives at `elements[i * cols + j]`. Products go through BLAS
/// (``BLASScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``); the
/// decompositions in `Decompositions.swift` go through LAPACK. `Matrix` is a value type
/// (copy-on-write through its array), so hot loops that must not allocate work on
/// preallocated matrices with the `…(into:)` forms or with `withUnsafeMutableBufferPointer`.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var elements: [Scalar]

    /// A rows×cols matrix filled with `value` (zero by default).
    public init(rows: Int, cols: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)×\(cols)")
        self.rows = rows; self.cols = cols
        elements = Array(repeating: value, count: rows * cols)
    }

    /// A rows×cols matrix from row-major elements; `elements.count` must equal rows·cols.
    public init(rows: Int, cols: Int, elements: [Scalar]) {
        precondition(elements.count == rows * cols, "Matrix: \(elements.count) elements for a \(rows)×\(cols) matrix")
        self.rows = rows; self.cols = cols; self.elements = elements
    }

    /// A matrix from an array of equally long rows.
    public init(_ rowArrays: [[Scalar]]) {
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "Matrix: rows of unequal length")
        self.init(rows: rowArrays.count, cols: c, elements: rowArrays.flatMap { $0 })
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.elements[i * n + i] = 1 }
        return m
    }

    /// A square matrix with `values` on the diagonal.
    public static func diagonal(_ values: [Scalar]) -> Matrix {
        let n = values.count
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.elements[i * n + i] = values[i] }
        return m
    }

    /// Entries drawn independently from N(0, std²) with the given generator.
    public static func randomNormal(rows: Int, cols: Int, std: Scalar = 1, using rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.elements.count { m.elements[i] = Scalar(rng.nextNormal()) * std }
        return m
    }

    /// Entries drawn independently from U(−bound, bound) with the given generator.
    public static func randomUniform(rows: Int, cols: Int, bound: Scalar, using rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.elements.count { m.elements[i] = Scalar(rng.nextUniform(in: -Double(bound)..<Double(bound))) }
        return m
    }

    public var shape: (rows: Int, cols: Int) { (rows, cols) }
    public var count: Int { elements.count }
    public var isSquare: Bool { rows == cols }

    @inlinable public subscript(i: Int, j: Int) -> Scalar {
        get { elements[i * cols + j] }
        set { elements[i * cols + j] = newValue }
    }

    /// Row i as an array.
    public func row(_ i: Int) -> [Scalar] { Array(elements[(i * cols)..<((i + 1) * cols)]) }
    /// Column j as an array.
    public func column(_ j: Int) -> [Scalar] { (0..<rows).map { elements[$0 * cols + j] } }

    /// The transpose Aᵀ.
    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for i in 0..<rows { for j in 0..<cols { t.elements[j * rows + i] = elements[i * cols + j] } }
        return t
    }

    /// The same matrix in another precision.
    public func converted<T: BLASScalar>(to: T.Type = T.self) -> Matrix<T> {
        Matrix<T>(rows: rows, cols: cols, elements: elements.map { T($0) })
    }

    /// True when every entry is finite (no ±∞, no NaN).
    public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }

    // MARK: Norms

    /// The Frobenius norm ‖A‖_F = √(Σ a_ij²), by xNRM2 (no overflow for large entries).
    public var frobeniusNorm: Scalar {
        elements.withUnsafeBufferPointer { Scalar.nrm2(n: count, x: $0.baseAddress!, incx: 1) }
    }

    /// The largest absolute entry, max |a_ij| (0 for an empty matrix; NaN if any entry is NaN).
    public var maxAbs: Scalar {
        var m: Scalar = 0
        for x in elements { if x.isNaN { return .nan }; m = Swift.max(m, abs(x)) }
        return m
    }

    /// ‖A‖₁ = max_j Σ_i |a_ij| (largest column sum).
    public var oneNorm: Scalar {
        var sums = [Scalar](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { sums[j] += abs(elements[i * cols + j]) } }
        return sums.max() ?? 0
    }

    /// ‖A‖_∞ = max_i Σ_j |a_ij| (largest row sum).
    public var infinityNorm: Scalar {
        (0..<rows).map { i in elements[(i * cols)..<((i + 1) * cols)].reduce(0) { $0 + abs($1) } }.max() ?? 0
    }

    // MARK: Arithmetic

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix +: shapes \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols)")
        return Matrix(rows: a.rows, cols: a.cols, elements: zip(a.elements, b.elements).map(+))
    }
    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix -: shapes \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols)")
        return Matrix(rows: a.rows, cols: a.cols, elements: zip(a.elements, b.elements).map(-))
    }
    public static func * (s: Scalar, a: Matrix) -> Matrix {
        Matrix(rows: a.rows, cols: a.cols, elements: a.elements.map { s * $0 })
    }

    /// The matrix product A·B by xGEMM.
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        a.multiplied(by: b)
    }

    /// op(A)·op(B) by xGEMM, with op(X) = Xᵀ when the flag is set.
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

    /// The matrix-vector product A·x (or Aᵀ·x) by xGEMV.
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

/// One tensor of a safetensors file: its dtype, its shape and its raw little-endian bytes.
///
/// The bytes are kept exactly as read, so a file can be rewritten with every tensor that was not
/// changed byte-for-byte identical. Typed views (``doubles()``, ``floats()``, ``matrix(_:)``)
/// decode on demand; ``replacingRows(from:with:)`` re-encodes only the rows it is given.
public struct SafetensorsTensor: Equatable, Sendable {
    /// The element type, as the header's `dtype` string says.
    public let dtype: SafetensorsDType
    /// The dimensions, outermost first (row-major, like PyTorch's contiguous tensors). [] is a scalar.
    public let shape: [Int]
    /// product(shape) · dtype.byteSize raw little-endian bytes.
    public let bytes: [UInt8]

    /// The number of elements, product(shape) (1 for a scalar), or nil when it overflows Int.
    static func elementCount(of shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// A tensor from raw little-endian bytes, kept as they are.
    ///
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/byteCountMismatch(tensor:shape:dtype:expected:actual:)``,
    ///   file `<memory>`) unless bytes.count = product(shape)·size, including when a dimension is
    ///   negative or the product overflows.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) throws {
        let count = SafetensorsTensor.elementCount(of: shape)
        let (expected, overflow) = (count ?? Int.max).multipliedReportingOverflow(by: dtype.byteSize)
        guard count != nil, !overflow, expected == bytes.count else {
            throw SafetensorsError(file: "<memory>", problem: .byteCountMismatch(
                tensor: "", shape: shape, dtype: dtype.rawValue, expected: overflow || count == nil ? -1 : expected, actual: bytes.count))
        }
        self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    /// A floating-point tensor holding `values` (row-major), each rounded to nearest-even in `dtype`.
    ///
    /// - Throws: ``SafetensorsError`` (file `<memory>`): ``SafetensorsError/Problem/unsupportedDType(tensor:dtype:)``
    ///   when `dtype` is not a floating-point type, ``SafetensorsError/Problem/unusable(tensor:reason:)``
    ///   when product(shape) ≠ values.count.
    public init(values: [Double], shape: [Int], dtype: SafetensorsDType = .f64) throws {
        guard dtype.isEncodable else {
            throw SafetensorsError(file: "<memory>", problem: .unsupportedDType(tensor: "", dtype: dtype.rawValue))
        }
        guard SafetensorsTensor.elementCount(of: shape) == values.count else {
            throw SafetensorsError(file: "<memory>", problem: .unusable(
                tensor: "", reason: "\(values.count) values do not fill the shape \(shape)"))
        }
        var out: [UInt8] = []
        dtype.encode(values, into: &out)
        try self.init(dtype: dtype, shape: shape, bytes: out)
    }

    /// A float32 tensor holding `values` exactly.
    ///
    /// - Throws: ``SafetensorsError`` when product(shape) ≠ values.count.
    public init(floats values: [Float], shape: [Int]) throws {
        try self.init(values: values.map(Double.init), shape: shape, dtype: .f32)
    }

    /// A rank-2 tensor rows×cols holding the matrix (in F32 for Float, F64 for Double unless `dtype` says
    /// otherwise; a narrower dtype rounds to nearest-even).
    ///
    /// - Throws: ``SafetensorsError`` when `dtype` is not a floating-point type.
    public init<T: BLASScalar>(_ matrix: Matrix<T>, dtype: SafetensorsDType? = nil) throws {
        let d = dtype ?? (T.self == Float.self ? .f32 : .f64)
        try self.init(values: matrix.elements.map(Double.init), shape: [matrix.rows, matrix.cols], dtype: d)
    }

    /// The number of elements, product(shape) (1 for a scalar, 0 when a dimension is 0).
    public var count: Int { shape.reduce(1, *) }

    /// Every element widened to Double, row-major. Exact for F64/F32/F16/BF16 and integers of
    /// magnitude ≤ 2⁵³; BOOL reads as 0/1.
    public func doubles() -> [Double] {
        let n = count, d = dtype
        return bytes.withUnsafeBytes { raw in (0..<n).map { d.decode(raw, $0) } }
    }

    /// Every element as Float, row-major. Exact for F32/F16/BF16; F64 is rounded to nearest.
    public func floats() -> [Float] { doubles().map(Float.init) }

    /// The tensor as a rows×cols matrix. Requires rank 2 (a 1-D tensor of n values is read as n×1).
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/unusable(tensor:reason:)``) for any
    ///   other rank or a non-float dtype.
    public func matrix<T: BLASScalar>(_ type: T.Type = T.self) throws -> Matrix<T> {
        let (r, c) = try matrixShape()
        return Matrix(rows: r, cols: c, elements: doubles().map { T($0) })
    }

    /// Rows `range` of a rank-2 tensor (a 1-D tensor counts as n×1), as a range.count × cols matrix,
    /// decoding only those rows.
    ///
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/unusable(tensor:reason:)``) for a
    ///   non-float dtype, another rank, or a range outside the rows.
    public func rows<T: BLASScalar>(_ range: Range<Int>, as type: T.Type = T.self) throws -> Matrix<T> {
        let (r, c) = try matrixShape()
        guard range.lowerBound >= 0, range.upperBound <= r else {
            throw unusable("rows \(range.lowerBound)..<\(range.upperBound) are outside its \(r) rows")
        }
        let d = dtype
        let elements: [T] = bytes.withUnsafeBytes { raw in
            ((range.lowerBound * c)..<(range.upperBound * c)).map { T(d.decode(raw, $0)) }
        }
        return Matrix(rows: range.count, cols: c, elements: elements)
    }

    /// A copy with rows start..<start+block.rows replaced by `block`, encoded in this tensor's dtype
    /// (rounded to nearest-even). Every other byte is left exactly as it was.
    ///
    /// - Throws: ``SafetensorsError`` (``SafetensorsError/Problem/unusable(tensor:reason:)``) when
    ///   the tensor is not a rank-2 (or 1-D) floating-point tensor or the block does not fit.
    public func replacingRows<T: BLASScalar>(from start: Int, with block: Matrix<T>) throws -> SafetensorsTensor {
        let (r, c) = try matrixShape()
        guard dtype.isEncodable else { throw unusable("cannot write values of dtype \(dtype.rawValue)") }
        guard block.cols == c, start >= 0, start + block.rows <= r else {
            throw unusable("a \(block.rows)×\(block.cols) block does not fit at row \(start) of a \(r)×\(c) tensor")
        }
        var encoded: [UInt8] = []
        dtype.encode(block.elements.map(Double.init), into: &encoded)
        var out = bytes
        let begin = start * c * dtype.byteSize
        out.replaceSubrange(begin..<(begin + encoded.count), with: encoded)
        return try SafetensorsTensor(dtype: dtype, shape: shape, bytes: out)
    }

    private func matrixShape() throws -> (Int, Int) {
        guard dtype.isFloatingPoint else { throw unusable("has dtype \(dtype.rawValue), not a floating-point type") }
        switch shape.count {
        case 2: return (shape[0], shape[1])
        case 1: return (shape[0], 1)
        default: throw unusable("has shape \(shape), not a matrix")
        }
    }

    private func unusable(_ reason: String) -> SafetensorsError {
        SafetensorsError(file: "<memory>", problem: .unusable(tensor: "", reason: reason))
    }
}

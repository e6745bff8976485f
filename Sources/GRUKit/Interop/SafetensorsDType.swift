/// The element types of the safetensors format (the `dtype` strings of the header).
///
/// Every type can be read and rewritten as raw bytes. Conversion to Float / Double is provided
/// for the floating-point types and for the integer types (exact up to 2²⁴ for Float, 2⁵³ for
/// Double); encoding from Double is provided for F64, F32, F16 and BF16.
/// The raw value is the header's dtype string.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    /// The floating-point types, readable and writable: `f64` (IEEE binary64), `f32` (binary32,
    /// PyTorch's default), `f16` (binary16, 5 exponent bits, max 65504), `bf16` (bfloat16, Float's
    /// exponent range with 8 significand bits).
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    /// Signed two's-complement integers of 64, 32, 16 and 8 bits: read (widened to Double),
    /// never written by value.
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    /// Unsigned integers of 64, 32, 16 and 8 bits: read (widened to Double), never written by value.
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    /// Booleans, one byte each; any non-zero byte reads as 1.
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// True for F64, F32, F16, BF16.
    public var isFloatingPoint: Bool { self == .f64 || self == .f32 || self == .f16 || self == .bf16 }

    /// True when values can be written in this type (the floating-point types): the condition of
    /// ``SafetensorsTensor/init(values:shape:dtype:)`` and ``SafetensorsTensor/replacingRows(from:with:)``.
    public var isEncodable: Bool { isFloatingPoint }

    /// The value of element `index` of little-endian `bytes`, widened to Double (exact for every
    /// floating-point type, and for integers of magnitude ≤ 2⁵³).
    @inline(__always)
    func decode(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        let o = index * byteSize
        switch self {
        case .f64: return Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
        case .f32: return Double(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
        case .f16: return Double(HalfPrecision.float(fromHalf: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self))))
        case .bf16: return Double(HalfPrecision.float(fromBFloat16: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self))))
        case .i64: return Double(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int64.self)))
        case .i32: return Double(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int32.self)))
        case .i16: return Double(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int16.self)))
        case .i8: return Double(Int8(bitPattern: bytes[o]))
        case .u64: return Double(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
        case .u32: return Double(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
        case .u16: return Double(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
        case .u8: return Double(bytes[o])
        case .bool: return bytes[o] != 0 ? 1 : 0
        }
    }

    /// Appends the little-endian encoding of each value, rounded to nearest-even in this type.
    /// Precondition: ``isEncodable``.
    func encode(_ values: [Double], into out: inout [UInt8]) {
        precondition(isEncodable, "SafetensorsDType: cannot encode \(rawValue)")
        out.reserveCapacity(out.count + values.count * byteSize)
        for v in values {
            switch self {
            case .f64: withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            case .f32: withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out.append(contentsOf: $0) }
            // Rounded once from the Double: going through Float first could round twice.
            case .f16: withUnsafeBytes(of: HalfPrecision.half(fromDouble: v).littleEndian) { out.append(contentsOf: $0) }
            case .bf16: withUnsafeBytes(of: HalfPrecision.bfloat16(fromDouble: v).littleEndian) { out.append(contentsOf: $0) }
            default: break
            }
        }
    }
}

/// IEEE 754 binary16 ("half", F16) and bfloat16 (BF16) conversions by bit manipulation, so they
/// work on every platform (Swift's `Float16` is unavailable on macOS/x86_64).
public enum HalfPrecision {
    /// binary16 bits → Float, exact (every half value is a Float).
    public static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0x1F {                                   // Inf / NaN (payload kept)
            return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13))
        }
        if exp == 0 {                                      // zero / subnormal: mant · 2⁻²⁴
            let magnitude = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | (UInt32(exp - 15 + 127) << 23) | (mant << 13))
    }

    /// bfloat16 bits → Float, exact (bfloat16 is the top half of a Float).
    public static func float(fromBFloat16 b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Double → binary16, correctly rounded (round to nearest, ties to even), overflow to ±∞,
    /// NaN to a quiet NaN. Rounds once, from the Double, so there is no double rounding.
    public static func half(fromDouble x: Double) -> UInt16 {
        let bits = x.bitPattern
        let sign = UInt16((bits >> 48) & 0x8000)
        if x.isNaN { return sign | 0x7E00 }
        let a = abs(x)
        if a.isInfinite || a >= 65520 { return sign | 0x7C00 }   // 65520 rounds to ∞ (max half is 65504)
        if a == 0 { return sign }
        // Scale so that the half's unit in the last place is 1, round to an integer, then rebuild.
        // Normal halves: a ∈ [2⁻¹⁴, 65504], ulp = 2^(e−10). Subnormal: ulp = 2⁻²⁴.
        let e = max(a.exponent, -14)
        let ulpExponent = Int(e) - 10
        let scaled = a * Double(sign: .plus, exponent: -ulpExponent, significand: 1)   // exact (power of 2)
        var q = scaled.rounded(.toNearestOrEven)                                           // exact in Double
        var exponent = Int(e)
        if q == 2048 { q = 1024; exponent += 1 }                                           // rounded up to the next binade
        if exponent > 15 { return sign | 0x7C00 }
        let n = UInt16(q)
        if n < 1024 { return sign | n }                                                    // subnormal (exponent field 0)
        return sign | (UInt16(exponent + 15) << 10) | (n - 1024)
    }

    /// Double → bfloat16, correctly rounded (nearest, ties to even), overflow to ±∞, NaN to a quiet
    /// NaN. Rounds once, from the Double (not through Float), so there is no double rounding.
    public static func bfloat16(fromDouble x: Double) -> UInt16 {
        let bits = x.bitPattern
        let sign = UInt16((bits >> 48) & 0x8000)
        if x.isNaN { return sign | 0x7FC0 }
        let a = abs(x)
        if a.isInfinite { return sign | 0x7F80 }
        if a == 0 { return sign }
        // bfloat16 has 8 significand bits and Float's exponent range; its smallest subnormal is 2⁻¹³³.
        let e = max(Int(a.exponent), -126)
        let ulpExponent = e - 7
        let scaled = a * Double(sign: .plus, exponent: -ulpExponent, significand: 1)
        var q = scaled.rounded(.toNearestOrEven)
        var exponent = e
        if q == 256 { q = 128; exponent += 1 }
        if exponent > 127 { return sign | 0x7F80 }
        let n = UInt16(q)
        if n < 128 { return sign | n }
        return sign | (UInt16(exponent + 127) << 7) | (n - 128)
    }
}

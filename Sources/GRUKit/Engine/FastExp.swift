// e^x for 8 Floats at a time, for the softmax over a large vocabulary, where a call of the
// C library's expf per logit (7 million per PTB window) would cost more than the rest of
// the loss.

/// e^x lane-wise, within 2 ulp of the correctly rounded result for every finite x whose
/// result is a normal Float (|x| ≲ 87.3), measured against the C library's expf in the
/// tests; e^x rounds to 0 below about −103.97 and overflows to +∞ above about 88.72, NaN
/// stays NaN, ±∞ give +∞ and 0.
///
/// Method: x = n·ln 2 + r with n = round(x·log₂e) and |r| ≤ ln 2/2 (Cody–Waite: ln 2 split
/// into a 16-bit head, so n·head is exact for |n| ≤ 150, and a tail); e^r by its Taylor
/// polynomial of degree 7 (truncation < r⁸/8! ≈ 5·10⁻⁹, 0.1 ulp), in Horner form (unfused
/// multiply-adds); then e^x = e^r·2^{n₁}·2^{n₂} with n₁ = ⌊n/2⌋, n₂ = n − n₁, two exact
/// scalings that keep every factor a normal number across the whole range (a single 2ⁿ
/// would leave the exponent range for n < −126 or n = 128).
/// The vector of the softmax kernels: 8 lanes, two SSE registers on baseline x86-64 (wider
/// vectors run out of registers and spill).
typealias FloatLanes = SIMD8<Float>
typealias IntLanes = SIMD8<Int32>

@inline(__always)
func fastExp(_ x: FloatLanes) -> FloatLanes {
    let log2e: Float = 1.442_695_04
    let shifter: Float = 12_582_912 // 1.5·2²³: adding it rounds to an integer kept in the low bits
    let ln2Head: Float = 0.693_145_751_953_125 // 16 significant bits
    let ln2Tail: Float = 1.428_606_765_330_187_045e-06
    // Clamp by compare-and-select (the standard library's lane-wise min/max are scalar loops).
    var xc = x.replacing(with: -104, where: x .< -104)
    xc.replace(with: 88.8, where: xc .> 88.8)
    // Plain multiplies and adds, not fused ones: the package targets baseline x86-64, where
    // a vector fma would be split into one libm fmaf call per lane.
    let t = xc * log2e + shifter
    let nf = t - shifter
    let r = (xc - nf * ln2Head) - nf * ln2Tail // n·ln2Head is exact (16 + 8 bits)
    var q = r * (1.0 / 5040) + 1.0 / 720
    q = q * r + 1.0 / 120
    q = q * r + 1.0 / 24
    q = q * r + 1.0 / 6
    q = q * r + 0.5
    let p = (r + (r * r) * q) + 1
    let n = unsafeBitCast(t, to: IntLanes.self) &- Int32(bitPattern: shifter.bitPattern)
    let n1 = n &>> 1, n2 = n &- n1
    let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: FloatLanes.self)
    let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: FloatLanes.self)
    let e = p * s1 * s2
    return e.replacing(with: x, where: x .!= x) // NaN in, NaN out
}

/// e^x for one Float by ``fastExp(_:)`` (the same result as in a vector).
@inline(__always)
func fastExp(_ x: Float) -> Float { fastExp(FloatLanes(repeating: x))[0] }

/// One softmax row of Floats in place, its logits ℓ_k = row[k] + bias[k]: row[k] ← e^{ℓ_k − m}
/// with m = max_k ℓ_k, and returns m and Σ_k e^{ℓ_k − m}. The sum is accumulated in 8 Float lanes over at most
/// 256 values (each ≤ 1, so a lane's rounding error stays below 2⁻¹⁹ relative) and then in
/// Double. A NaN logit makes the sum NaN (so the loss reports it).
@inline(__always)
func softmaxExponentials(_ row: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, count v: Int) -> (max: Float, sum: Double) {
    let raw = UnsafeMutableRawPointer(row), braw = UnsafeRawPointer(bias)
    let w = FloatLanes.scalarCount, bytes = MemoryLayout<Float>.stride
    @inline(__always) func logits(_ k: Int) -> FloatLanes {
        raw.loadUnaligned(fromByteOffset: k * bytes, as: FloatLanes.self) + braw.loadUnaligned(fromByteOffset: k * bytes, as: FloatLanes.self)
    }
    var k = 0
    var mv = FloatLanes(repeating: -.infinity)
    while k + w <= v {
        let x = logits(k)
        mv.replace(with: x, where: x .> mv)
        k += w
    }
    var m = mv.max()
    while k < v { if row[k] + bias[k] > m { m = row[k] + bias[k] }; k += 1 }
    mv = FloatLanes(repeating: m)
    var sum = 0.0
    var acc = FloatLanes(repeating: 0)
    var chunk = 0
    k = 0
    while k + w <= v {
        let e = fastExp(logits(k) - mv)
        raw.storeBytes(of: e, toByteOffset: k * bytes, as: FloatLanes.self)
        acc += e
        k += w
        chunk += 1
        if chunk == 256 / w { sum += Double(acc.sum()); acc = FloatLanes(repeating: 0); chunk = 0 }
    }
    sum += Double(acc.sum())
    if k < v {
        var tail = FloatLanes(repeating: -.infinity)
        for i in 0..<(v - k) { tail[i] = row[k + i] + bias[k + i] - m }
        let e = fastExp(tail)
        for i in 0..<(v - k) { row[k + i] = e[i]; sum += Double(e[i]) }
    }
    return (m, sum)
}

@inline(__always)
func scaleRow(_ row: UnsafeMutablePointer<Float>, count v: Int, by s: Float) {
    let raw = UnsafeMutableRawPointer(row)
    let w = FloatLanes.scalarCount, bytes = MemoryLayout<Float>.stride
    var k = 0
    while k + w <= v {
        let x = raw.loadUnaligned(fromByteOffset: k * bytes, as: FloatLanes.self) * s
        raw.storeBytes(of: x, toByteOffset: k * bytes, as: FloatLanes.self)
        k += w
    }
    while k < v { row[k] *= s; k += 1 }
}

/// σ(x) = 1 / (1 + e^{−x}) for 8 Floats, with ``fastExp(_:)``: the gates of every GRU step,
/// where the C library's `expf` per unit cost more than the step's recurrent GEMM. Below
/// x ≈ −87 the true σ is subnormal and e^{−x} is clamped: the result is then some value
/// below 2⁻¹²⁶ (at most 3·10⁻³⁹ off), not the correctly rounded subnormal.
@inline(__always)
func fastSigmoid(_ x: FloatLanes) -> FloatLanes {
    1 / (1 + fastExp(-x))
}

/// tanh x for 8 Floats. For |x| < 0.625 the odd polynomial x + x³·P(x²) of the Cephes
/// library's `tanhf` (minimax on that interval, relative error ~1e-7), where the exponential
/// form would lose the low digits to cancellation; beyond it 1 − 2/(e^{2|x|} + 1) with
/// ``fastExp(_:)`` (which saturates to 1), computed for |x| and given x's sign. NaN in, NaN out.
@inline(__always)
func fastTanh(_ x: FloatLanes) -> FloatLanes {
    let signMask = SIMD8<UInt32>(repeating: 0x8000_0000)
    let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
    let ax = unsafeBitCast(bits & ~signMask, to: FloatLanes.self)
    let e = fastExp(ax + ax)
    let far = 1 - 2 / (e + 1)
    let s = ax * ax
    var p = s * -5.704_988_727_45e-3 + 2.063_908_879_54e-2
    p = p * s - 5.373_971_555_31e-2
    p = p * s + 1.333_144_220_36e-1
    p = p * s - 3.333_328_194_22e-1
    let near = (p * s) * ax + ax
    // tanh |x| ≥ 0, then x's sign (so tanh(−0) = −0).
    let magnitude = far.replacing(with: near, where: ax .< 0.625)
    return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | (bits & signMask), to: FloatLanes.self)
}

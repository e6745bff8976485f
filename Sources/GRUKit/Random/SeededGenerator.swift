import RealModule

/// A seeded, reproducible random number generator: xoshiro256** (Blackman & Vigna 2018)
/// whose 256-bit state is filled from the 64-bit seed by SplitMix64.
///
/// The same seed yields the same sequence on every run and every machine; no global state
/// is touched. Conforms to `RandomNumberGenerator`, so `Int.random(in:using:)` and
/// `shuffle(using:)` work with it too.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    /// A spare standard normal from the last Box–Muller pair.
    private var spareNormal: Double?

    /// A generator whose four state words are the first four outputs of SplitMix64 started at
    /// `seed` (Vigna's recommended seeding: any seed, 0 included, gives a valid non-zero state and
    /// nearby seeds give unrelated streams).
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The complete generator state, for checkpoints: the four xoshiro256** words, then 1 and
    /// the bit pattern of the cached spare normal when there is one (6 words), else 4 words.
    /// `SeededGenerator(state: g.state)` continues exactly where `g` stands.
    public var state: [UInt64] {
        let words = [s.0, s.1, s.2, s.3]
        if let z = spareNormal { return words + [1, z.bitPattern] }
        return words
    }

    /// A generator restored from ``state``; nil when `state` is not 4 or 6 words, when the four
    /// xoshiro words are all zero (a state xoshiro256** never reaches), or when word 4 of a
    /// 6-word state is not 1.
    public init?(state: [UInt64]) {
        guard state.count == 4 || (state.count == 6 && state[4] == 1) else { return nil }
        guard state[0] | state[1] | state[2] | state[3] != 0 else { return nil }
        s = (state[0], state[1], state[2], state[3])
        spareNormal = state.count == 6 ? Double(bitPattern: state[5]) : nil
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = Self.rotl(s.3, 45)
        return result
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// lower + (upper − lower)·u with u = ``nextUniform()``: uniform in the range up to rounding.
    /// For wide or offset ranges the product and sum round, so the result can (rarely) equal the
    /// upper bound; use ``nextUniform()`` when the half-open interval must hold exactly.
    /// Nothing is checked: a range of non-finite width gives ±∞ or NaN.
    public mutating func nextUniform(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
    }

    /// A standard normal draw N(0, 1) by the Box–Muller transform (pairs are cached).
    public mutating func nextNormal() -> Double {
        if let z = spareNormal { spareNormal = nil; return z }
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        let r = (-2 * .log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * .sin(theta)
        return r * .cos(theta)
    }
}


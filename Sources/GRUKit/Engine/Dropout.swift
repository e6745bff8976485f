/// Inverted dropout on a non-recurrent connection: y = m ⊙ x with m_i = 0 with probability p
/// and 1/(1 − p) otherwise, so E[y] = x and evaluation needs no rescaling. Backward multiplies
/// by the same mask. Masks are drawn from a ``SeededGenerator`` (m_i = 0 iff u_i < p, u_i
/// uniform in [0, 1)), or fixed by `fixedMask` (for tests).
///
/// Each training-mode application draws a fresh mask of one uniform per value, in order, so a
/// run is reproduced exactly by the generator's seed (and resumed by its ``SeededGenerator/state``).
public final class Dropout<Scalar: BLASScalar> {
    /// The drop probability p, 0 ≤ p < 1 (0 = identity).
    public let probability: Double
    /// The generator the masks are drawn from: one ``SeededGenerator/nextUniform()`` per value
    /// per training-mode application. Public so that a checkpoint can save and restore it (a
    /// resumed run then draws exactly the masks an uninterrupted one would have drawn).
    public var rng: SeededGenerator
    /// When set, used instead of a random mask (its length must equal the input's).
    public var fixedMask: [Scalar]?
    var mask = RawBuffer<Scalar>(0)
    /// Whether the last `apply` used a mask (training and p > 0, or a fixed mask).
    var active = false

    /// Dropout with drop probability p, masks drawn from `SeededGenerator(seed: seed)`.
    /// - Precondition: 0 ≤ p < 1 (p = 1 would divide by zero in the scale 1/(1 − p)).
    public init(probability: Double, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "Dropout: p must lie in [0, 1), got \(probability)")
        self.probability = probability
        rng = SeededGenerator(seed: seed)
    }

    /// The mask of the last training-mode application (empty when none was used).
    public var lastMask: [Scalar] { active ? mask.array() : [] }

    /// x ← m ⊙ x in place over `count` values; identity when not training (and no fixed mask).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func apply(_ x: UnsafeMutablePointer<Scalar>, count: Int, training: Bool) {
        active = false
        guard training, probability > 0 || fixedMask != nil else { return }
        if mask.count != count { mask = RawBuffer(count) }
        let m = mask.p
        if let f = fixedMask {
            precondition(f.count == count, "Dropout: fixed mask of \(f.count) values for \(count) inputs")
            mask.copy(from: f)
        } else {
            // u = k·2⁻⁵³ with k = next() >> 11 (``SeededGenerator/nextUniform()``), so u < p exactly
            // when k < ⌈p·2⁵³⌉ (p·2⁵³ is exact in Double): the same masks as comparing doubles, with
            // the generator in a local copy (a stored property of a class would be re-read and
            // written back on every draw).
            let keep = Scalar(1 / (1 - probability))
            let cut = UInt64((probability * 0x1p53).rounded(.up))
            var local = rng
            for i in 0..<count { m[i] = local.next() >> 11 < cut ? 0 : keep }
            rng = local
        }
        for i in 0..<count { x[i] *= m[i] }
        active = true
    }

    /// g ← m ⊙ g with the mask of the last `apply` (identity if none was used).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(_ g: UnsafeMutablePointer<Scalar>, count: Int) {
        guard active else { return }
        precondition(mask.count == count, "Dropout.backward: \(count) gradients for a mask of \(mask.count)")
        let m = mask.p
        for i in 0..<count { g[i] *= m[i] }
    }
}

/// A word embedding: the linear map without bias from one-hot ids to vectors, i.e. a row
/// lookup in a V×E matrix stored as PyTorch's `nn.Embedding.weight`, optionally followed by a
/// constant output scale (the paper multiplies the embedding by 0.01, the-paper §4).
///
///     y_i = s · E[id_i, :]          ∂loss/∂E[v, :] = s · Σ_{i : id_i = v} ∂loss/∂y_i
///
/// Backward is a scatter-add into the rows used; rows not used get a zero gradient.
public final class Embedding<Scalar: BLASScalar> {
    /// E, V×E (`encoder.weight` in PyTorch's word-language-model naming).
    public let weight: Parameter<Scalar>
    /// The output scale s (1 for a plain embedding, 0.01 in the paper).
    public let scale: Scalar
    /// V, the number of token ids (rows of E); valid ids are 0..<V.
    public var vocabularySize: Int { weight.value.rows }
    /// E, the length of each embedding vector (columns of E).
    public var embeddingSize: Int { weight.value.cols }
    /// The trainable parameters: E alone (the scale s is a constant, not trained).
    public var parameters: [Parameter<Scalar>] { [weight] }
    /// rowStamp[r] == stamp marks row r as already listed in this backward pass.
    var rowStamp: [UInt32] = []
    var stamp: UInt32 = 0

    /// How the embedding matrix is initialised.
    public enum Initialization: Sendable, Equatable {
        /// N(0, 1): PyTorch's `nn.Embedding` default (the project's default).
        case standardNormal
        /// U(−a, a): PyTorch's word-language-model example uses a = 0.1.
        case uniform(Double)
    }

    /// An embedding with the given V×E matrix (e.g. loaded from a PyTorch state dict), stored as
    /// the parameter `encoder.weight`, and output scale s.
    /// - Precondition: V ≥ 1 and E ≥ 1.
    public init(weight: Matrix<Scalar>, scale: Scalar = 1) {
        precondition(weight.rows > 0 && weight.cols > 0, "Embedding: empty weight \(weight.rows)×\(weight.cols)")
        self.weight = Parameter(name: "encoder.weight", value: weight)
        self.scale = scale
    }

    /// A V×E embedding drawn with `initialization` from `rng`, entry by entry in row-major
    /// order (V·E draws, so the generator's later draws depend on V and E).
    /// - Precondition: V ≥ 1 and E ≥ 1.
    public convenience init(vocabularySize: Int, embeddingSize: Int, scale: Scalar = 1,
                            initialization: Initialization = .standardNormal, rng: inout SeededGenerator) {
        let w: Matrix<Scalar>
        switch initialization {
        case .standardNormal: w = .randomNormal(rows: vocabularySize, cols: embeddingSize, using: &rng)
        case .uniform(let a): w = .randomUniform(rows: vocabularySize, cols: embeddingSize, bound: Scalar(a), using: &rng)
        }
        self.init(weight: w, scale: scale)
    }

    /// Checks that every id lies in 0..<V, before any of them is used as a row index.
    /// - Parameters:
    ///   - ids: the token ids to check.
    ///   - what: how the message names an id (`token`, `input token`, `target token`).
    /// - Throws: ``ModelInputError/tokenOutOfRange(what:position:token:vocabularySize:)`` for the
    ///   first id outside 0..<V, with its position in `ids`.
    public func validate(_ ids: [Int32], what: String = "token") throws {
        let v = vocabularySize
        if let i = ids.firstIndex(where: { $0 < 0 || Int($0) >= v }) {
            throw ModelInputError.tokenOutOfRange(what: what, position: i, token: Int(ids[i]), vocabularySize: v)
        }
    }

    /// y = s · E[ids] as a (count)×E matrix. Precondition: ids in 0..<V (see ``validate(_:what:)``);
    /// checked, so an id outside the vocabulary stops with a message instead of reading outside E.
    public func forward(_ ids: [Int32]) -> Matrix<Scalar> {
        precondition((try? validate(ids)) != nil, "Embedding.forward: an id lies outside 0..<\(vocabularySize)")
        var y = Matrix<Scalar>(rows: ids.count, cols: embeddingSize)
        ids.withUnsafeBufferPointer { p in
            y.elements.withUnsafeMutableBufferPointer { forward(ids: p.baseAddress!, count: ids.count, into: $0.baseAddress!) }
        }
        return y
    }

    /// Sets ∂loss/∂E from G = ∂loss/∂y ((count)×E): ∂loss/∂E[v, :] = s · Σ_{i : id_i = v} G[i, :],
    /// zero for rows no id uses. Returns nothing (ids are not differentiable). The gradient is
    /// stored row-sparse (``Parameter/gradientRows`` lists the rows used).
    /// - Precondition: `outputGradient` is (ids.count)×E and every id lies in 0..<V (checked;
    ///   call ``validate(_:what:)`` first to get an error instead of a stop).
    public func backward(_ ids: [Int32], outputGradient: Matrix<Scalar>) {
        precondition(outputGradient.rows == ids.count && outputGradient.cols == embeddingSize, "Embedding.backward: gradient shape")
        precondition((try? validate(ids)) != nil, "Embedding.backward: an id lies outside 0..<\(vocabularySize)")
        ids.withUnsafeBufferPointer { p in
            outputGradient.elements.withUnsafeBufferPointer { backward(ids: p.baseAddress!, count: ids.count, outputGradient: $0.baseAddress!) }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(ids: UnsafePointer<Int32>, count: Int, into y: UnsafeMutablePointer<Scalar>) {
        let e = embeddingSize, s = scale
        weight.value.elements.withUnsafeBufferPointer { w in
            let w = w.baseAddress!
            for i in 0..<count {
                let src = w + Int(ids[i]) * e, dst = y + i * e
                if s == 1 { dst.update(from: src, count: e) } else { for j in 0..<e { dst[j] = s * src[j] } }
            }
        }
    }

    /// ∂loss/∂E as a row-sparse gradient: only the rows of the ids in the window are written
    /// (and listed in ``Parameter/gradientRows``); the rows the previous window listed are
    /// zeroed first, so every other row stays exactly zero without clearing the whole V×E
    /// matrix each step. When the list is unknown (first call, or the gradient was written by
    /// someone else) the whole matrix is zeroed once.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(ids: UnsafePointer<Int32>, count: Int, outputGradient g: UnsafePointer<Scalar>) {
        let e = embeddingSize, s = scale, v = vocabularySize
        var rows = weight.gradientRows
        weight.gradientRows = nil
        if rowStamp.count != v { rowStamp = [UInt32](repeating: 0, count: v); stamp = 0 }
        stamp &+= 1
        if stamp == 0 { rowStamp.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }; stamp = 1 }
        let current = stamp
        weight.gradient.elements.withUnsafeMutableBufferPointer { gw in
            let gw = gw.baseAddress!
            if let old = rows {
                for r in old { (gw + r * e).update(repeating: 0, count: e) }
            } else {
                gw.update(repeating: 0, count: v * e)
                rows = []
                rows!.reserveCapacity(count)
            }
            rows!.removeAll(keepingCapacity: true)
            rowStamp.withUnsafeMutableBufferPointer { mark in
                for i in 0..<count {
                    let r = Int(ids[i])
                    if mark[r] != current { mark[r] = current; rows!.append(r) }
                    Scalar.axpy(n: e, alpha: s, x: g + i * e, incx: 1, y: gw + r * e, incy: 1)
                }
            }
        }
        weight.gradientRows = rows
    }
}

/// Input a model cannot use, named precisely; thrown before any computation, so the model is
/// unchanged.
public enum ModelInputError: Error, Equatable, CustomStringConvertible {
    /// An id outside 0..<V: `what` names the kind of id (`input token`, `target token`),
    /// `position` its 0-based index in the id array, `token` its value, `vocabularySize` V.
    case tokenOutOfRange(what: String, position: Int, token: Int, vocabularySize: Int)
    /// Arrays or matrices whose sizes do not fit together (e.g. T·B ids that are not a multiple
    /// of the batch size B, or frames with the wrong number of keys); the text names both sizes.
    case shape(String)

    /// One line stating the problem, e.g.
    /// `input token 10000 at position 7 is outside the vocabulary 0..<10000`.
    public var description: String {
        switch self {
        case let .tokenOutOfRange(what, position, token, v):
            return "\(what) \(token) at position \(position) is outside the vocabulary 0..<\(v)"
        case .shape(let m): return m
        }
    }
}

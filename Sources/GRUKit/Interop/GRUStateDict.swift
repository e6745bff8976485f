import Foundation

/// The GRU layers of a PyTorch state dict stored in a safetensors file.
///
/// PyTorch's `nn.GRU` names its parameters `weight_ih_l{k}` (3H×I), `weight_hh_l{k}` (3H×H),
/// `bias_ih_l{k}`, `bias_hh_l{k}` (3H), with `_reverse` appended for the backward direction of a
/// bidirectional GRU, under the module's prefix (`rnn.`, `encoder.gru.`, …); `nn.GRUCell` uses the
/// same names without `_l{k}`. The rows of each are the gate blocks r, z, n in that order, so the
/// candidate's recurrent matrix W_hn (the paper's W_hh) is rows 2H..<3H of `weight_hh`.
public struct GRULayerKeys: Equatable, Sendable {
    /// The module prefix, e.g. "" or "rnn." (everything before `weight_hh`).
    public var prefix: String
    /// The key suffix: "_l0", "_l1_reverse", or "" for a GRUCell.
    public var suffix: String
    /// k of `_l{k}`, or nil for a GRUCell.
    public var layerIndex: Int?
    /// True for the backward direction (`…_reverse`) of a bidirectional GRU.
    public var reverse: Bool
    /// The key of the input weights W_i (3H×I): prefix + `weight_ih` + suffix.
    public var weightIH: String
    /// The key of the recurrent weights W_h (3H×H; rows r, z, n): prefix + `weight_hh` + suffix.
    public var weightHH: String
    /// The key of the input bias (3H), or nil when the file has none (`bias=False`).
    public var biasIH: String?
    /// The key of the recurrent bias (3H), or nil when the file has none. In the reset-after form
    /// its n block, b_hn, sits inside the reset: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).
    public var biasHH: String?
    /// H, the hidden size (columns of `weight_hh`).
    public var hiddenSize: Int
    /// I (the input width of this layer: the data for layer 0, the previous layer's output above).
    public var inputSize: Int

    /// A readable layer name: prefix + "l0", "l1_reverse", or prefix + "cell".
    public var name: String {
        let s = suffix.hasPrefix("_") ? String(suffix.dropFirst()) : suffix
        return prefix + (s.isEmpty ? "cell" : s)
    }

    /// True when the layer has (both) biases.
    public var hasBiases: Bool { biasIH != nil && biasHH != nil }

    /// The rows of `weight_hh` (and entries of the biases) that hold `gate`'s block: W_hn, the
    /// candidate block, is `rows(of: .candidate)` = 2H..<3H (``GateBlock``).
    public func rows(of gate: GateBlock) -> Range<Int> { gate.rows(hiddenSize: hiddenSize) }
}

/// The result of scanning a state dict for GRU layers.
public struct GRUStateDict: Sendable {
    /// The GRU layers found, sorted by prefix, layer index and direction.
    public var layers: [GRULayerKeys]
    /// `weight_hh…` keys that are not GRU layers (an LSTM's 4H×H, a plain RNN's H×H, …), with why.
    public var skipped: [(key: String, reason: String)]

    /// Finds the GRU layers of `file`.
    ///
    /// A key `PREFIX weight_hh SUFFIX` (SUFFIX = `_l{k}`, `_l{k}_reverse` or empty, PREFIX empty or
    /// ending in ".") whose tensor is 3H×H is a GRU layer; its `weight_ih` must then be 3H×I and its
    /// biases, when present, 3H. Rank-2 tensors of another height (4H×H for an LSTM, H×H for an
    /// RNN) are listed in ``skipped``.
    /// - Throws: ``SafetensorsError`` naming the file and key when a 3H×H `weight_hh` has no
    ///   matching `weight_ih` or a parameter of the wrong shape or a non-float dtype.
    public init(_ file: SafetensorsFile) throws {
        layers = []
        skipped = []
        func bad(_ key: String, _ reason: String) -> SafetensorsError {
            SafetensorsError(file: file.source, problem: .unusable(tensor: key, reason: reason))
        }
        for key in file.names {
            guard let parsed = GRUStateDict.parseRecurrentKey(key) else { continue }
            let w = try file.tensor(key)
            guard w.shape.count == 2, w.dtype.isFloatingPoint else {
                skipped.append((key, "shape \(w.shape) of \(w.dtype.rawValue) is not a floating-point matrix"))
                continue
            }
            let (rows, h) = (w.shape[0], w.shape[1])
            guard rows > 0, h > 0 else {
                // Checked first: with H = 0, 0×0 would pass for 4H×H and H×H alike.
                skipped.append((key, "shape \(rows)×\(h) is empty: a GRU's weight_hh is 3H×H with H ≥ 1"))
                continue
            }
            guard rows == 3 * h else {
                let kind = rows == 4 * h ? " (4H×H: an LSTM layer)" : rows == h ? " (H×H: a plain RNN layer)" : ""
                skipped.append((key, "shape \(rows)×\(h) is not 3H×H\(kind)"))
                continue
            }
            let ihKey = parsed.prefix + "weight_ih" + parsed.suffix
            guard let ih = file[ihKey] else { throw bad(key, "a 3H×H GRU weight without its input weight \"\(ihKey)\"") }
            guard ih.shape.count == 2, ih.shape[0] == 3 * h, ih.dtype.isFloatingPoint else {
                throw bad(ihKey, "shape \(ih.shape) of \(ih.dtype.rawValue); a GRU with H = \(h) needs a \(3 * h)×I floating-point matrix")
            }
            var biases: [String?] = []
            for b in ["bias_ih", "bias_hh"] {
                let bKey = parsed.prefix + b + parsed.suffix
                if let t = file[bKey] {
                    guard t.shape == [3 * h], t.dtype.isFloatingPoint else {
                        throw bad(bKey, "shape \(t.shape) of \(t.dtype.rawValue); a GRU with H = \(h) needs \(3 * h) floating-point values")
                    }
                    biases.append(bKey)
                } else {
                    biases.append(nil)
                }
            }
            layers.append(GRULayerKeys(prefix: parsed.prefix, suffix: parsed.suffix, layerIndex: parsed.layer,
                                       reverse: parsed.reverse, weightIH: ihKey, weightHH: key,
                                       biasIH: biases[0], biasHH: biases[1], hiddenSize: h, inputSize: ih.shape[1]))
        }
        layers.sort { ($0.prefix, $0.layerIndex ?? -1, $0.reverse ? 1 : 0) < ($1.prefix, $1.layerIndex ?? -1, $1.reverse ? 1 : 0) }
    }

    /// Splits `PREFIX weight_hh SUFFIX`; nil when `key` is not of that form.
    static func parseRecurrentKey(_ key: String) -> (prefix: String, suffix: String, layer: Int?, reverse: Bool)? {
        guard let r = key.range(of: "weight_hh", options: .backwards) else { return nil }
        let prefix = String(key[..<r.lowerBound])
        guard prefix.isEmpty || prefix.hasSuffix(".") else { return nil }
        var rest = Substring(key[r.upperBound...])
        let suffix = String(rest)
        var reverse = false
        if rest.hasSuffix("_reverse") { reverse = true; rest = rest.dropLast("_reverse".count) }
        if rest.isEmpty { return reverse ? nil : (prefix, suffix, nil, false) }
        guard rest.hasPrefix("_l") else { return nil }
        let digits = rest.dropFirst(2)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(digits) else { return nil }
        return (prefix, suffix, k, reverse)
    }
}

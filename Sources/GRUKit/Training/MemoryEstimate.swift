import Foundation

/// What a training run will ask the allocator for, estimated from its sizes before anything is
/// allocated, so that `--hidden 100000000` or a corpus with millions of distinct words is refused
/// with the estimate instead of ending in `Fatal error: failed to allocate` (or an `Int` overflow)
/// minutes later.
///
/// The estimate counts Float (4-byte) values: the parameters four times (values, gradients, the
/// checkpoint's copy and its serialised bytes) plus the forward/backward workspaces of one T×B
/// window (`GRUWorkspace`, and for the language model the T·B×V logits). It is computed in
/// `Double`, so sizes near `Int.max` give a huge number rather than an overflow trap.
public enum MemoryEstimate {
    /// Bytes per stored value (the training models are `Float`).
    static let scalarBytes = 4.0

    /// Bytes a ``GRULanguageModel`` run needs: vocabulary V, embedding E, hidden H, batch B, window T.
    public static func languageModel(vocabulary v: Int, embedding e: Int, hidden h: Int, batch b: Int, steps t: Int) -> Double {
        let (v, e, h, n) = (Double(v), Double(e), Double(h), Double(b) * Double(t))
        let g = Double(GateBlock.count)  // W_ih and W_hh stack three gate blocks
        let parameters = v * e + g * h * e + g * h * h + 2 * g * h + v * h + v
        let workspace = n * (2 * e + 12 * h + v) + Double(b) * 6 * h
        return scalarBytes * (4 * parameters + workspace)
    }

    /// Bytes a ``GRUSequenceModel`` run needs: `keys` K inputs and outputs, hidden H, batch B,
    /// window T, and the input layer's E (``GRUSequenceModel/InputLayer/size``; nil: no input layer).
    /// With an input layer the GRU's input is E wide instead of K: the parameters are E·K (W_in) +
    /// 3H·E + 3H·H + 6H + K·H + K, and the window's GRU input and its gradient take 2·T·B·E values
    /// instead of 2·T·B·K (the frames, targets and logits stay K wide).
    public static func sequenceModel(keys k: Int, hidden h: Int, batch b: Int, steps t: Int, inputSize e: Int? = nil) -> Double {
        let (k, h, n) = (Double(k), Double(h), Double(b) * Double(t))
        let i = e.map(Double.init) ?? k
        let g = Double(GateBlock.count)
        let parameters = (e == nil ? 0 : i * k) + g * h * i + g * h * h + 2 * g * h + k * h + k
        let workspace = n * (2 * k + 2 * i + 12 * h) + Double(b) * 6 * h
        return scalarBytes * (4 * parameters + workspace)
    }

    /// Bytes the fixed-point finder (`gru inspect`, `gru fixed-points`) keeps for `starts` random
    /// starts of an H-unit layer: every start and its end point, 2·(n + 1)·H doubles, and the
    /// Jacobian workspaces of Newton's method and of the spectral radius, 4·H² doubles.
    public static func fixedPointFinder(starts n: Int, hidden h: Int) -> Double {
        let hh = Double(h)
        return 8 * (2 * (Double(n) + 1) * hh + 4 * hh * hh)
    }

    /// nil when the fixed-point finder fits `budget`; otherwise the message that refuses it, naming
    /// the estimate and `--starts`.
    public static func startsRefusal(starts n: Int, hidden h: Int, budget: Double = budget) -> String? {
        let bytes = fixedPointFinder(starts: n, hidden: h)
        guard bytes > budget else { return nil }
        return "--starts \(n) at H = \(h) would need about \(text(bytes)) of memory, more than the \(text(budget)) this machine "
            + "allows (3/4 of its physical memory); choose fewer --starts"
    }

    /// The most a run may ask for: three quarters of the machine's physical memory (the rest is
    /// the data, the operating system and whatever else runs).
    public static var budget: Double { 0.75 * Double(ProcessInfo.processInfo.physicalMemory) }

    /// nil when `bytes` fits the budget; otherwise the message that refuses the run, naming the
    /// estimate, the budget and the flags that change it (e.g. `--hidden`).
    public static func refusal(bytes: Double, flags: String, budget: Double = budget) -> String? {
        guard bytes > budget else { return nil }
        return "the model would need about \(text(bytes)) of memory (parameters, gradients and workspaces), "
            + "more than the \(text(budget)) this machine allows (3/4 of its physical memory); choose a smaller \(flags)"
    }

    /// Bytes as text with a binary unit: `512 B`, `3.0 KiB`, `1.5 GiB`, `8.0e+06 TiB`.
    public static func text(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var x = bytes, k = 0
        while x >= 1024, k < units.count - 1 { x /= 1024; k += 1 }
        if k == 0 { return String(format: "%.0f B", x) }
        return String(format: x < 1e6 ? "%.1f " : "%.1e ", x) + units[k]
    }
}

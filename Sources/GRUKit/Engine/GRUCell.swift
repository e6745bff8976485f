/// The two forms of the GRU in use: where the reset gate is applied. Both share PyTorch's parameter
/// layout: `weightIH` (3H×I) and `weightHH` (3H×H) with row blocks r, z, n, and optional `biasIH`,
/// `biasHH` (3H each). The one name of the form throughout the package: the engine, the analysis
/// (``InputFreeGRU``), command lines (`--cell reset-after`) and files all use it; the raw value is
/// the spelling on command lines and in logs and checkpoints.
public enum GRUCell: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The reset gate acts *before* the recurrent product (Cho et al. 2014; the paper's form,
    /// the-paper §1):
    ///
    ///     r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
    ///     n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
    ///     h' = z ⊙ h + (1 − z) ⊙ n
    ///
    /// The n block of `weightHH` is the paper's W_hh; the two bias vectors simply add.
    case resetBefore = "reset-before"
    /// The reset gate acts *after* the recurrent product (PyTorch, cuDNN):
    ///
    ///     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
    ///
    /// with r and z as above. PyTorch's `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
    /// `bias_hh_l0` load into this form unchanged.
    case resetAfter = "reset-after"

    public var description: String { rawValue }

    /// The form named `spelling`: the raw value (`reset-after`, `reset-before`) or the camel-case
    /// spelling (`resetAfter`, `resetBefore`) that logs and checkpoints written before the two were
    /// unified carry; nil for anything else.
    public init?(spelling: String) {
        switch spelling {
        case "reset-after", "resetAfter": self = .resetAfter
        case "reset-before", "resetBefore": self = .resetBefore
        default: return nil
        }
    }
}

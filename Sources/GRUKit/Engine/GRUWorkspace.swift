/// Every buffer one forward/backward pass over a T×B window needs, allocated once per shape
/// and reused by every later call of the same shape (no allocation inside a step).
///
/// Layout (all row-major, time-major rows: row t·B + b is stream b at step t):
/// - `x`       (T·B)×I   the window's inputs (backward needs them for ∂W_ih)
/// - `gates`   (T·B)×3H  first the input projections x·W_ihᵀ, then in place the activations r | z | n
/// - `aux`     (T·B)×H   reset-after: W_hn h + b_hn; reset-before: r ⊙ h
/// - `hs`      (T+1)·B×H h_0, h_1, …, h_T (so h_{t−1} for all t is the contiguous block of the first T·B rows)
/// - `gh`      B×3H      the recurrent product of one step (reset-after)
/// - `dOut`    (T·B)×H   ∂loss/∂h_t from above (written by the caller)
/// - `dGx`     (T·B)×3H  ∂loss/∂(input pre-activations), per step
/// - `dGh`     (T·B)×3H  ∂loss/∂(recurrent pre-activations), per step (reset-after only)
/// - `dh`, `carry`, `tmp`  B×H  the running state gradient
/// - `dX`      (T·B)×I   ∂loss/∂x
/// - `ones`    T·B       a vector of ones (bias gradients as one GEMV)
final class GRUWorkspace<S: BLASScalar> {
    let steps: Int, batch: Int, inputSize: Int, hiddenSize: Int
    let x, gates, aux, hs, gh, dOut, dGx, dGh, dh, carry, tmp, dX, ones: RawBuffer<S>

    init(steps T: Int, batch B: Int, inputSize I: Int, hiddenSize H: Int, cell: GRUCell) {
        steps = T; batch = B; inputSize = I; hiddenSize = H
        let n = T * B
        x = RawBuffer(n * I)
        gates = RawBuffer(n * 3 * H)
        aux = RawBuffer(n * H)
        hs = RawBuffer((T + 1) * B * H)
        gh = RawBuffer(B * 3 * H)
        dOut = RawBuffer(n * H)
        dGx = RawBuffer(n * 3 * H)
        dGh = RawBuffer(cell == .resetAfter ? n * 3 * H : 0)
        dh = RawBuffer(B * H)
        carry = RawBuffer(B * H)
        tmp = RawBuffer(B * H)
        dX = RawBuffer(n * I)
        ones = RawBuffer(n)
        ones.p.update(repeating: 1, count: n)
    }

    func matches(steps T: Int, batch B: Int) -> Bool { T == steps && B == batch }
}

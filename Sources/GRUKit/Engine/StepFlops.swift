/// The floating-point operations of one training step of ``GRULanguageModel``, counted from the
/// shapes: the work a step must do, against which its time can be read as GFLOP/s and as a
/// fraction of the machine's peak.
///
/// What is counted: the step's nine matrix products, at 2 FLOPs per multiply-add (the usual
/// convention, so that an m×k by k×n product is 2·m·n·k FLOPs and a machine's peak is 2 × its
/// fused multiply-adds per second). With N = T·B rows (T steps of B streams), V words, E inputs and
/// H hidden units:
///
///     forward   GRU input projection   X·W_ihᵀ          2·N·3H·E
///               GRU recurrence         h·W_hhᵀ, T times  2·N·3H·H   (B rows each)
///               output layer           y·Wᵀ             2·N·H·V
///     backward  output layer ∂y        G·W              2·N·V·H
///               output layer ∂W        Gᵀ·y             2·V·N·H
///               GRU recurrence ∂h      ∂a·W_hh, T times  2·N·3H·H   (B rows each, down to ∂h_0)
///               GRU ∂W_ih              Aᵀ·X             2·3H·N·E
///               GRU ∂W_hh              A_hᵀ·H           2·3H·N·H
///               GRU ∂X                 A·W_ih           2·N·3H·E   (the embedding's gradient needs it)
///
/// so a step is 6·N·H·V + 6·N·3H·(E + H) FLOPs: at the paper's shape (V = 10,000, E = H = 650,
/// B = 20, T = 35) 27.3 GFLOP in the output layer and 10.6 in the GRU, 37.9 in all. Both GRU forms
/// count the same: reset-before splits each recurrent product into a 2H-column and an H-column one
/// (``GRULayer``), which adds up to the same 3H.
///
/// What is not counted, and why: the embedding lookup and its row-sparse gradient (copies and
/// adds of whole rows, no arithmetic to speak of); and the elementwise work — the GRU's gates
/// (about 30 operations per unit and token forward and backward, plus a few transcendental
/// functions), dropout, the softmax and its gradient (a few operations and one exp per logit), the
/// biases and their gradients, and the SGD update (two per parameter). Together these are about
/// 0.2 GFLOP at the paper's shape, most of it the exp of each of the N·V = 7 million logits (N·H is
/// 0.46 million units, the parameters 15.5 million), about half a per cent of the products, and
/// their time is bounded by memory bandwidth, not by arithmetic: counting them would only blur what the fraction of peak measures,
/// how well the products use the cores. Nor is the arithmetic that an implementation adds beyond the
/// shapes (padding, or computing a product twice) counted: it is time spent, not work done. The same
/// count serves any framework that trains this model, so that PyTorch's GFLOP/s and GRUKit's are
/// comparable (`scripts/compare-pytorch.py` repeats the formula).
package struct StepFlops: Sendable, Equatable {
    /// One matrix product of the step: an m×k by k×n product, `calls` times per step.
    package struct Product: Sendable, Equatable {
        /// What the product computes, for tables (`gru-bench --phases`).
        package let name: String
        /// Whether the product reads its first operand transposed, as the engine calls it.
        package let transA: Bool
        /// Whether the product reads its second operand transposed, as the engine calls it.
        package let transB: Bool
        /// Rows of the result: C (m×n) = op(A) (m×k) · op(B) (k×n).
        package let m: Int
        /// Columns of the result.
        package let n: Int
        /// The length of each dot product (the inner dimension).
        package let k: Int
        /// How many times a step computes it (T for the recurrent products, else 1).
        package let calls: Int

        /// 2·m·n·k·calls: one multiply and one add per term of each of the m·n dot products.
        package var flops: Int { 2 * m * n * k * calls }
    }

    /// V, the vocabulary (outputs of the softmax).
    package let vocabularySize: Int
    /// E, the embedding (the GRU's input) size.
    package let embeddingSize: Int
    /// H, the GRU's hidden units.
    package let hiddenSize: Int
    /// B, the parallel streams of a window.
    package let batchSize: Int
    /// T, the steps of a window.
    package let steps: Int

    /// The count for one step with these sizes.
    /// - Precondition: every size positive.
    package init(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, batchSize: Int, steps: Int) {
        precondition(vocabularySize > 0 && embeddingSize > 0 && hiddenSize > 0 && batchSize > 0 && steps > 0,
                     "StepFlops: sizes must be positive")
        self.vocabularySize = vocabularySize; self.embeddingSize = embeddingSize; self.hiddenSize = hiddenSize
        self.batchSize = batchSize; self.steps = steps
    }

    /// The count for one step of a model with `configuration` on windows of `steps` × `batchSize`
    /// tokens (the cell form and the biases do not change it; see above).
    package init<S>(configuration c: GRULanguageModel<S>.Configuration, batchSize: Int, steps: Int) {
        self.init(vocabularySize: c.vocabularySize, embeddingSize: c.embeddingSize, hiddenSize: c.hiddenSize,
                  batchSize: batchSize, steps: steps)
    }

    /// The step's products in the order they run (the reset-after form, as PyTorch computes it).
    package var products: [Product] {
        let v = vocabularySize, e = embeddingSize, h = hiddenSize, b = batchSize, t = steps, n = t * b
        return [
            Product(name: "GRU input projection X·W_ihᵀ", transA: false, transB: true, m: n, n: 3 * h, k: e, calls: 1),
            Product(name: "GRU recurrence h·W_hhᵀ (T calls)", transA: false, transB: true, m: b, n: 3 * h, k: h, calls: t),
            Product(name: "output layer y·Wᵀ", transA: false, transB: true, m: n, n: v, k: h, calls: 1),
            Product(name: "output layer ∂y = G·W", transA: false, transB: false, m: n, n: h, k: v, calls: 1),
            Product(name: "output layer ∂W = Gᵀ·y", transA: true, transB: false, m: v, n: h, k: n, calls: 1),
            Product(name: "GRU recurrence back ∂a·W_hh (T calls)", transA: false, transB: false, m: b, n: h, k: 3 * h, calls: t),
            Product(name: "GRU ∂W_ih = Aᵀ·X", transA: true, transB: false, m: 3 * h, n: e, k: n, calls: 1),
            Product(name: "GRU ∂W_hh = A_hᵀ·H", transA: true, transB: false, m: 3 * h, n: h, k: n, calls: 1),
            Product(name: "GRU ∂X = A·W_ih", transA: false, transB: false, m: n, n: e, k: 3 * h, calls: 1),
        ]
    }

    /// The output layer's three products: 6·N·H·V.
    package var outputLayer: Int { products.filter { $0.name.hasPrefix("output layer") }.reduce(0) { $0 + $1.flops } }
    /// The GRU's six products (input and recurrent, forward and backward): 6·N·3H·(E + H).
    package var gru: Int { products.filter { $0.name.hasPrefix("GRU") }.reduce(0) { $0 + $1.flops } }
    /// All of a step's counted FLOPs: 6·N·H·V + 6·N·3H·(E + H).
    package var total: Int { products.reduce(0) { $0 + $1.flops } }

    /// Achieved GFLOP/s of a step that took `seconds`: ``total`` / seconds / 10⁹.
    package func gigaflopsPerSecond(seconds: Double) -> Double { Double(total) / seconds / 1e9 }
}

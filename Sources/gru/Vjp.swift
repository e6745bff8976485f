import ArgumentParser
import Foundation
import GRUKit

/// `gru vjp`: one GRU layer of a PyTorch model run forward over given inputs, and the
/// vector–Jacobian product of its states with a given cotangent — what
/// `torch.autograd.grad((g * h).sum(), [x, h0, *gru.parameters()])` computes.
struct Vjp: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a GRU layer of a model over x from h0 and write its states and the gradients of Σ g ⊙ h.",
        discussion: """
            INPUTS must hold x (T×B×I, time-major as PyTorch's nn.GRU without batch_first), h0 (B×H, \
            or 1×B×H) and g (T×B×H), in any floating-point dtype. The layer is PyTorch's (reset gate \
            after the recurrent product): r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, \
            n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h. \
            OUT receives h (T×B×H, every state h_1 … h_T) and, for L = Σ g ⊙ h, grad.KEY for each of \
            the layer's parameters KEY as named in MODEL (e.g. grad.weight_hh_l0, grad.rnn.bias_ih_l0), \
            grad.x and grad.h0 (the shape h0 was given in). Everything is computed in double precision \
            from the files' values (F32, F64, F16 or BF16) and written as float32 (--dtype f64 keeps \
            double precision). Layer 0 is used unless --layer says otherwise; for a layer k > 0 x is \
            that layer's input (the states of layer k − 1). Non-finite values in MODEL or INPUTS are \
            rejected. OUT is written to a temporary file and renamed: on any error nothing is written.
            """)

    @Argument(help: "A safetensors file holding a PyTorch state dict with a GRU.")
    var model: String

    @Argument(help: "A safetensors file holding x (T×B×I), h0 (B×H) and g (T×B×H).")
    var inputs: String

    @Option(name: [.short, .customLong("output")], help: "Where to write h and the gradients.")
    var output: String

    @Option(parsing: .unconditional, help: "Which layer k of the GRU (the tensors …weight_hh_l{k}).")
    var layer = 0

    @Option(help: "The module prefix of the GRU (e.g. \"rnn.\") when MODEL holds more than one GRU module.")
    var prefix: String?

    @Option(help: "The dtype of the written tensors: f32 or f64.")
    var dtype: OutputDType = .f32

    enum OutputDType: String, ExpressibleByArgument, CaseIterable {
        case f32, f64
        var safetensors: SafetensorsDType { self == .f32 ? .f32 : .f64 }
    }

    func validate() throws {
        guard layer >= 0 else { throw ValidationError("--layer must be at least 0, got \(layer)") }
        for (path, what) in [(model, "MODEL"), (inputs, "INPUTS")] where Project.sameFile(output, path) {
            throw ValidationError("-o \(output) is \(what); choose another output file")
        }
    }

    func run() throws {
        let modelFile = try SafetensorsFile(contentsOf: URL(fileURLWithPath: model), displayName: model)
        let inputFile = try SafetensorsFile(contentsOf: URL(fileURLWithPath: inputs), displayName: inputs)
        let keys = try GRUVjp.selectLayer(in: modelFile, layer: layer, prefix: prefix)
        let module = try GRUStateDict(modelFile).layers.filter { $0.prefix == keys.prefix }
        let stacked = module.filter { !$0.reverse }.count, reverse = module.contains { $0.reverse }
        let problem = try GRUVjp.read(model: modelFile, layer: keys, inputs: inputFile)
        let result = GRUVjp.compute(problem)
        var out = SafetensorsFile(metadata: ["format": "pt", "layer": keys.weightHH])
        let d = dtype.safetensors
        out["h"] = try SafetensorsTensor(values: result.states, shape: [problem.steps, problem.batch, keys.hiddenSize], dtype: d)
        for (key, values, shape) in result.parameterGradients {
            out["grad." + key] = try SafetensorsTensor(values: values, shape: shape, dtype: d)
        }
        out["grad.x"] = try SafetensorsTensor(values: result.inputGradient, shape: problem.inputShape, dtype: d)
        out["grad.h0"] = try SafetensorsTensor(values: result.initialStateGradient, shape: problem.initialStateShape, dtype: d)
        try out.write(to: URL(fileURLWithPath: output), displayName: output)
        print("\(keys.weightHH.escapingControlCharacters): T = \(problem.steps), B = \(problem.batch), I = \(keys.inputSize), H = \(keys.hiddenSize), "
              + "biases \(keys.biasIH != nil || keys.biasHH != nil ? "yes" : "no"); wrote \(output) (\(out.count) tensors, \(d.rawValue))")
        if stacked > 1 || reverse {
            print("note: the GRU has \(stacked) layer\(stacked == 1 ? "" : "s")\(reverse ? " in each direction" : ""); "
                  + "this is layer \(layer) alone\(reverse ? ", forward direction" : "") (choose another with --layer k)")
        }
    }
}

/// The computation behind `gru vjp`, separate from the command line.
enum GRUVjp {
    struct Problem {
        var keys: GRULayerKeys
        var weightIH: Matrix<Double>, weightHH: Matrix<Double>
        var biasIH: Matrix<Double>?, biasHH: Matrix<Double>?
        var steps: Int, batch: Int
        var x: Matrix<Double>, h0: Matrix<Double>, g: Matrix<Double>
        var inputShape: [Int], initialStateShape: [Int]
    }

    struct Result {
        var states: [Double]
        var parameterGradients: [(key: String, values: [Double], shape: [Int])]
        var inputGradient: [Double]
        var initialStateGradient: [Double]
    }

    /// The forward (not `_reverse`) layer `layer` of the GRU module under `prefix` (or of the only
    /// module that has such a layer). A GRUCell's keys (no `_l{k}`) count as layer 0.
    static func selectLayer(in file: SafetensorsFile, layer: Int, prefix: String?) throws -> GRULayerKeys {
        func fail(_ message: String) -> SafetensorsError { SafetensorsError(file: file.source, problem: .notApplicable(message)) }
        let all = try GRUStateDict(file).layers
        guard !all.isEmpty else { throw fail("no GRU layer found (no 3H×H tensor named …weight_hh_l{k})") }
        let modules = all.filter { prefix == nil || $0.prefix == prefix }
        guard !modules.isEmpty else {
            throw fail("no GRU layer under the prefix \"\(prefix!)\"; GRU modules: \(Set(all.map { "\"\($0.prefix)\"" }).sorted().joined(separator: ", "))")
        }
        let matches = modules.filter { !$0.reverse && ($0.layerIndex ?? 0) == layer }
        guard !matches.isEmpty else {
            let have = modules.filter { !$0.reverse }.map { "\($0.layerIndex ?? 0)" }
            throw fail("no GRU layer \(layer)\(prefix.map { " under \"\($0)\"" } ?? ""); layers present: \(have.joined(separator: ", "))")
        }
        guard matches.count == 1 else {
            throw fail("\(matches.count) GRU modules have a layer \(layer) (\(matches.map { $0.weightHH }.joined(separator: ", "))); "
                       + "choose one with --prefix")
        }
        return matches[0]
    }

    /// Reads and checks the layer's parameters and x, h0, g; every problem names the file, the
    /// tensor, and the expected and actual shapes.
    static func read(model: SafetensorsFile, layer keys: GRULayerKeys, inputs: SafetensorsFile) throws -> Problem {
        let H = keys.hiddenSize, I = keys.inputSize
        func bad(_ file: SafetensorsFile, _ tensor: String, _ reason: String) -> SafetensorsError {
            SafetensorsError(file: file.source, problem: .unusable(tensor: tensor, reason: reason))
        }
        guard I > 0 else { throw bad(model, keys.weightIH, "shape [\(3 * H), 0]: the layer has no inputs") }
        func values(_ file: SafetensorsFile, _ name: String) throws -> (shape: [Int], values: [Double]) {
            guard let t = file[name] else {
                let hint = file.source == inputs.source ? "; INPUTS must hold x (T×B×I), h0 (B×H) and g (T×B×H)" : ""
                throw SafetensorsError(file: file.source, problem: .notApplicable("no tensor named \"\(name)\"\(hint)"))
            }
            guard t.dtype.isFloatingPoint else {
                throw bad(file, name, "has dtype \(t.dtype.rawValue); a floating-point dtype (F32, F64, F16, BF16) is needed")
            }
            let v = t.doubles()
            if let i = v.firstIndex(where: { !$0.isFinite }) {
                throw bad(file, name, "element \(i) (row-major) is \(v[i]); only finite values can be differentiated")
            }
            return (t.shape, v)
        }
        func matrix(_ name: String, rows: Int, cols: Int) throws -> Matrix<Double> {
            let (_, v) = try values(model, name)   // shapes checked by GRUStateDict
            return Matrix(rows: rows, cols: cols, elements: v)
        }
        let wih = try matrix(keys.weightIH, rows: 3 * H, cols: I)
        let whh = try matrix(keys.weightHH, rows: 3 * H, cols: H)
        // PyTorch always has both biases or neither; a file with one of them is run with the
        // other at zero (and only the present one gets a gradient).
        let zeros = Matrix<Double>(rows: 1, cols: 3 * H)
        var bih: Matrix<Double>?, bhh: Matrix<Double>?
        if keys.biasIH != nil || keys.biasHH != nil {
            bih = try keys.biasIH.map { try matrix($0, rows: 1, cols: 3 * H) } ?? zeros
            bhh = try keys.biasHH.map { try matrix($0, rows: 1, cols: 3 * H) } ?? zeros
        }

        func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
        let (xs, xv) = try values(inputs, "x")
        guard xs.count == 3 else {
            throw bad(inputs, "x", "has shape \(shapeText(xs)); expected [T, B, I] with I = \(I) (rank 3, time-major)")
        }
        let (T, B) = (xs[0], xs[1])
        guard xs[2] == I else {
            throw bad(inputs, "x", "has shape \(shapeText(xs)); expected [T, B, I] = [\(T), \(B), \(I)] (\(keys.name) takes I = \(I))")
        }
        guard T > 0, B > 0 else { throw bad(inputs, "x", "has shape \(shapeText(xs)); T and B must be at least 1") }
        let (hs, hv) = try values(inputs, "h0")
        guard hs == [B, H] || hs == [1, B, H] else {
            let stack = hs.count == 3 && Array(hs.dropFirst()) == [B, H] ? "; for a stacked GRU give the chosen layer's initial state alone" : ""
            throw bad(inputs, "h0", "has shape \(shapeText(hs)); expected [B, H] = [\(B), \(H)] (or [1, \(B), \(H)])\(stack)")
        }
        let (gs, gv) = try values(inputs, "g")
        guard gs == [T, B, H] else {
            throw bad(inputs, "g", "has shape \(shapeText(gs)); expected [T, B, H] = [\(T), \(B), \(H)]")
        }
        return Problem(keys: keys, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bhh, steps: T, batch: B,
                       x: Matrix(rows: T * B, cols: I, elements: xv), h0: Matrix(rows: B, cols: H, elements: hv),
                       g: Matrix(rows: T * B, cols: H, elements: gv), inputShape: xs, initialStateShape: hs)
    }

    /// Forward over the window and BPTT with ∂L/∂h_t = g_t, in double precision
    /// (`GRULayer<Double>`, reset-after form). A T×B×I array in row-major order is exactly the
    /// layer's time-major (T·B)×I matrix, so no data is reordered.
    static func compute(_ p: Problem) -> Result {
        let layer = GRULayer<Double>(weightIH: p.weightIH, weightHH: p.weightHH, biasIH: p.biasIH, biasHH: p.biasHH, cell: .resetAfter)
        let h = layer.forward(p.x, initialState: p.h0)
        let (dx, dh0) = layer.backward(outputGradient: p.g)
        let H = p.keys.hiddenSize
        var grads: [(String, [Double], [Int])] = [
            (p.keys.weightIH, layer.weightIH.gradient.elements, [3 * H, p.keys.inputSize]),
            (p.keys.weightHH, layer.weightHH.gradient.elements, [3 * H, H]),
        ]
        if let k = p.keys.biasIH, let b = layer.biasIH { grads.append((k, b.gradient.elements, [3 * H])) }
        if let k = p.keys.biasHH, let b = layer.biasHH { grads.append((k, b.gradient.elements, [3 * H])) }
        return Result(states: h.elements, parameterGradients: grads, inputGradient: dx.elements, initialStateGradient: dh0.elements)
    }
}

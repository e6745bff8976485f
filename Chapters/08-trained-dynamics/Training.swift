import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// What one training step did to the candidate block W_hh (measured around ``GRULanguageModel/trainStep``).
struct StepRecord {
    /// 1-based iteration.
    var iteration: Int
    /// The window's loss (before the update).
    var loss: Double
    /// The global gradient norm before clipping.
    var gradientNorm: Double
    /// σ_1(W_hh) after the step (Double SVD of the Float block).
    var sigma1: Double
    /// ‖W_hh(after) − W_hh(before)‖_F: the whole change of the step.
    var change: Double
    /// ‖change made by the stabiliser itself‖_F: for P_δ and rescaling, the distance from the plain
    /// SGD step's result; for clipping, the part of the step clipping removed; 0 for plain SGD.
    var correction: Double
    /// The stabiliser changed something (clipping scaled the gradient, P_δ or rescaling moved W_hh).
    var acted: Bool
    /// Wall-clock seconds of the whole step (forward, backward, update, stabiliser).
    var seconds: Double
}

/// A language model to analyse: trained here (with its step records) or loaded from a checkpoint.
struct TrainedModel {
    /// Short name, as the run names of chapter 5 spell methods (`sgd`, `clip5`, `project0.2`, …).
    var name: String
    /// The method it was trained with.
    var method: TrainingMethod
    /// The model (Float, as trained).
    var model: GRULanguageModel<Float>
    /// One record per training step (empty for a checkpoint).
    var records: [StepRecord] = []
    /// Validation perplexity after training (nil if it diverged, or for a checkpoint not evaluated).
    var validPerplexity: Double?
    /// Why training stopped early, if it did.
    var diverged: String?

    /// A readable method name for tables and keys.
    var label: String { method.label }
}

/// Trains one model for `epochs` epochs of truncated BPTT with `method`, recording every step; stops
/// at the first non-finite step or a loss above `divergenceLoss` (the state is then kept as it is).
/// The model is chapter 5's (`LanguageModelTask`), so its windows, state carrying and dropout are the same.
func trainModel(method: TrainingMethod, configuration: GRULanguageModel<Float>.Configuration, seed: UInt64,
                train: [Int32], valid: [Int32], learningRate: Double, epochs: Int, divergenceLoss: Double,
                progress: TrainingConsole) throws -> TrainedModel {
    let model = GRULanguageModel<Float>(configuration: configuration, seed: seed)
    let task = try LanguageModelTask(model: model, train: train, valid: valid, test: valid, batchSize: batchSize, steps: bptt)
    var result = TrainedModel(name: method.shortName, method: method, model: model)
    let h = configuration.hiddenSize
    var iteration = 0
    training: for epoch in 1 ... epochs {
        let windows = try task.beginEpoch(epoch)
        progress.beginEpoch()
        var lossSum = 0.0, items = 0
        for w in 0 ..< windows {
            iteration += 1
            let before = model.gru.candidateRecurrentWeight
            let start = MonotonicClock.seconds()
            let (step, n) = try task.trainWindow(w, learningRate: learningRate, method: method)
            let seconds = MonotonicClock.seconds() - start
            if !step.isFinite || !step.loss.isFinite || step.loss > divergenceLoss {
                result.diverged = "iteration \(iteration): loss \(String(format: "%.3g", step.loss)), gradient norm \(String(format: "%.3g", step.gradientNorm))"
                break training
            }
            let after = model.gru.candidateRecurrentWeight
            // The gradient of the block as applied (already scaled when clipping acted).
            let g = Array(model.gru.weightHH.gradient.elements[(2 * h * h) ..< (3 * h * h)])
            var change = 0.0, correction = 0.0, gradientSquares = 0.0
            for i in 0 ..< h * h {
                let b = Double(before.elements[i]), a = Double(after.elements[i]), gi = Double(g[i])
                change += (a - b) * (a - b)
                let sgd = b - learningRate * gi
                correction += (a - sgd) * (a - sgd)
                gradientSquares += gi * gi
            }
            if case .clip(let maxNorm) = method, step.clipped {
                // Clipping scaled the gradient by κ = maxNorm/(‖g‖ + 1e-6): it removed η(1/κ − 1)‖g_W‖_F.
                let kappa = GradientClipping.coefficient(norm: step.gradientNorm, maxNorm: maxNorm) ?? 1
                correction = pow(learningRate * gradientSquares.squareRoot() * (1 / kappa - 1), 2)
            }
            let sigma1 = try after.converted(to: Double.self).spectralNorm()
            // When the stabiliser did not act, what is left of `correction` is Float rounding: 0.
            let acted = step.clipped || step.projected
            result.records.append(StepRecord(iteration: iteration, loss: step.loss, gradientNorm: step.gradientNorm, sigma1: sigma1,
                                             change: change.squareRoot(), correction: acted ? correction.squareRoot() : 0,
                                             acted: acted, seconds: seconds))
            lossSum += step.loss * Double(n); items += n
            progress.update(run: result.name, epoch: epoch, epochs: epochs, window: w + 1, windows: windows, items: items,
                            totalItems: max(items, items * windows / (w + 1)), learningRate: learningRate,
                            meanLoss: lossSum / Double(max(1, items)), metric: { exp($0) }, metricName: "perplexity")
        }
    }
    if result.diverged == nil {
        let loss = try task.evaluate(.valid)
        result.validPerplexity = loss.isFinite ? exp(loss) : nil
        if result.validPerplexity == nil { result.diverged = "the validation loss is \(loss)" }
    }
    model.resetState()
    return result
}

/// The models of chapter 5's checkpoints in `directory` (`NAME.checkpoint.safetensors`), rebuilt from
/// the tensors' shapes and the run's fingerprint (form, embedding scale); a checkpoint whose weights
/// are not finite (a diverged run) is skipped with a note.
func loadCheckpoints(_ directory: URL, vocabulary: Int, report: Report) throws -> [TrainedModel] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { $0.hasSuffix(".checkpoint.safetensors") }.sorted()
    guard !names.isEmpty else { throw ChapterError.message("\(directory.path) holds no NAME.checkpoint.safetensors (chapter 5 writes them to runs/)") }
    var out: [TrainedModel] = []
    for file in names {
        let saved = try Checkpoint(contentsOf: directory.appendingPathComponent(file))
        var settings: [String: String] = [:]
        for line in saved.fingerprint.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { settings[String(kv[0])] = String(kv[1]) }
        }
        let name = String(file.dropLast(".checkpoint.safetensors".count))
        guard let e = saved.parameters["encoder.weight"], let whh = saved.parameters["weight_hh_l0"] else {
            report.note("\(file): not a language-model checkpoint (no encoder.weight or weight_hh_l0); skipped")
            continue
        }
        guard e.rows == vocabulary else {
            throw ChapterError.message("\(file) has a vocabulary of \(e.rows) words, the data \(vocabulary): use the data it was trained on (--data)")
        }
        guard saved.parameters.values.allSatisfy(\.isFinite) else {
            report.note("\(file): its weights are not finite (status \(saved.status)); skipped")
            continue
        }
        let config = GRULanguageModel<Float>.Configuration(
            vocabularySize: e.rows, embeddingSize: e.cols, hiddenSize: whh.cols,
            cell: settings["cell"].flatMap(GRUCell.init(spelling:)) ?? .resetAfter,
            gruBias: saved.parameters["bias_ih_l0"] != nil, dropout: 0,
            embeddingScale: settings["embedding_scale"].flatMap(Double.init) ?? 0.01)
        let model = GRULanguageModel<Float>(configuration: config, seed: 1)
        for p in model.parameters {
            guard let m = saved.parameters[p.name], m.rows == p.value.rows, m.cols == p.value.cols else {
                throw ChapterError.message("\(file): tensor \(p.name) is missing or has another shape")
            }
            p.value = m
        }
        var t = TrainedModel(name: name, method: .none, model: model)
        t.method = methodFromDescription(settings["method"] ?? "sgd")
        if saved.parsedStatus == .diverged { t.diverged = saved.divergedReason ?? "diverged" }
        if let v = saved.validLosses.last { t.validPerplexity = exp(v) }
        out.append(t)
    }
    return out
}

/// The method of a fingerprint's `method=` line (``TrainingMethod/description``'s spelling).
func methodFromDescription(_ text: String) -> TrainingMethod {
    func number(after prefix: String, in s: Substring) -> Double? {
        guard let r = s.range(of: prefix) else { return nil }
        return Double(s[r.upperBound...].prefix { "0123456789.e-+".contains($0) })
    }
    let s = Substring(text)
    let clip = number(after: "clip(", in: s), delta = number(after: "δ=", in: s)
    if text.hasPrefix("rescale"), let delta { return .rescale(delta: delta) }
    if let clip, let delta { return .clipAndProject(maxNorm: clip, delta: delta) }
    if let clip { return .clip(maxNorm: clip) }
    if let delta { return .project(delta: delta) }
    return .none
}

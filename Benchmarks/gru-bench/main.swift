// gru-bench: seconds per training iteration of the paper's PTB language model (forward,
// backward and SGD update, Float32), tokens per second, the step's FLOPs and the fraction of the
// machine's peak they reach (the peak measured in the same run), the cost of one active projection P_δ,
// and the projection's average share of an iteration over a short training run with the
// projection in the loop (on random tokens, or on the first windows of PTB with --data), and
// again in the binding regime (learning rate 10 after a warm-up, so that the constraint
// σ_1(W_hn) ≤ 2 − δ is active on every step).
import ArgumentParser
import Foundation
import GRUKit

struct GRUBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gru-bench",
        abstract: "Time one training iteration of the GRU language model (Float32) and the projection P_δ.",
        discussion: """
        Wall-clock times on a shared machine are noisy: the iteration time reported is the \
        minimum over the timed iterations (the median is reported too), and the 1-minute load \
        average before and after the run is printed with the results.

        flops_per_iteration counts the step's nine matrix products from the shapes, 2 FLOPs per \
        multiply-add (StepFlops in the library says what is counted and why); gflops is that count \
        over the fastest iteration; fraction_of_peak divides it by peak_gflops, measured in the same \
        run by loops of independent vector FMAs on one thread per core, all cores at once, with the \
        fastest instruction set the CPU has (peak_isa; peak_cores threads, each core's rate in \
        peak_gflops_per_core, one core alone in peak_gflops_one_core, every set's rate in \
        peak_gflops_by_isa). --peak-only measures the peak alone.

        projection_share is measured on a short run at --learning-rate, where the projection is \
        mostly skipped by its certificate. projection_share_binding is measured where the \
        constraint binds on every step: a fresh model is trained with project(δ) at \
        --binding-learning-rate (10, the paper's PTB rate) for --binding-warmup untimed iterations \
        (on PTB's windows with --data, else on random tokens), which brings σ_1(W_hn) to the \
        threshold 2 − δ, and the share is the projection's time over the wall time of the next \
        --binding-iterations steps. The warm-up costs about 0.3–0.4 s per iteration at the paper's \
        shape on two cores (about two minutes for the default 300).
        """)

    @Option(help: "GRU form: reset-after (PyTorch/cuDNN) or reset-before (the paper's), as the chapters spell it.")
    var cell: String = GRUCell.resetAfter.rawValue
    @Option(help: "Vocabulary size V (with --data: PTB's own, 10,000).") var vocabulary = 10_000
    @Option(help: "Embedding size E.") var embedding = 650
    @Option(help: "Hidden size H.") var hidden = 650
    @Option(help: "Batch size B.") var batch = 20
    @Option(help: "Steps per window T.") var steps = 35
    @Option(help: "Dropout probability.") var dropout = 0.5
    @Option(help: "BLAS threads.") var threads = 2
    @Option(help: "Timed iterations of plain SGD (the minimum and the median are reported).") var iterations = 10
    @Option(help: "Untimed warm-up iterations.") var warmup = 2
    @Option(help: "Timed calls of one active projection (a matrix with σ_1 > c).") var projections = 10
    @Option(help: "Iterations of the training run with the projection in the loop (0 = none).") var runIterations = 30
    @Option(help: "δ of the projection in the training run (threshold c = 2 − δ).") var delta = 0.2
    @Option(help: "Learning rate of the training run.") var learningRate = 1.0
    @Option(help: ArgumentHelp(
        "Untimed warm-up iterations of the binding run (0 = no binding run).",
        discussion: "The binding run trains a fresh model with project(δ) at --binding-learning-rate; after this warm-up σ_1(W_hn) sits at the threshold, so every step's projection binds. About 0.3–0.4 s per iteration at the paper's shape on two cores."))
    var bindingWarmup = 300
    @Option(help: "Timed iterations of the binding run (projection_share_binding).") var bindingIterations = 40
    @Option(help: "Learning rate of the binding run (the paper's PTB rate).") var bindingLearningRate = 10.0
    @Option(help: "Projection method of the binding run (a ProjectionMethod raw value, e.g. automatic, leadingEigen, warmSubspace).")
    var bindingMethod: String = ProjectionMethod.automatic.rawValue
    @Flag(help: "Only the binding run (skip the plain-SGD timing, the single projections and the short training run).")
    var bindingOnly = false
    @Flag(help: "After the binding run, print the singular values of W_hn above 0.8c and the step sizes seen (diagnostics).")
    var bindingSpectrum = false
    @Option(help: "Data folder holding ptb/ptb.train.txt: the training run uses PTB's first windows instead of random tokens.")
    var data: String?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: ArgumentHelp(
        "Only the plain-SGD timing, with the mean time of each phase of a step, and the step's GEMMs timed alone; skip the projections and the training runs.",
        discussion: "The phases are embedding, GRU forward, output layer, loss, backward and update (StepProfile). The GEMMs alone (the reset-after step's shapes, the fastest of five rounds each) add up to the BLAS floor under the step: what is left above it is everything else the step does."))
    var phases = false
    @Flag(help: "Only time every projection method on H×H test matrices (one and 10 % of the values above c) and exit.")
    var projectionMethods = false
    @Flag(help: ArgumentHelp(
        "Run every part of a step one after the other (the model's runsSideBySide off), to measure what running two parts side by side gains.",
        discussion: "By default, with two BLAS threads or more, the GRU's backward sweep runs on one core beside the output layer's weight gradient on the other (below 768 hidden units), and each core forms half the logits and their loss (below 512)."))
    var oneAfterTheOther = false
    @Flag(help: "Only measure the machine's peak (FMA loops, one thread per core, all cores at once) and exit.")
    var peakOnly = false

    func validate() throws {
        guard Self.form(cell) != nil else {
            throw ValidationError("--cell must be one of \(GRUCell.allCases.map(\.rawValue).joined(separator: ", ")), got '\(cell)'")
        }
        for (name, v) in [("--vocabulary", vocabulary), ("--embedding", embedding), ("--hidden", hidden), ("--batch", batch),
                          ("--steps", steps), ("--threads", threads), ("--iterations", iterations), ("--projections", projections)] where v <= 0 {
            throw ValidationError("\(name) must be positive, got \(v)")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be non-negative, got \(warmup)") }
        guard runIterations >= 0 else { throw ValidationError("--run-iterations must be non-negative, got \(runIterations)") }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1), got \(dropout)") }
        guard delta > 0 && delta < 2 else { throw ValidationError("--delta must lie in (0, 2), got \(delta)") }
        guard learningRate > 0 && learningRate.isFinite else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        guard bindingWarmup >= 0 else { throw ValidationError("--binding-warmup must be non-negative, got \(bindingWarmup)") }
        guard bindingIterations > 0 else { throw ValidationError("--binding-iterations must be positive, got \(bindingIterations)") }
        guard bindingLearningRate > 0 && bindingLearningRate.isFinite else {
            throw ValidationError("--binding-learning-rate must be positive, got \(bindingLearningRate)")
        }
        guard ProjectionMethod(rawValue: bindingMethod) != nil else {
            throw ValidationError("--binding-method must be one of \(ProjectionMethod.allCases.map(\.rawValue).joined(separator: ", ")), got '\(bindingMethod)'")
        }
    }

    /// The GRU form named by `--cell` (`reset-after`, `reset-before`; the camel-case spelling of
    /// older scripts is still accepted).
    static func form(_ name: String) -> GRUCell? {
        GRUCell(spelling: name)
    }

    /// Peak resident memory of this process in MiB (getrusage: ru_maxrss is in KiB on Linux).
    static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// A load average for JSON: two decimals, or null.
    static func loadAverage(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "null" }

    /// The 1-minute load average (/proc/loadavg), or nil where it cannot be read.
    static func loadAverage() -> Double? {
        guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return s.split(separator: " ").first.flatMap { Double($0) }
    }

    /// The CPU's model string (/proc/cpuinfo) and the number of online cores.
    static func cpu() -> (model: String, cores: Int) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let s = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return ("unknown", cores) }
        return (line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces), cores)
    }

    /// The fields of the step's FLOPs and the peak (JSON key, JSON value, table label, table value):
    /// `flops` for one step, `seconds` its fastest time, `peak` nil where no loop could run.
    static func flopFields(_ flops: StepFlops?, seconds: Double?, peak: Peak?) -> [(String, String, String, String)] {
        var rows: [(String, String, String, String)] = []
        if let flops, let seconds {
            let gflops = flops.gigaflopsPerSecond(seconds: seconds)
            rows += [
                ("flops_per_iteration", "\(flops.total)", "FLOPs per iteration (products, counted)",
                 String(format: "%.3g (output layer %.3g, GRU %.3g)", Double(flops.total), Double(flops.outputLayer), Double(flops.gru))),
                ("flops_output_layer", "\(flops.outputLayer)", "", ""),
                ("flops_gru", "\(flops.gru)", "", ""),
                ("gflops", String(format: "%.2f", gflops), "GFLOP/s (fastest iteration)", String(format: "%.1f", gflops)),
            ]
            if let peak {
                rows.append(("fraction_of_peak", String(format: "%.4f", gflops / peak.gflops), "fraction of peak",
                             String(format: "%.1f %%", gflops / peak.gflops * 100)))
            } else {
                rows.append(("fraction_of_peak", "null", "fraction of peak", "unknown (no FMA loop ran)"))
            }
        }
        guard let peak else { return rows + [("peak_gflops", "null", "", "")] }
        let perCore = peak.perCore.map { String(format: "%.2f", $0) }
        let sets = peak.byInstructionSet.map { "\($0.name) \(String(format: "%.1f", $0.gflops))" }.joined(separator: ", ")
        return rows + [
            ("peak_gflops", String(format: "%.2f", peak.gflops), "peak GFLOP/s (FMA loop, all cores at once)",
             String(format: "%.1f: %@ on %d cores, each %@; one core alone %.1f", peak.gflops, peak.instructionSet, peak.cores,
                    perCore.joined(separator: ", "), peak.oneCore)),
            ("peak_cores", "\(peak.cores)", "", ""),
            ("peak_gflops_per_core", "[" + perCore.joined(separator: ", ") + "]", "", ""),
            ("peak_gflops_one_core", String(format: "%.2f", peak.oneCore), "", ""),
            ("peak_isa", "\"\(peak.instructionSet)\"", "  all cores, by instruction set", sets),
            ("peak_gflops_by_isa", "{" + peak.byInstructionSet.map { "\"\($0.name)\": " + String(format: "%.2f", $0.gflops) }.joined(separator: ", ") + "}",
             "", ""),
        ]
    }

    /// What the training run with the projection in the loop measured.
    struct RunSummary {
        var name: String
        var iterations = 0
        var totalSeconds = 0.0
        var projectionSeconds = 0.0
        var skipped = 0, unchanged = 0, projected = 0, clippedTotal = 0
        var firstLoss = 0.0, lastLoss = 0.0
        var share: Double { totalSeconds > 0 ? projectionSeconds / totalSeconds : 0 }
    }

    func trainingRun(form: GRUCell, vocabularySize: Int, windows: (Int) -> ([Int32], [Int32]), name: String) throws -> RunSummary {
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden,
                                                           cell: form, dropout: dropout)
        let model = GRULanguageModel<Float>(configuration: config, seed: seed)
        model.runsSideBySide = !oneAfterTheOther
        var s = RunSummary(name: name)
        for i in 0..<runIterations {
            let (x, y) = windows(i)
            let t0 = MonotonicClock.seconds()
            let r = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: learningRate,
                                        method: .project(delta: delta))
            s.totalSeconds += MonotonicClock.seconds() - t0
            s.iterations += 1
            if i == 0 { s.firstLoss = r.loss }
            s.lastLoss = r.loss
            if let p = r.projection {
                s.projectionSeconds += p.seconds
                switch p.action {
                case .skipped: s.skipped += 1
                case .unchanged: s.unchanged += 1
                case .projected(let k): s.projected += 1; s.clippedTotal += k
                }
            }
        }
        return s
    }

    /// What the binding run measured: the timed iterations after the warm-up.
    struct BindingSummary {
        var run = RunSummary(name: "")
        var warmupSeconds = 0.0
        var projectionMilliseconds: [Double] = []
        var methods: [String: Int] = [:]
        var certificateRejected = 0
        var subspaceIterations = 0
        var sigmaBefore: [Double] = []
        var steps: [Double] = []
        /// The projection's share of an iteration over the timed iterations.
        var share: Double { run.share }
    }

    /// The binding regime: a fresh model trained with project(δ) at --binding-learning-rate for
    /// --binding-warmup untimed iterations (long enough for σ_1(W_hn) to reach c = 2 − δ and stay
    /// there), then --binding-iterations timed ones, each with a projection that clips.
    func bindingRun(form: GRUCell, vocabularySize: Int, windows: (Int) -> ([Int32], [Int32]), name: String) throws -> BindingSummary {
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden,
                                                           cell: form, dropout: dropout)
        let model = GRULanguageModel<Float>(configuration: config, seed: seed)
        model.runsSideBySide = !oneAfterTheOther
        model.optimizer.projectionMethod = ProjectionMethod(rawValue: bindingMethod)!
        var b = BindingSummary()
        b.run.name = name
        let t0 = MonotonicClock.seconds()
        for i in 0..<bindingWarmup {
            let (x, y) = windows(i)
            _ = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: bindingLearningRate, method: .project(delta: delta))
        }
        b.warmupSeconds = MonotonicClock.seconds() - t0
        for j in 0..<bindingIterations {
            let (x, y) = windows(bindingWarmup + j)
            let t1 = MonotonicClock.seconds()
            let r = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: bindingLearningRate, method: .project(delta: delta))
            b.run.totalSeconds += MonotonicClock.seconds() - t1
            b.run.iterations += 1
            if j == 0 { b.run.firstLoss = r.loss }
            b.run.lastLoss = r.loss
            if let s = r.singularValueBeforeProjection { b.sigmaBefore.append(s) }
            if let p = r.projection {
                b.run.projectionSeconds += p.seconds
                b.projectionMilliseconds.append(p.seconds * 1e3)
                b.methods[p.method.rawValue, default: 0] += 1
                if p.certificateRejected { b.certificateRejected += 1 }
                b.subspaceIterations += p.subspaceIterations
                switch p.action {
                case .skipped: b.run.skipped += 1
                case .unchanged: b.run.unchanged += 1
                case .projected(let k): b.run.projected += 1; b.run.clippedTotal += k
                }
            }
            if bindingSpectrum {
                let h = model.gru.hiddenSize
                let g = model.gru.weightHH.gradient.elements[GateBlock.candidate.elements(hiddenSize: h, columns: h)].reduce(0.0) { $0 + Double($1) * Double($1) }
                b.steps.append(bindingLearningRate * g.squareRoot())
            }
        }
        if bindingSpectrum {
            let c = SpectralProjection.threshold(delta: delta)
            let s = try model.gru.candidateBlock.converted(to: Double.self).svd().singularValues
            let top = s.filter { $0 > 0.8 * c }.map { String(format: "%.4f", $0 / c) }
            print("binding run: singular values / c above 0.8 (\(top.count) of \(s.count)): \(top.joined(separator: " "))")
            print("binding run: σ_5, σ_10, σ_20, σ_40, σ_80 / c = " + [4, 9, 19, 39, 79].filter { $0 < s.count }.map { String(format: "%.3f", s[$0] / c) }.joined(separator: ", "))
            print("binding run: ‖η∇W_hn‖_F per step: " + b.steps.map { String(format: "%.3g", $0) }.joined(separator: " "))
            print("binding run: σ_1 before projection / c: " + b.sigmaBefore.map { String(format: "%.4f", $0 / c) }.joined(separator: " "))
        }
        return b
    }

    func run() throws {
        BLAS.threads = threads
        if projectionMethods {
            let timings = try ProjectionCost.measure(n: [hidden], methods: ProjectionMethod.allCases, cases: [.oneAbove, .tenPercentAbove],
                                                     threshold: SpectralProjection.threshold(delta: delta), repeats: projections, seed: seed)
            for t in timings {
                print("\(t.method.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(describing: t.testCase).padding(toLength: 16, withPad: " ", startingAt: 0)) "
                      + String(format: "min %8.2f ms  median %8.2f ms  clipped %d", t.minimumMilliseconds, t.milliseconds, t.clipped))
            }
            print("load average: \(Self.loadAverage().map { String(format: "%.2f", $0) } ?? "unknown")")
            return
        }
        if peakOnly {
            let loadBefore = Self.loadAverage()
            let peak = Peak.measure(cores: Self.cpu().cores)
            let fields = Self.flopFields(nil, seconds: nil, peak: peak)
            let loads = [("load_before", Self.loadAverage(loadBefore)), ("load_after", Self.loadAverage(Self.loadAverage()))]
            if json {
                print("{" + (fields.map { ($0.0, $0.1) } + loads).map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            } else {
                let rows = fields.filter { !$0.2.isEmpty }.map { ($0.2, $0.3) } + [("load average before, after", "\(loads[0].1), \(loads[1].1)")]
                let w = rows.map(\.0.count).max()!
                for (k, v) in rows { print(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
            }
            return
        }
        let form = Self.form(cell)!
        let loadBefore = Self.loadAverage()

        // The data of the training run: PTB's first windows with --data, else random tokens.
        var vocabularySize = vocabulary
        var runName: String
        let n = steps * batch
        var ptbStreams: TokenStreams?
        if let data {
            let ptb = try PennTreebank(directory: DataDirectory(path: data, source: .option))
            vocabularySize = ptb.vocabulary.count
            ptbStreams = try TokenStreams(ptb.train, batchSize: batch)
            runName = "PTB train windows 1–\(runIterations)"
        } else {
            runName = "random tokens"
        }
        var rng = SeededGenerator(seed: seed &+ 100)
        func randomWindow() -> [Int32] { (0..<n).map { _ in Int32(rng.next() % UInt64(vocabularySize)) } }
        let randomWindows = (0..<4).map { _ in (randomWindow(), randomWindow()) }
        var inputs = [Int32](repeating: 0, count: n), targets = [Int32](repeating: 0, count: n)
        func window(_ i: Int) -> ([Int32], [Int32]) {
            guard let streams = ptbStreams else { return randomWindows[i % randomWindows.count] }
            let s = streams.copyWindow(i % streams.windowCount(steps: steps), steps: steps, inputs: &inputs, targets: &targets)
            return s == steps ? (inputs, targets) : (Array(inputs[0..<(s * batch)]), Array(targets[0..<(s * batch)]))
        }

        func load(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "null" }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        // The binding run's fields (JSON key, JSON value, table label, table value).
        func bindingFields(_ b: BindingSummary?) -> [(String, String, String, String)] {
            guard let b else { return [("projection_share_binding", "null", "binding run", "none")] }
            let it = Double(Swift.max(1, b.run.iterations))
            let ms = b.projectionMilliseconds.sorted()
            let description = "\(b.run.iterations) iterations of project(δ = \(delta)) at lr \(bindingLearningRate) with method "
                + "\(bindingMethod) on \(b.run.name), after \(bindingWarmup) untimed warm-up iterations at that rate "
                + String(format: "(%.0f s)", b.warmupSeconds)
            let methods = b.methods.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            let minMs = ms.first ?? 0, medianMs = ms.isEmpty ? 0 : ms.median!
            return [
                ("binding_run", quoted(description), "binding run", description),
                ("projection_share_binding", String(format: "%.4f", b.share), "  projection share of an iteration", String(format: "%.2f %%", b.share * 100)),
                ("binding_seconds_per_iteration", String(format: "%.5f", b.run.totalSeconds / it), "  seconds per iteration (mean)", String(format: "%.4f", b.run.totalSeconds / it)),
                ("binding_projection_ms_mean", String(format: "%.3f", b.run.projectionSeconds / it * 1e3), "  projection ms (mean, median, min)",
                 String(format: "%.2f, %.2f, %.2f", b.run.projectionSeconds / it * 1e3, medianMs, minMs)),
                ("binding_projection_ms_median", String(format: "%.3f", medianMs), "", ""),
                ("binding_projection_ms_min", String(format: "%.3f", minMs), "", ""),
                ("binding_skipped", "\(b.run.skipped)", "  skipped / unchanged / projected", "\(b.run.skipped) / \(b.run.unchanged) / \(b.run.projected)"),
                ("binding_unchanged", "\(b.run.unchanged)", "", ""), ("binding_projected", "\(b.run.projected)", "", ""),
                ("binding_clipped_mean", String(format: "%.2f", Double(b.run.clippedTotal) / it), "  clipped values per step (mean)",
                 String(format: "%.2f", Double(b.run.clippedTotal) / it)),
                ("binding_methods", quoted(methods), "  method that produced each result", methods),
                ("binding_certificate_rejected", "\(b.certificateRejected)", "  warm-subspace certificate rejected", "\(b.certificateRejected)"),
                ("binding_subspace_iterations_mean", String(format: "%.2f", Double(b.subspaceIterations) / it), "  subspace iterations per step (mean)",
                 String(format: "%.2f", Double(b.subspaceIterations) / it)),
                ("binding_loss_first", String(format: "%.4f", b.run.firstLoss), "  loss first → last", String(format: "%.3f → %.3f", b.run.firstLoss, b.run.lastLoss)),
                ("binding_loss_last", String(format: "%.4f", b.run.lastLoss), "", ""),
            ]
        }
        let bindingName = data != nil ? "PTB train windows 1–\(bindingWarmup + bindingIterations)" : "random tokens"
        if bindingOnly {
            let b = try bindingRun(form: form, vocabularySize: vocabularySize, windows: window, name: bindingName)
            let loadAfter = Self.loadAverage()
            let fields = bindingFields(b)
            if json {
                let all = fields.map { ($0.0, $0.1) } + [("peak_rss_mb", String(format: "%.1f", Self.peakResidentMiB())),
                                                         ("load_before", load(loadBefore)), ("load_after", load(loadAfter))]
                print("{" + all.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            } else {
                let rows = fields.filter { !$0.2.isEmpty }.map { ($0.2, $0.3) }
                    + [("peak resident memory, MiB", String(format: "%.1f", Self.peakResidentMiB())),
                       ("load average before, after", "\(load(loadBefore)), \(load(loadAfter))")]
                let w = rows.map(\.0.count).max()!
                for (k, v) in rows { print(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
            }
            return
        }

        // 1. Plain SGD iterations (forward, backward, update), the PyTorch baseline's loop.
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden,
                                                           cell: form, dropout: dropout)
        let model = GRULanguageModel<Float>(configuration: config, seed: seed)
        model.runsSideBySide = !oneAfterTheOther
        var times: [Double] = []
        var lastLoss = 0.0
        for i in 0..<(warmup + iterations) {
            let (x, y) = randomWindows[i % randomWindows.count]
            if i == warmup { model.profile = StepProfile() }
            let t0 = MonotonicClock.seconds()
            let r = try model.trainStep(inputs: x, targets: y, batchSize: batch, learningRate: 0.1)
            let dt = MonotonicClock.seconds() - t0
            lastLoss = r.loss
            if i >= warmup { times.append(dt) }
        }
        let perIteration = times.min()!
        let medianIteration = times.median!
        // The step's FLOPs, and the peak measured now, right after the timed steps.
        let stepFlops = StepFlops(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden, batchSize: batch, steps: steps)
        let peak = Peak.measure(cores: Self.cpu().cores)
        let flopFields = Self.flopFields(stepFlops, seconds: perIteration, peak: peak)
        // The timed iterations' mean time per phase (StepProfile), and the share of each.
        let profile = model.profile!
        let meanIteration = times.reduce(0, +) / Double(times.count)
        let phaseFields: [(String, String, String, String)] = StepProfile.Phase.allCases.map { phase in
            let ms = profile.secondsPerStep(phase) * 1e3
            let key = "phase_" + String(describing: phase).replacingOccurrences(of: "([A-Z])", with: "_$1", options: .regularExpression).lowercased() + "_ms"
            return (key, String(format: "%.3f", ms), "  " + phase.label + ", ms (share)", String(format: "%.2f (%.1f %%)", ms, ms / (meanIteration * 1e3) * 100))
        }
        if phases {
            let products = GEMMFloor.products(v: vocabularySize, e: embedding, h: hidden, b: batch, t: steps)
            let gemmSeconds = GEMMFloor.measure(products)
            let floor = gemmSeconds.reduce(0, +)
            let loadAfter = Self.loadAverage()
            if json {
                var all: [(String, String)] = [
                    ("cell", quoted(form.rawValue)), ("hidden", "\(hidden)"), ("embedding", "\(embedding)"),
                    ("side_by_side", "\(!oneAfterTheOther)"),
                    ("seconds_per_iteration", String(format: "%.5f", perIteration)),
                    ("seconds_per_iteration_mean", String(format: "%.5f", meanIteration)),
                    ("gemm_floor_seconds", String(format: "%.5f", floor)),
                ]
                all += flopFields.map { ($0.0, $0.1) }
                all += phaseFields.map { ($0.0, $0.1) }
                all += [("load_before", load(loadBefore)), ("load_after", load(loadAfter))]
                print("{" + all.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            } else {
                var rows: [(String, String)] = [
                    ("shape (V, E, H, B, T), cell", "\(vocabularySize), \(embedding), \(hidden), \(batch), \(steps), \(form.rawValue)"),
                    ("parts of a step", oneAfterTheOther ? "one after the other" : "side by side where it pays"),
                    ("seconds per iteration (min, mean)", String(format: "%.4f, %.4f", perIteration, meanIteration)),
                ]
                rows += flopFields.filter { !$0.2.isEmpty }.map { ($0.2, $0.3) }
                rows.append(("phases of a step (mean over \(iterations))", ""))
                rows += phaseFields.map { ($0.2, $0.3) }
                rows.append(("GEMMs alone, fastest of 5 (ms per step)", ""))
                for (p, t) in zip(products, gemmSeconds) { rows.append(("  " + p.name, String(format: "%.2f", t * 1e3))) }
                let above = String(format: "%.2f (the fastest step is %.1f %% above it)", floor * 1e3, (perIteration / floor - 1) * 100)
                rows.append(("  sum: the BLAS floor under a step", above))
                rows.append(("load average before, after", "\(load(loadBefore)), \(load(loadAfter))"))
                let w = rows.map(\.0.count).max()!
                for (k, v) in rows { print(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
            }
            return
        }

        // 2. One active projection (σ_1 > c, so nothing can be skipped): the training path's
        //    projector (leading eigenpairs of WᵀW) and the full-SVD reference.
        let c = Float(SpectralProjection.threshold(delta: delta))
        let initial = model.gru.candidateBlock
        // Late in training σ_1 sits just above c after each step: a few values are clipped.
        let sigma1 = try initial.converted(to: Double.self).spectralNorm()
        let nearThreshold = Float(1.02 * Double(c) / sigma1) * initial
        func timeProjection(_ method: ProjectionMethod, _ base: Matrix<Float>) throws -> (ms: Double, clipped: Int) {
            let projector = try SpectralProjector<Float>(n: hidden, threshold: c, method: method)
            var ptimes: [Double] = []
            var clipped = 0
            for _ in 0..<projections {
                var w = base
                projector.resetBound()
                let t0 = MonotonicClock.seconds()
                let report = try projector.project(&w)
                ptimes.append(MonotonicClock.seconds() - t0)
                clipped = report.clippedCount
            }
            return (ptimes.min()! * 1e3, clipped)
        }
        let active = try timeProjection(.automatic, 3 * initial)
        let fullSVD = try timeProjection(.fullSVD, 3 * initial)
        let near = try timeProjection(.automatic, nearThreshold)

        // 3. A training run with the projection in every step.
        let summary = try trainingRun(form: form, vocabularySize: vocabularySize, windows: window, name: runName)

        // 4. The binding regime: the projection clips on every step (projection_share_binding).
        let binding = bindingWarmup > 0 ? try bindingRun(form: form, vocabularySize: vocabularySize, windows: window, name: bindingName) : nil
        let loadAfter = Self.loadAverage()
        let tokensPerSecond = Double(n) / perIteration
        let (cpuModel, cores) = Self.cpu()
        let runDescription = summary.iterations > 0
            ? "\(summary.iterations) iterations of project(δ = \(delta)) at lr \(learningRate) on \(summary.name)"
            : "none"

        if json {
            let head: [(String, String)] = [
                ("cell", quoted(form.rawValue)), ("vocabulary", "\(vocabularySize)"), ("embedding", "\(embedding)"),
                ("hidden", "\(hidden)"), ("batch", "\(batch)"), ("steps", "\(steps)"), ("dropout", "\(dropout)"),
                ("threads", "\(threads)"), ("side_by_side", "\(!oneAfterTheOther)"), ("blas_core", quoted(BLAS.coreName)), ("cpu", quoted(cpuModel)), ("cores", "\(cores)"),
                ("iterations", "\(iterations)"),
                ("seconds_per_iteration", String(format: "%.5f", perIteration)),
                ("seconds_per_iteration_median", String(format: "%.5f", medianIteration)),
                ("tokens_per_second", String(format: "%.1f", tokensPerSecond)),
            ] + flopFields.map { ($0.0, $0.1) } + [
                ("projection_ms", String(format: "%.3f", active.ms)),
                ("projection_full_svd_ms", String(format: "%.3f", fullSVD.ms)),
                ("projection_clipped", "\(active.clipped)"),
                ("projection_near_threshold_ms", String(format: "%.3f", near.ms)),
                ("projection_near_threshold_clipped", "\(near.clipped)"),
                ("projection_share", String(format: "%.4f", summary.share)),
                ("projection_run", quoted(runDescription)),
                ("run_seconds_per_iteration", String(format: "%.5f", summary.iterations > 0 ? summary.totalSeconds / Double(summary.iterations) : 0)),
                ("run_projection_ms_mean", String(format: "%.3f", summary.iterations > 0 ? summary.projectionSeconds / Double(summary.iterations) * 1e3 : 0)),
                ("run_skipped", "\(summary.skipped)"), ("run_unchanged", "\(summary.unchanged)"), ("run_projected", "\(summary.projected)"),
                ("run_first_loss", String(format: "%.4f", summary.firstLoss)), ("run_last_loss", String(format: "%.4f", summary.lastLoss)),
                ("final_loss", String(format: "%.4f", lastLoss)),
            ]
            let phaseJSON: [(String, String)] = phaseFields.map { ($0.0, $0.1) }
            let bindingJSON: [(String, String)] = bindingFields(binding).map { ($0.0, $0.1) }
            let fields: [(String, String)] = head + phaseJSON + bindingJSON + [
                ("peak_rss_mb", String(format: "%.1f", Self.peakResidentMiB())),
                ("load_before", load(loadBefore)), ("load_after", load(loadAfter)),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            let head: [(String, String)] = [
                ("cell", form.rawValue),
                ("shape (V, E, H, B, T)", "\(vocabularySize), \(embedding), \(hidden), \(batch), \(steps)"),
                ("dropout", "\(dropout)"),
                ("CPU, cores", "\(cpuModel), \(cores)"),
                ("BLAS threads, kernels", "\(threads), \(BLAS.coreName)"),
                ("parts of a step", oneAfterTheOther ? "one after the other" : "side by side where it pays"),
                ("iterations", "\(iterations) after \(warmup) warm-up"),
                ("seconds per iteration (min, median)", String(format: "%.4f, %.4f", perIteration, medianIteration)),
                ("tokens per second", String(format: "%.0f", tokensPerSecond)),
            ] + flopFields.filter { !$0.2.isEmpty }.map { ($0.2, $0.3) } + [
                ("phases of a step (mean)", ""),
            ]
            let phaseRows: [(String, String)] = phaseFields.map { ($0.2, $0.3) }
            let rows: [(String, String)] = head + phaseRows + [
                ("one active projection, ms", String(format: "%.2f (full SVD %.2f), %d clipped", active.ms, fullSVD.ms, active.clipped)),
                ("  σ_1 = 1.02c (late training), ms", String(format: "%.2f, %d clipped", near.ms, near.clipped)),
                ("training run", runDescription),
                ("  projection share of an iteration", String(format: "%.2f %%", summary.share * 100)),
                ("  skipped / unchanged / projected", "\(summary.skipped) / \(summary.unchanged) / \(summary.projected)"),
                ("  loss first → last", String(format: "%.3f → %.3f", summary.firstLoss, summary.lastLoss)),
            ] + bindingFields(binding).filter { !$0.2.isEmpty }.map { ($0.2, $0.3) } + [
                ("peak resident memory, MiB", String(format: "%.1f", Self.peakResidentMiB())),
                ("load average before, after", "\(load(loadBefore)), \(load(loadAfter))"),
            ]
            let w = rows.map(\.0.count).max()!
            for (k, v) in rows { print(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
        }
    }
}

// OpenBLAS may not recognise this CPU and fall back to generic SSE3 kernels; restart with
// the AVX2/AVX-512 kernels the CPU supports (unless OPENBLAS_CORETYPE is already set).
BLAS.restartWithRecommendedCoreTypeIfNeeded()
GRUBench.main()

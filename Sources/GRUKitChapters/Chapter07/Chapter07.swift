import ArgumentParser
import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/// Chapter 7, what the projection costs: the timed iterations of the PTB model by method
/// (``Treatment``, ``timeTreatments(_:makeModel:feed:batchSize:iterations:warmup:learningRate:maxNorm:delta:progress:)``),
/// the phases of a step, the automatic projector in training (``ActivityRun``), one projection
/// against n, and their tables, data files and figures.
public enum Chapter07 {}

extension Chapter07 {
    /// The paper's fixed sizes: batch and BPTT window.
    package static let batchSize = 20, bptt = 35
    /// The untimed iterations before the timed ones.
    package static let warmup = 2

    /// The chapter's own options (the core ones are `ChapterOptions` and `DataOptions`).
    package struct Options: ParsableArguments {
        @Option(parsing: .unconditional, help: ArgumentHelp("Timed training iterations per method (quick: 8; paper: 30).", valueName: "n"))
        package var iterations: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("Hidden and embedding size of the timed model.", valueName: "n"))
        package var hidden: Int = 650

        @Option(name: .customLong("activity-iterations"),
                parsing: .unconditional, help: ArgumentHelp("Iterations of each training run with the automatic projector (quick: 200; paper: 1000).", valueName: "n"))
        package var activityIterations: Int?

        @Option(name: .customLong("activity-hidden"),
                parsing: .unconditional, help: ArgumentHelp("Hidden and embedding size of those runs (quick: 128; paper: 650).", valueName: "n"))
        package var activityHidden: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("Learning rates of those runs, comma-separated.", valueName: "list"))
        package var lr = NumberList([1, 40])

        @Option(parsing: .unconditional, help: ArgumentHelp("Sizes n of the projection timing, comma-separated (quick: 64,128,256,512,650; paper: + 1024).",
                                                            valueName: "list"))
        package var sizes: CommaList<Int>?

        @Option(parsing: .unconditional, help: ArgumentHelp("Timed repeats per size and method of the projection timing (quick: 3; paper: 10).", valueName: "n"))
        package var repeats: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("δ of the projection: ‖W_hh‖₂ ≤ 2 − δ.", valueName: "x"))
        package var delta: Double = 0.2

        @Option(parsing: .unconditional, help: ArgumentHelp("Global gradient-norm threshold of the clipping row.", valueName: "x"))
        package var clip: Double = 5

        @Flag(name: .customLong("random-tokens"), help: "Use uniform random tokens even when PTB is available.")
        package var randomTokens = false

        @Option(parsing: .unconditional, help: ArgumentHelp("Vocabulary of the random tokens (with --random-tokens; default 10000).", valueName: "n"))
        package var vocabulary: Int?

        @Option(name: .customLong("from-logs"), help: ArgumentHelp(
            "A folder of paper-scale training logs (NAME.jsonl, e.g. results/ptb-paper): the projection's share of a step in those runs, from how often it changed W_hh.",
            valueName: "dir"))
        package var fromLogs: String?

        /// Every option at its default (required by `ParsableArguments`; the parser fills the options).
        package init() {}

        /// The learning rates of the activity runs.
        package var learningRates: [Double] { lr.values }

        /// The sizes n of the projection timing (`paper`: the paper scale's default).
        package func projectionSizes(paper: Bool) -> [Int] {
            sizes?.values ?? (paper ? [64, 128, 256, 512, 650, 1024] : [64, 128, 256, 512, 650])
        }

        /// Timed iterations per method, iterations and size of the activity runs, and the projection
        /// timing's repeats, at the quick or the paper scale.
        package func timedIterations(paper: Bool) -> Int { iterations ?? (paper ? 30 : 8) }
        package func runIterations(paper: Bool) -> Int { activityIterations ?? (paper ? 1000 : 200) }
        package func runHidden(paper: Bool) -> Int { activityHidden ?? (paper ? 650 : 128) }
        package func timingRepeats(paper: Bool) -> Int { repeats ?? (paper ? 10 : 3) }

        /// The most iterations `--iterations` and `--activity-iterations` accept. The chapter draws the
        /// tokens of every window up front, batch × BPTT = 700 per iteration (2.8 KB as Int32), so the
        /// bound keeps the token buffer within 280 MB and its size far from Int overflow; the paper
        /// scale uses 30 and 1,000.
        package static let maximumIterations = 100_000

        /// Refuses values outside their ranges, naming the flag.
        package func validate() throws {
            for (flag, v) in [("--iterations", iterations), ("--activity-iterations", activityIterations), ("--repeats", repeats)] {
                if let v, v < 1 { throw ValidationError("\(flag) must be at least 1 (got \(v)).") }
            }
            for (flag, v) in [("--iterations", iterations), ("--activity-iterations", activityIterations)] {
                if let v, v > Self.maximumIterations {
                    throw ValidationError("\(flag) must be at most \(Self.maximumIterations) (got \(v)): each iteration's tokens are drawn up front.")
                }
            }
            if let repeats, repeats > 10_000 { throw ValidationError("--repeats must be at most 10000 (got \(repeats)).") }
            for (flag, v) in [("--hidden", Optional(hidden)), ("--activity-hidden", activityHidden)] {
                if let v, !(2...4096).contains(v) { throw ValidationError("\(flag) must lie in 2...4096 (got \(v)).") }
            }
            if lr.values.isEmpty || !lr.values.allSatisfy({ $0 > 0 }) {
                throw ValidationError("--lr must be positive numbers (got '\(lr.text)').")
            }
            if let sizes {
                if sizes.values.isEmpty { throw ValidationError("--sizes: the list is empty; name at least one size.") }
                if let bad = sizes.values.first(where: { !(2...8192).contains($0) }) {
                    throw ValidationError("--sizes: \(bad) lies outside 2…8192 (got '\(sizes.text)').")
                }
            }
            if let problem = SpectralProjection.deltaProblem(delta) { throw ValidationError("--delta \(problem).") }
            if !(clip > 0 && clip.isFinite) { throw ValidationError("--clip must be a positive number (got \(clip)).") }
            if let vocabulary {
                if !randomTokens { throw ValidationError("--vocabulary sets the size of random tokens: add --random-tokens.") }
                if !(2...1_000_000).contains(vocabulary) { throw ValidationError("--vocabulary must lie in 2...1000000 (got \(vocabulary)).") }
            }
        }

        /// Refuses a model that would not fit in memory (PTB's vocabulary is 10,000 words, as is the
        /// random tokens' default), naming the flag.
        package func checkMemory(paper: Bool) throws {
            for (flag, h) in [("--hidden", hidden), ("--activity-hidden", runHidden(paper: paper))] {
                let bytes = MemoryEstimate.languageModel(vocabulary: vocabulary ?? 10_000, embedding: h, hidden: h, batch: batchSize, steps: bptt)
                if let refusal = MemoryEstimate.refusal(bytes: bytes, flags: "\(flag) or --vocabulary") {
                    throw ValidationError("\(flag) \(h): \(refusal).")
                }
            }
        }
    }
}

import Foundation
import XCTest
import GRUKit

/// Small generated data sets for the training chapters, written into a temporary folder laid out
/// as a data directory (`ptb/…`, `nottingham/…`), and helpers to read what the chapters wrote.
enum TrainingFixtures {
    /// A PTB-like corpus: 40 word types, lines of 4–12 words; every type occurs in the training text.
    static func writePTB(in dir: URL, trainLines: Int = 300, evalLines: Int = 40, seed: UInt64 = 7) throws {
        var g = SeededGenerator(seed: seed)
        let words = (0 ..< 40).map { "w\($0)" }
        func lines(_ n: Int, coverAll: Bool) -> String {
            var out = coverAll ? [words.joined(separator: " ")] : []
            for _ in 0 ..< n {
                let k = 4 + Int(g.next() % 9)
                // A Markov-ish text: the next word depends on the previous one, so there is something to learn.
                var w = Int(g.next() % 40)
                var line: [String] = []
                for _ in 0 ..< k { line.append(words[w]); w = (w * 7 + 3 + Int(g.next() % 3)) % 40 }
                out.append(line.joined(separator: " "))
            }
            return out.joined(separator: "\n") + "\n"
        }
        try DataFixtures.write(lines(trainLines, coverAll: true), PennTreebank.trainFile, in: dir)
        try DataFixtures.write(lines(evalLines, coverAll: false), PennTreebank.validFile, in: dir)
        try DataFixtures.write(lines(evalLines, coverAll: false), PennTreebank.testFile, in: dir)
    }

    /// A Nottingham-like data set in the text format: tunes of 20–60 frames.
    static func writeMusic(in dir: URL, train: Int = 12, eval: Int = 4, seed: UInt64 = 8) throws {
        var g = SeededGenerator(seed: seed)
        func tunes(_ n: Int) -> [PianoRoll] {
            (0 ..< n).map { _ in DataFixtures.randomRoll(steps: 20 + Int(g.next() % 41), using: &g) }
        }
        let folder = dir.appendingPathComponent("nottingham")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try MusicText.write(tunes(train), to: folder.appendingPathComponent("train.txt").path)
        try MusicText.write(tunes(eval), to: folder.appendingPathComponent("valid.txt").path)
        try MusicText.write(tunes(eval), to: folder.appendingPathComponent("test.txt").path)
    }

    /// A language model on a random 30-word corpus: an epoch of 10 windows takes milliseconds.
    static func tinyTask(seed: UInt64 = 1) throws -> LanguageModelTask {
        var g = SeededGenerator(seed: 3)
        func tokens(_ n: Int) -> [Int32] { (0 ..< n).map { _ in Int32(g.next() % 30) } }
        let config = GRULanguageModel<Float>.Configuration(vocabularySize: 30, embeddingSize: 6, hiddenSize: 5, dropout: 0.5)
        return try LanguageModelTask(model: GRULanguageModel(configuration: config, seed: seed), train: tokens(300),
                                     valid: tokens(100), test: tokens(100), batchSize: 4, steps: 7)
    }

    /// Three epochs of ``tinyTask(seed:)`` with clipping, named `name`.
    static func tinyConfiguration(_ name: String = "run") -> RunConfiguration {
        RunConfiguration(name: name, method: .clip(maxNorm: 1), schedule: LearningRateSchedule(initial: 1, constantEpochs: 1, decay: 2),
                         epochs: 3, hiddenSize: 5, batchSize: 4, steps: 7, dropout: 0.5, logEvery: 3, divergenceLoss: 100)
    }

    /// The records of `out/runs/NAME.jsonl`.
    static func log(_ out: URL, _ name: String) throws -> [LogRecord] {
        try TrainingLog.records(at: out.appendingPathComponent("runs/\(name).jsonl"))
    }

    /// A record without its wall-clock field (the one field a resumed run may differ in).
    static func withoutSeconds(_ r: LogRecord) -> LogRecord {
        var r = r
        r["seconds"] = nil
        return r
    }

    /// The documented keys of each record type.
    static let keys: [String: [String]] = [
        "run": ["name", "method", "learning_rate", "clip", "delta", "epochs", "seed", "cell", "hidden", "batch", "steps", "dropout", "metric"],
        "iteration": ["iteration", "epoch", "learning_rate", "loss", "mean_loss", "gradient_norm", "max_gradient_norm", "clipped",
                      "projected", "projected_count", "spectral_norm", "spectral_radius", "seconds"],
        "epoch": ["epoch", "iteration", "learning_rate", "train_loss", "valid_loss", "seconds"],
        "diverged": ["epoch", "iteration", "loss", "gradient_norm", "reason", "seconds"],
        "test": ["epoch", "iteration", "test_loss", "seconds"],
        "trace": ["iteration", "epoch", "loss", "gradient_norm", "clipped", "projected"],
    ]

    /// Asserts every record has its type's documented keys and that the log has the expected shape:
    /// a `run` record first, then iterations/epochs, then `test` or `diverged` last.
    static func assertWellFormed(_ records: [LogRecord], metric: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(records.first?.type, "run", file: file, line: line)
        for r in records {
            guard let type = r.type, let expected = keys[type] else { XCTFail("unknown record \(r.json)", file: file, line: line); continue }
            for k in expected where r[k] == nil { XCTFail("\(type) record lacks \"\(k)\": \(r.json)", file: file, line: line) }
            if type == "epoch" { XCTAssertNotNil(r["valid_" + metric], r.json, file: file, line: line) }
            if type == "test" { XCTAssertNotNil(r["test_" + metric], r.json, file: file, line: line) }
        }
        XCTAssertTrue(["test", "diverged"].contains(records.last?.type ?? ""), "last record: \(records.last?.json ?? "none")", file: file, line: line)
    }
}

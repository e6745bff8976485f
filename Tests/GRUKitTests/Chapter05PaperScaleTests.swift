import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport
import GRUKitChapters
import GRUKitPresentation

/// Chapter 5's paper-scale section (`--from-logs DIR`), drawn from a small folder of synthetic logs
/// whose every number is chosen here, so that the table, the .dat files and the comparison with the
/// PyTorch reference can be checked by hand; in process (`Chapter05.PaperScaleSection`).
final class Chapter05PaperScaleTests: XCTestCase {
    /// A log as ``Trainer`` writes it: a header, iteration records, epoch records, and an ending.
    static func log(name: String, cell: String = "resetAfter", lr: Double, epochs: [(valid: Double, seconds: Double)],
                    ending: LogRecord? = nil, method: String = "project(δ=0.2)", clip: Double? = nil, delta: Double? = 0.2,
                    seed: Int = 1) -> String {
        var records = [LogRecord([("type", .string("run")), ("name", .string(name)), ("method", .string(method)),
                                  ("clip", clip.map(JSONValue.number) ?? .null), ("delta", delta.map(JSONValue.number) ?? .null),
                                  ("learning_rate", .number(lr)), ("epochs", .integer(75)), ("seed", .string("\(seed)")),
                                  ("cell", .string(cell)), ("hidden", .integer(650)), ("metric", .string("perplexity"))])]
        var iteration = 0
        for (k, e) in epochs.enumerated() {
            for _ in 0 ..< 2 {
                iteration += 10
                // Two records per epoch, 10 iterations and 3 s apart: 0.3 s per iteration.
                let seconds = (k == 0 ? 0 : epochs[k - 1].seconds) + (iteration % 20 == 10 ? 2 : 5)
                records.append(LogRecord([("type", .string("iteration")), ("iteration", .integer(iteration)), ("epoch", .integer(k + 1)),
                                          ("max_gradient_norm", .number(0.5)), ("spectral_norm", .number(1.8)),
                                          ("spectral_radius", .number(0.9)), ("seconds", .number(seconds))]))
            }
            records.append(LogRecord([("type", .string("epoch")), ("epoch", .integer(k + 1)), ("iteration", .integer(iteration)),
                                      ("learning_rate", .number(lr)), ("train_loss", .number(6)), ("valid_loss", .number(Foundation.log(e.valid))),
                                      ("valid_perplexity", .number(e.valid)), ("seconds", .number(e.seconds))]))
        }
        if let ending { records.append(ending) }
        return records.map(\.json).joined(separator: "\n") + "\n"
    }

    func testSectionFromSyntheticLogsWritesTheTableAndTheData() throws {
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs"), out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        // Two epochs against the reference's 429.7 and 330.0: differences 16.4 % and 21.2 %; epochs of 100 s and 110 s.
        try Self.log(name: "project0.2-lr10", lr: 10, epochs: [(500, 100), (400, 210)])
            .write(to: logs.appendingPathComponent("project0.2-lr10.jsonl"), atomically: true, encoding: .utf8)
        // The paper's form of the same run has no PyTorch reference.
        try Self.log(name: "project0.2-lr10", cell: "resetBefore", lr: 10, epochs: [(450, 90), (350, 200), (300, 330)],
                     ending: LogRecord([("type", .string("test")), ("epoch", .integer(3)), ("test_perplexity", .number(290))]))
            .write(to: logs.appendingPathComponent("project0.2-lr10-reset-before.jsonl"), atomically: true, encoding: .utf8)
        // A divergence in the first epoch.
        try Self.log(name: "sgd-lr10", lr: 10, epochs: [],
                     ending: LogRecord([("type", .string("diverged")), ("epoch", .integer(1)), ("iteration", .integer(17)),
                                        ("reason", .string("the loss is nan"))]))
            .write(to: logs.appendingPathComponent("sgd-lr10.jsonl"), atomically: true, encoding: .utf8)
        // A run at rate 1, outside the dynamics figure of rate 10.
        try Self.log(name: "sgd-lr1", lr: 1, epochs: [(900, 50)])
            .write(to: logs.appendingPathComponent("sgd-lr1.jsonl"), atomically: true, encoding: .utf8)

        // The section needs no data set, only the logs.
        let section = try Chapter05.PaperScaleSection(directory: logs)
        let printed = Printed()
        let output = try ChapterOutput(options: ChapterOptions.parse(["--out", out.path, "--no-render"]), slug: Chapter05.slug)
        XCTAssertEqual(try section.draw(output: output, report: printed.report).map(\.lastPathComponent), ["paper-results.md"])

        let md = try String(contentsOf: out.appendingPathComponent("paper-results.md"), encoding: .utf8)
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
        XCTAssertEqual(rows.count, 5, md) // the header and four runs, in file-name order
        XCTAssertEqual(rows[1], "| project0.2-lr10 | reset-after | 10 | 2 | stopped after epoch 2 | 500.0 | 400.0 | — | — "
                       + "| 400.0 | 400.0 | 429.7, 330.0 | 21.2 % | 105 | 0.300 |")
        XCTAssertEqual(rows[2], "| project0.2-lr10-reset-before | reset-before | 10 | 3 | trained | 450.0 | 350.0 | 300.0 | — "
                       + "| 300.0 | 300.0 | — | — | 110 | 0.300 |")
        XCTAssertEqual(rows[3], "| sgd-lr1 | reset-after | 1 | 1 | stopped after epoch 1 | 900.0 | — | — | — | 900.0 | 900.0 "
                       + "| 945.9 | 4.9 % | 50 | 0.300 |")
        XCTAssertTrue(rows[4].hasPrefix("| sgd-lr10 | reset-after | 10 | 0 | diverged (epoch 1, iteration 17) |"), rows[4])
        XCTAssertTrue(rows[4].contains("blew up at iteration 164"), rows[4])
        XCTAssertTrue(printed.text.contains("PyTorch 429.7, 330.0, 277.2, 246.9"), printed.text)

        // paper-results.dat: one row per run with the same numbers.
        let dat = try String(contentsOf: out.appendingPathComponent("paper-results.dat"), encoding: .utf8)
        let data = dat.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(data.count, 4, dat)
        // run, learning_rate, epochs, diverged, diverged_iteration, valid_1 … valid_4, final, best, seconds_per_epoch,
        // fastest_seconds_per_iteration
        XCTAssertEqual(data[0].count, 13, dat)
        XCTAssertEqual(data[0].map { Double($0) ?? .nan }.prefix(7).map { $0.isNaN ? -1 : $0 }, [1, 10, 2, 0, -1, 500, 400])
        XCTAssertEqual(Double(data[0][11]), 105)
        XCTAssertEqual(Double(data[0][12]), 0.3)
        XCTAssertEqual(data[3].map { Double($0) ?? .nan }.prefix(5).map { $0.isNaN ? -1 : $0 }, [4, 10, 0, 1, 17])

        // The figures: the validation curves with the reference points, and the dynamics of the rate-10 runs only.
        let valid = try String(contentsOf: out.appendingPathComponent("paper-valid-perplexity.gp"), encoding: .utf8)
        XCTAssertTrue(valid.contains("PyTorch: project0.2-lr10") && valid.contains("PyTorch: sgd-lr1"), valid)
        XCTAssertFalse(valid.contains("PyTorch: project0.2-lr10-reset-before"), valid)
        XCTAssertTrue(valid.contains("not on this axis:\\nsgd-lr10 diverged at iteration 17"), valid)
        let dynamics = try String(contentsOf: out.appendingPathComponent("paper-gradient-dynamics.gp"), encoding: .utf8)
        XCTAssertTrue(dynamics.contains("project0.2-lr10-reset-before") && dynamics.contains("sgd-lr10"), dynamics)
        XCTAssertFalse(dynamics.contains("sgd-lr1\""), dynamics)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("paper-gradient-dynamics.dat").path))
        // The divergence at iteration 17 is not in the first tenth of 60 iterations: no zoomed column.
        XCTAssertNil(Chapter05.PaperScaleSection.earlyIterations(section.runs.filter { $0.learningRate == 10 }))
        XCTAssertEqual(section.dynamicsFigure?.layout, Figure.Layout(rows: 3, columns: 1))
        var values = RecordedValues()
        section.record(into: &values)
        XCTAssertEqual(values["paper.sgd-lr1.valid"], "900.0")
        XCTAssertEqual(values["paper.sgd-lr10.outcome"], "diverged (epoch 1, iteration 17)")
    }

    /// The decisive comparison groups the paper form's logs at the largest rate over seeds, cut to the
    /// epochs every surviving run reached, and tests plain SGD's divergences against the projection's.
    func testTheDecisiveComparisonGroupsTheLargestRateOverSeeds() throws {
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs"), out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        func write(_ label: String, _ text: String) throws { try text.write(to: logs.appendingPathComponent(label + ".jsonl"), atomically: true, encoding: .utf8) }
        let diverged = { (i: Int) in LogRecord([("type", .string("diverged")), ("epoch", .integer(1)), ("iteration", .integer(i)), ("reason", .string("nan"))]) }
        for (seed, iteration) in [(1, 164), (2, 677), (3, 90)] {
            try write("sgd-lr10" + (seed == 1 ? "" : "-s\(seed)"), Self.log(name: "sgd-lr10", lr: 10, epochs: [], ending: diverged(iteration),
                                                                           method: "sgd", delta: nil, seed: seed))
        }
        // Three seeds of the projection, one of them a fourth epoch further: every run is cut to three.
        for (seed, finals) in [(1, [430.0, 330, 275]), (2, [428, 329, 280]), (3, [431, 331, 270, 250])] {
            try write("project0.2-lr10" + (seed == 1 ? "" : "-s\(seed)"),
                      Self.log(name: "project0.2-lr10", lr: 10, epochs: finals.enumerated().map { ($0.element, Double(100 * ($0.offset + 1))) }, seed: seed))
        }
        try write("clip0.25-lr10", Self.log(name: "clip0.25-lr10", lr: 10, epochs: [(437, 100), (322, 200), (266, 300)],
                                            method: "clip(0.25)", clip: 0.25, delta: nil))
        // A clip that diverged in epoch 4, after the cut: judged at the cut, where it had trained.
        try write("clip1-lr10", Self.log(name: "clip1-lr10", lr: 10, epochs: [(440, 100), (330, 200), (280, 300)],
                                         ending: LogRecord([("type", .string("diverged")), ("epoch", .integer(4)), ("iteration", .integer(70)),
                                                            ("reason", .string("nan"))]), method: "clip(1.0)", clip: 1, delta: nil))
        // A fourth seed still in its first epoch: nothing to compare yet.
        try write("project0.2-lr10-s4", Self.log(name: "project0.2-lr10", lr: 10, epochs: [], seed: 4))
        // Not in the comparison: the paper's form, and another rate.
        try write("project0.2-lr10-reset-before", Self.log(name: "project0.2-lr10", cell: "reset-before", lr: 10, epochs: [(1, 1), (1, 2), (1, 3)]))
        try write("sgd-lr1", Self.log(name: "sgd-lr1", lr: 1, epochs: [(900, 50), (800, 100), (700, 150)], method: "sgd", delta: nil))

        let section = try Chapter05.PaperScaleSection(directory: logs)
        XCTAssertEqual(Chapter05.PaperScaleSection.method(of: section.runs.first { $0.label == "clip0.25-lr10" }!), .clip(maxNorm: 0.25))
        XCTAssertEqual(section.runs.map(Chapter05.PaperScaleSection.seed(of:)).sorted(), [1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 4])
        // The dynamics figure draws every seed of plain SGD and the first of the rest (the best clip among clips).
        XCTAssertEqual(Chapter05.PaperScaleSection.dynamicsRuns(section.runs.filter { $0.learningRate == 10 }).map(\.label).sorted(),
                       ["clip0.25-lr10", "project0.2-lr10", "project0.2-lr10-reset-before", "sgd-lr10", "sgd-lr10-s2", "sgd-lr10-s3"],
                       "the best clip (c = 0.25, lowest final) and not c = 1, which diverged")
        let d = try XCTUnwrap(section.decisive(baseline: .init(name: "the unigram model", metric: 684.73)))
        XCTAssertEqual(d.epochs, 3)
        XCTAssertEqual(d.learningRate, 10)
        XCTAssertEqual(d.summary.groups.map(\.name), ["sgd-lr10", "clip0.25-lr10", "clip1-lr10", "project0.2-lr10"], "families in order, then knobs")
        XCTAssertEqual(d.summary.groups[2].trained.count, 1, "a divergence after the cut is judged at the cut")
        let projection = d.summary.groups[3]
        XCTAssertEqual(projection.count, 3, "the seed still in its first epoch is left out")
        XCTAssertEqual(projection.trained.count, 3)
        XCTAssertEqual(try XCTUnwrap(projection.finalValid).mean, (275 + 280 + 270) / 3, accuracy: 1e-9, "the fourth epoch is cut off")
        XCTAssertEqual(d.summary.groups[0].divergenceIterations, [164, 677, 90])

        var values = RecordedValues()
        let printed = Printed()
        let output = try ChapterOutput(options: ChapterOptions.parse(["--out", out.path, "--no-render"]), slug: Chapter05.slug)
        let files = try section.drawDecisive(output: output, report: printed.report, baseline: .init(name: "the unigram model", metric: 684.73),
                                             values: &values)
        XCTAssertEqual(files.map(\.lastPathComponent).sorted(), ["paper-decisive.dat", "paper-decisive.md"])
        XCTAssertEqual(values["paper.decisive.sgd.diverged"], "3/3")
        XCTAssertEqual(values["paper.decisive.sgd.iterations"], "164, 677, 90")
        XCTAssertEqual(values["paper.decisive.project.diverged"], "0/3")
        // 3/3 against 0/3: the most extreme of C(6,3) = 20 tables on each side, p = 2/20.
        XCTAssertEqual(values["paper.decisive.fisher_p"], "p = 0.1")
        XCTAssertEqual(values["paper.decisive.clip.best"], "c = 0.25")
        XCTAssertEqual(values["paper.decisive.welch_p"], "—", "one seed of clipping: no t-test")
        XCTAssertTrue(printed.text.contains("Plain SGD diverged in 3/3 seeds, the projection (δ = 0.2) in 0/3"), printed.text)
    }

    /// A divergence in the first iterations of a long run gets a column of its own: the same data blocks,
    /// read again from the data file on iterations 0 … 1.5 × the divergence (rounded up to 50).
    func testAnEarlyDivergenceGetsAZoomedColumn() throws {
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try Self.log(name: "sgd-lr10", lr: 10, epochs: [],
                     ending: LogRecord([("type", .string("diverged")), ("epoch", .integer(1)), ("iteration", .integer(17)),
                                        ("reason", .string("the loss is nan"))]))
            .write(to: logs.appendingPathComponent("sgd-lr10.jsonl"), atomically: true, encoding: .utf8)
        // Sixty epochs of 20 iterations: 1,200 in all.
        try Self.log(name: "project0.2-lr10", lr: 10, epochs: (1 ... 60).map { (valid: 500.0, seconds: Double(100 * $0)) })
            .write(to: logs.appendingPathComponent("project0.2-lr10.jsonl"), atomically: true, encoding: .utf8)
        let section = try Chapter05.PaperScaleSection(directory: logs)
        XCTAssertEqual(Chapter05.PaperScaleSection.earlyIterations(section.runs), 50)
        let figure = try XCTUnwrap(section.dynamicsFigure)
        XCTAssertEqual(figure.layout, Figure.Layout(rows: 3, columns: 2))
        let script = figure.script
        XCTAssertTrue(script.contains("set xrange [0:50]") && script.contains("\"paper-gradient-dynamics.dat\" index 0 "), script)
        // The zoomed panels add no data: the file holds the blocks of the whole run's panels only.
        let blocks = figure.panels.enumerated().filter { $0.offset % 2 == 0 }.flatMap { $0.element.series }
            .filter { if case .data = $0.source { return true } else { return false } }.count
        XCTAssertEqual(figure.dataTable?.blocks.count, blocks)
    }

    func testBadLogFoldersNameTheFileAndLine() throws {
        let dir = try Executables.temporaryDirectory(self)
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        XCTAssertThrowsError(try Chapter05.PaperScaleSection(directory: logs)) { error in
            XCTAssertTrue("\(error)".contains(logs.path) && "\(error)".contains("no training log"), "\(error)")
        }

        let bad = logs.appendingPathComponent("x.jsonl")
        try (Self.log(name: "x", lr: 1, epochs: [(900, 50)]) + "{\"type\":\"epoch\",\"epoch\":2}\n")
            .write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LoggedRun(contentsOf: bad)) { error in
            XCTAssertEqual("\(error)", "\(TrainingError.invalidLog(path: bad.path, line: 5, reason: "an epoch record needs epoch, iteration, learning_rate, train_loss, valid_perplexity and seconds"))")
        }
        try "{\"type\":\"epoch\"}\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LoggedRun(contentsOf: bad)) { error in
            XCTAssertTrue("\(error)".contains(bad.path) && "\(error)".contains("\"run\" header"), "\(error)")
        }

        XCTAssertThrowsError(try Chapter05.Options.parse(["--skip-sweep"])) { error in
            let m = Chapter05.Options.message(for: error)
            XCTAssertTrue(m.contains("--skip-sweep") && m.contains("--from-logs"), m)
        }
    }

    func testResumingARunAtItsStopLimitTrainsNothing() throws {
        let dir = try Executables.temporaryDirectory(self)
        let data = dir.appendingPathComponent("data"), out = dir.appendingPathComponent("out")
        try TrainingFixtures.writePTB(in: data)
        let run = Chapter05Tests.tiny(data, out) + ["--method", "project", "--lr", "1", "--stop-after", "1", "--resume"]
        _ = try Chapter05Tests.train(run)
        let log = out.appendingPathComponent("runs/project0.2-lr1.jsonl")
        let before = try Data(contentsOf: log)
        let again = try Chapter05Tests.train(run)
        XCTAssertTrue(again.printed.text.contains("already stopped after epoch 1"), again.printed.text)
        XCTAssertEqual(try Data(contentsOf: log), before, "a second --stop-after 1 must not train epoch 2")
    }
}

import Foundation
import XCTest
@testable import grukit_book
import GRUKit
import GRUKitChapterSupport

/// The arithmetic of the evidence the training chapters report: intervals over seeds, divergence
/// counts, the per-group gradient norms and the iterations written when a run diverges.
final class EvidenceTests: XCTestCase {
    func testMeanIntervalMatchesAHandComputedExample() throws {
        // 1…5: mean 3, s² = 10/4 = 2.5, s/√5 = 0.707107, t₀.₉₇₅,₄ = 2.776 → half-width 1.962929.
        let m = try XCTUnwrap(MeanInterval([1, 2, 3, 4, 5]))
        XCTAssertEqual(m.mean, 3)
        XCTAssertEqual(m.count, 5)
        XCTAssertEqual(try XCTUnwrap(m.halfWidth), 2.776 * (2.5 / 5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(m.halfWidth), 1.962929, accuracy: 1e-6)
        XCTAssertEqual(m.text(), "3.00 ± 1.96")
        // Non-finite values (a diverged run's metric) are not averaged; one value has no interval.
        let one = try XCTUnwrap(MeanInterval([7, .nan, .infinity]))
        XCTAssertEqual(one.mean, 7)
        XCTAssertNil(one.halfWidth)
        XCTAssertEqual(one.text(), "7.00")
        XCTAssertNil(MeanInterval([]))
        XCTAssertNil(MeanInterval([.nan]))
        // Student's t against tables (and, beyond the table, the exact quantiles to 2·10⁻⁴).
        XCTAssertEqual(MeanInterval.studentT975(degreesOfFreedom: 1), 12.706)
        XCTAssertEqual(MeanInterval.studentT975(degreesOfFreedom: 30), 2.042)
        for (nu, exact) in [(31, 2.039513), (60, 2.000298), (120, 1.979930), (10_000, 1.960201)] {
            XCTAssertEqual(MeanInterval.studentT975(degreesOfFreedom: nu), exact, accuracy: 2e-4, "ν = \(nu)")
        }
    }

    func result(_ name: String, seed: UInt64, lr: Double = 10, method: TrainingMethod = .sgd, status: RunStatus,
                valid: [Double]) -> RunResult {
        let c = RunConfiguration(name: name, method: method, schedule: .paper(initial: lr), epochs: 3, seed: seed,
                                 hiddenSize: 4, batchSize: 2, steps: 3)
        return RunResult(configuration: c, status: status, metricName: "perplexity", trainLosses: valid.map(log),
                         validLosses: valid.map(log), validMetrics: valid, testLoss: nil, testMetric: nil, iterations: 10, seconds: 1)
    }

    func testDivergenceCountsAndIntervalOverTheSeedsThatTrained() throws {
        // Five seeds of plain SGD at rate 10: two diverge, one finishes above the baseline (200),
        // two train, with final perplexities 100 and 110: mean 105, s/√2 = 5, t₀.₉₇₅,₁ = 12.706.
        let runs = [
            result("sgd-lr10-s1", seed: 1, status: .completed, valid: [150, 100]),
            result("sgd-lr10-s2", seed: 2, status: .diverged(epoch: 1, iteration: 61, reason: "x"), valid: []),
            result("sgd-lr10-s3", seed: 3, status: .completed, valid: [300, 250]),
            result("sgd-lr10-s4", seed: 4, status: .diverged(epoch: 2, iteration: 90, reason: "x"), valid: [170]),
            result("sgd-lr10-s5", seed: 5, status: .completed, valid: [120, 110]),
            result("project0.2-lr10", seed: 1, method: .project(delta: 0.2), status: .completed, valid: [90, 80]),
        ]
        let summary = SeedSummary(results: runs, title: "t", baseline: .init(name: "the unigram model", metric: 200))
        XCTAssertEqual(summary.groups.map(\.name), ["sgd-lr10", "project0.2-lr10"])
        let g = summary.groups[0]
        XCTAssertEqual(g.count, 5)
        XCTAssertEqual(g.diverged.count, 2)
        XCTAssertEqual(g.failed.count, 1)
        XCTAssertEqual(g.trained.count, 2)
        XCTAssertEqual(g.divergenceIterations, [61, 90])
        let final = try XCTUnwrap(g.finalValid)
        XCTAssertEqual(final.mean, 105)
        XCTAssertEqual(try XCTUnwrap(final.halfWidth), 12.706 * 5, accuracy: 1e-9)
        // The best of each trained seed: 100 and 110 again.
        XCTAssertEqual(try XCTUnwrap(g.bestValid).mean, 105)
        let md = summary.markdown
        XCTAssertTrue(md.contains("| sgd-lr10 | sgd | 10 | 1,2,3,4,5 | 2/5 | 1/5 | 2/5 | 105.00 ± 63.53 | 105.00 ± 63.53 |"), md)
        XCTAssertTrue(md.contains("| project0.2-lr10 | project(δ=0.2) | 10 | 1 | 0/1 | 0/1 | 1/1 | 80.00 | 80.00 |"), md)
        XCTAssertTrue(summary.sentences[0].contains("2/5 diverged (at iteration 61, 90)"), summary.sentences[0])
        let rows = summary.dataTable.text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rows.count, 2, summary.dataTable.text)  // two configurations (the header is a comment)
    }

    func testTunedComparisonPicksEachMethodsBestKnob() throws {
        let runs = [
            result("clip0.25-lr10", seed: 1, method: .clip(maxNorm: 0.25), status: .completed, valid: [120]),
            result("clip5-lr10", seed: 1, method: .clip(maxNorm: 5), status: .diverged(epoch: 1, iteration: 3, reason: "x"), valid: []),
            result("clip1-lr10", seed: 1, method: .clip(maxNorm: 1), status: .completed, valid: [110]),
            result("project0.5-lr10", seed: 1, method: .project(delta: 0.5), status: .completed, valid: [130]),
            result("project0.1-lr10", seed: 1, method: .project(delta: 0.1), status: .completed, valid: [125]),
        ]
        let tuned = TunedComparison(summary: SeedSummary(results: runs, title: "t", baseline: .init(name: "u", metric: 1000)), title: "tuned")
        let picks = try XCTUnwrap(tuned.entries.first).picks
        XCTAssertEqual(picks.map(\.family), ["clipping", "projection"])
        XCTAssertEqual(picks[0].best.method, .clip(maxNorm: 1))
        XCTAssertEqual(picks[1].best.method, .project(delta: 0.1))
        XCTAssertTrue(tuned.markdown.contains("| 10 | clipping | c = 1 (of c = 0.25; c = 5; c = 1) | 0/1 | 1/1 | 110.00 | 110.00 |"), tuned.markdown)
    }

    func testSeedsFlagParsesCountsAndLists() throws {
        XCTAssertEqual(try TrainingOptions.parseSeeds("3"), [1, 2, 3])
        XCTAssertEqual(try TrainingOptions.parseSeeds("7,2, 9"), [7, 2, 9])
        XCTAssertEqual(try TrainingOptions.parseSeeds("7,"), [7])
        for bad in ["0", "-1", "x", "1,,2", "2,2", "1001", ""] {
            XCTAssertThrowsError(try TrainingOptions.parseSeeds(bad), bad) { XCTAssertTrue("\($0)".contains("--seeds"), "\($0)") }
        }
        let base = RunConfiguration(name: "run", method: .sgd, schedule: .paper(initial: 1), epochs: 1, hiddenSize: 2, batchSize: 1, steps: 1)
        let sweep = Sweep.grid(base: base, methods: [.sgd, .project(delta: 0.2)], learningRates: [1], seeds: [4, 5])
        XCTAssertEqual(sweep.configurations.map(\.name), ["sgd-lr1-s4", "sgd-lr1-s5", "project0.2-lr1-s4", "project0.2-lr1-s5"])
        XCTAssertEqual(sweep.configurations.map(\.seed), [4, 5, 4, 5])
        XCTAssertEqual(Sweep.grid(base: base, methods: [.sgd], learningRates: [1], seeds: [4]).configurations.map(\.name), ["sgd-lr1"])
    }

    func testGroupNormsSumInSquaresToTheGlobalNorm() throws {
        let task = try TrainingTests.tinyTask()
        _ = try task.beginEpoch(1)
        _ = try task.trainWindow(0, learningRate: 1, method: .sgd)
        let groups = GradientGroups(parameters: task.parameters, recurrentName: task.recurrentLayer.weightHH.name)
        XCTAssertEqual(groups.names, ["encoder.weight", "weight_ih_l0", "weight_hh_l0[r]", "weight_hh_l0[z]", "weight_hh_l0[n]",
                                      "decoder.weight", "decoder.bias"])
        var norms = [Double](repeating: 0, count: groups.names.count)
        groups.measure(task.parameters, into: &norms)
        let global = Parameters.gradientNorm(task.parameters)
        XCTAssertGreaterThan(global, 0)
        XCTAssertEqual(norms.reduce(0) { $0 + $1 * $1 }.squareRoot(), global, accuracy: 1e-6 * global)
        // The candidate block alone, by hand in Double.
        let whh = task.recurrentLayer.weightHH.gradient, h = whh.rows / 3
        var squares = 0.0
        for k in 2 * h * whh.cols ..< 3 * h * whh.cols { squares += Double(whh.elements[k]) * Double(whh.elements[k]) }
        let byHand = squares.squareRoot()
        XCTAssertEqual(norms[groups.names.firstIndex(of: "weight_hh_l0[n]")!], byHand, accuracy: 1e-5 * byHand)
    }

    func testTheLogCarriesGroupNormsAndADivergenceWritesTheLastIterations() throws {
        let trainer = TrainingTests.self
        let dir = try Executables.temporaryDirectory(self)
        // Clipped: the logged groups add up to the norm before clipping.
        _ = try Trainer(configuration: trainer.configuration("c", lr: 1, epochs: 1, method: .clip(maxNorm: 1e-3)), task: trainer.tinyTask(),
                        directory: dir).run()
        let records = try TrainingLog.records(at: dir.appendingPathComponent("c.jsonl")).filter { $0.type == "iteration" }
        XCTAssertFalse(records.isEmpty)
        for r in records {
            let norms: [Double] = r.fields.filter { $0.key.hasPrefix("gradient_norm[") }.compactMap { $0.value.double }
            XCTAssertEqual(norms.count, 7, r.json)
            let global = try XCTUnwrap(r.double("gradient_norm"))
            let sum: Double = norms.reduce(0) { $0 + $1 * $1 }
            XCTAssertEqual(sum.squareRoot(), global, accuracy: 1e-5 * global, r.json)
        }
        // Diverged: the iterations before the blow-up are in the log, one `trace` record each, ending at it.
        let r = try Trainer(configuration: trainer.configuration("big", lr: 1e12, method: .sgd), task: trainer.tinyTask(), directory: dir).run()
        guard case .diverged(_, let iteration, _) = r.status else { return XCTFail("\(r.status)") }
        let log = try TrainingLog.records(at: dir.appendingPathComponent("big.jsonl"))
        let trace = log.filter { $0.type == "trace" }
        XCTAssertEqual(trace.count, min(iteration, Trainer.traceLength))
        XCTAssertEqual(trace.compactMap { $0.double("iteration") }, (iteration - trace.count + 1 ... iteration).map(Double.init))
        XCTAssertEqual(log.last?.type, "diverged")
        XCTAssertTrue(trace.allSatisfy { $0["gradient_norm[weight_hh_l0[n]]"] != nil })
    }

    func testTheTraceKeepsTheLastIterationsOldestFirst() {
        var t = IterationTrace(capacity: 3, groups: 1)
        for i in 1 ... 5 { t.record(iteration: i, epoch: 1, loss: Double(i), gradientNorm: 2, groupNorms: [2], clipped: i == 5, projected: false) }
        let r = t.records(keys: ["gradient_norm[a]"])
        XCTAssertEqual(r.compactMap { $0.double("iteration") }, [3, 4, 5])
        XCTAssertEqual(r.last?["clipped"], .bool(true))
        XCTAssertEqual(r.first?.double("gradient_norm[a]"), 2)
    }

    func testATinyMultiSeedSweepTabulatesItsSeeds() throws {
        let dir = try Executables.temporaryDirectory(self)
        try TrainingFixtures.writePTB(in: dir.appendingPathComponent("data"))
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run("ch05-penn-treebank", Array(Chapter05Tests.tiny(dir.appendingPathComponent("data"), out).dropLast(2))
                                    + ["--seeds", "2", "--sweep", "--methods", "none,project", "--lrs", "1e9,1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for name in ["sgd-lr1-s1", "sgd-lr1-s2", "project0.2-lr1-s2", "sgd-lr1000000000-s2"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("runs/\(name).jsonl").path), name)
        }
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("| sgd-lr1000000000 | sgd | 1000000000 | 1,2 | 2/2 | 0/2 | 0/2 | — | — |"), md)
        XCTAssertTrue(md.contains("| sgd-lr1 | sgd | 1 | 1,2 | 0/2 |"), md)
        XCTAssertTrue(r.stdout.contains("2/2 diverged"), r.stdout)
        for fig in ["valid-perplexity", "gradient-dynamics", "gradient-groups"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("\(fig).gp").path), fig)
        }
    }

    func testTheTunedSweepComparesEachMethodsBestKnob() throws {
        let dir = try Executables.temporaryDirectory(self)
        try TrainingFixtures.writePTB(in: dir.appendingPathComponent("data"))
        let out = dir.appendingPathComponent("out")
        let r = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(dir.appendingPathComponent("data"), out)
                                    + ["--tune", "--lrs", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Plain SGD, three thresholds and three δ: seven runs, and the table of the best of each method.
        let runs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).filter { $0.hasSuffix(".jsonl") }
        XCTAssertEqual(Set(runs), ["sgd-lr1.jsonl", "clip0.25-lr1.jsonl", "clip1-lr1.jsonl", "clip5-lr1.jsonl",
                                   "project0.1-lr1.jsonl", "project0.2-lr1.jsonl", "project0.5-lr1.jsonl"])
        let tuned = try String(contentsOf: out.appendingPathComponent("tuned.md"), encoding: .utf8)
        XCTAssertTrue(tuned.contains("| 1 | clipping | c = ") && tuned.contains("(of c = 0.25; c = 1; c = 5)"), tuned)
        XCTAssertTrue(tuned.contains("| 1 | projection | δ = ") && tuned.contains("(of δ = 0.1; δ = 0.2; δ = 0.5)"), tuned)
        XCTAssertTrue(r.stdout.contains("each method's knob tuned per learning rate"), r.stdout)
        // --tune picks the methods itself.
        let clash = try Executables.run("ch05-penn-treebank", Chapter05Tests.tiny(dir.appendingPathComponent("data"), out) + ["--tune", "--clip", "1"])
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertTrue(clash.stderr.contains("--tune"), clash.stderr)
    }

    func testRecordedValuesWeaveAndRefuseNamesNoRunRecorded() throws {
        var v = RecordedValues()
        v["quick.clip5+project0.2-lr40.diverged"] = "2/5"
        v["share"] = "4.93 %"
        XCTAssertEqual(try RecordedValues.weave("a {{05.quick.clip5+project0.2-lr40.diverged}} b {{05.share}}.", values: [5: v]), "a 2/5 b 4.93 %.")
        XCTAssertThrowsError(try RecordedValues.weave("{{05.nope}} {{06.share}} {{x}}", values: [5: v])) { e in
            XCTAssertTrue("\(e)".contains("no recorded value for {{05.nope}}, {{06.share}}, {{x}}"), "\(e)")
        }
        XCTAssertEqual(RecordedValues.placeholders("{{05.a}} and {{07.b.c}}").map { "\($0.chapter):\($0.name)" }, ["5:a", "7:b.c"])
        let dir = try Executables.temporaryDirectory(self)
        let url = try v.write(to: dir)
        XCTAssertEqual(try RecordedValues(contentsOf: url), v)
        try Data("name without a tab\n".utf8).write(to: url)
        XCTAssertThrowsError(try RecordedValues(contentsOf: url)) { XCTAssertTrue("\($0)".contains("values.tsv:1: expected NAME<TAB>VALUE"), "\($0)") }
    }

    /// The ledger page is woven from its template: every placeholder's chapter records values, and the
    /// page has every line of the template that has no placeholder (a page older than its template fails).
    func testTheClaimsLedgerIsWovenFromItsTemplate() throws {
        let root = BookTests.root
        let template = try String(contentsOf: root.appendingPathComponent("book/claims.template.md"), encoding: .utf8)
        let page = try String(contentsOf: root.appendingPathComponent("book/claims.md"), encoding: .utf8)
        XCTAssertFalse(page.contains("{{"), "book/claims.md has an unresolved placeholder")
        // The template's text outside its placeholders and rules ({{…}}, nested, possibly over several
        // lines) must appear in the page as written.
        var fixed = "", rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = Rules.matchingClose(rest, from: open.upperBound) {
            fixed += rest[..<open.lowerBound] + "\u{0}"
            rest = rest[close.upperBound...]
        }
        fixed += rest
        for line in fixed.split(separator: "\n") {
            for piece in line.split(separator: "\u{0}") where piece.trimmingCharacters(in: .whitespaces).count > 3 {
                XCTAssertTrue(page.contains(piece), "book/claims.md is older than its template (run `make book`): missing \"\(piece)\"")
            }
        }
        let chapters = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Chapters").path)
        for chapter in Set(RecordedValues.placeholders(template).map(\.chapter)) {
            let slug = try XCTUnwrap(chapters.first { $0.hasPrefix(String(format: "%02d-", chapter)) }, "no chapter \(chapter)")
            let source = try String(contentsOf: root.appendingPathComponent("Chapters/\(slug)/main.swift"), encoding: .utf8)
            XCTAssertTrue(source.contains("RecordedValues()"), "chapter \(slug) records no values but the ledger cites it")
        }
    }
}

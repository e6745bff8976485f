import Foundation
import XCTest
import GRUKit
import GRUKitChapterSupport

/// The trivial predictors against values computed by hand, and the "failed to learn" outcome they decide.
final class TrivialPredictorTests: XCTestCase {
    func testUnigramPerplexityByHand() {
        // Counts + 1 over V = 3: [3, 2, 1] of 6; scoring [0, 2]: p = ½ and ⅙, perplexity √12.
        let ppl = TrivialPredictor.unigramPerplexity(train: [0, 0, 1], vocabularySize: 3, on: [0, 2])
        XCTAssertEqual(ppl, 12.0.squareRoot(), accuracy: 1e-12)
        // A uniform training set gives perplexity V on anything.
        XCTAssertEqual(TrivialPredictor.unigramPerplexity(train: [0, 1, 2, 3], vocabularySize: 4, on: [3, 3, 1]), 4, accuracy: 1e-12)
        XCTAssertTrue(TrivialPredictor.unigramPerplexity(train: [0], vocabularySize: 2, on: []).isNaN)
    }

    func testKeyFrequencyNLLByHand() {
        // Training targets are frames 1 and 2: key 0 down once, key 1 twice, of 2 frames (+2 smoothing):
        // p0 = 2/4, p1 = 3/4, every other key 1/4.
        let train = PianoRoll(activeNotes: [[26], [21, 22], [22]]) // keys 5; 0, 1; 1 (MIDI 21 is key 0)
        // One target frame with key 0 down: −ln ½ − ln(1 − ¾) − 86 ln(1 − ¼).
        let tune = PianoRoll(activeNotes: [[28], [21]])
        let expected = -log(0.5) - log(0.25) - 86 * log(0.75)
        XCTAssertEqual(TrivialPredictor.keyFrequencyNLL(train: [train], on: [tune]), expected, accuracy: 1e-12)
        XCTAssertTrue(TrivialPredictor.keyFrequencyNLL(train: [train], on: [PianoRoll(activeNotes: [[24]])]).isNaN)
    }

    func testARunThatDoesNotBeatTheBaselineFailedToLearn() {
        let config = RunConfiguration(name: "r", method: .sgd, schedule: .paper(initial: 1), epochs: 2, hiddenSize: 4,
                                      batchSize: 2, steps: 3, dropout: 0)
        func run(_ name: String, _ valid: [Double], _ status: RunStatus) -> RunResult {
            var c = config
            c.name = name
            return RunResult(configuration: c, status: status, metricName: "perplexity", trainLosses: valid.map(log),
                             validLosses: valid.map(log), validMetrics: valid, testLoss: nil, testMetric: nil, iterations: 4, seconds: 1)
        }
        let results = [run("good", [450, 300], .completed), run("bad", [300, 500], .completed), run("equal", [400], .stopped(epoch: 1)),
                       run("boom", [], .diverged(epoch: 1, iteration: 3, reason: "nan"))]
        let table = ResultsTable(results: results, title: "t (ours)", baseline: .init(name: "the unigram model", metric: 400))
        // A stopped run (still running, or --stop-after) is not judged: it has not finished learning.
        XCTAssertEqual(results.map(table.outcome(of:)), ["trained", "failed to learn (not better than the unigram model)",
                                                         "stopped after epoch 1", "diverged (epoch 1, iteration 3)"])
        XCTAssertEqual(table.outcomeSummary, "Diverged: boom. Failed to learn: bad. Trained: good. Stopped: equal.")
        XCTAssertTrue(table.markdown.contains("| bad | sgd | 1 | 2 | failed to learn"), table.markdown)
        // Without a baseline the words are the old ones.
        let plain = ResultsTable(results: results, title: "t (ours)")
        XCTAssertEqual(plain.outcome(of: results[1]), "trained")
        XCTAssertEqual(plain.outcomeSummary, "Diverged: boom. Trained: good, bad. Stopped: equal.")
    }
}

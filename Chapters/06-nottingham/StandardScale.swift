import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

/*:
 ## The standard scale, from logs

 The quick models end near an NLL of 7 against the per-key predictor's 10, far from the 3.2 or so
 that published gated RNNs reach on Nottingham's test split (Chung et al., 2014). The standard scale
 (`--scale standard`) trains the model under the theory's assumptions on the whole data set: a
 200-unit GRU, ten epochs, rates 1, 3 and 10 (at 10 a projected run diverged at once when we chose
 the scale; the grid says how often), three seeds, with clipping and the projection tuned as in chapter 5. The
 grid is to be kept as JSON Lines logs in `results/nottingham-standard/` with the commands that make
 them; this section reads them (`--standard-logs results/nottingham-standard`) without training, and
 prints the best configuration's final NLL against the per-key predictor's. The grid has not been
 trained yet, so the book's run of this chapter does not draw the section (see that folder's README).
 */

/// The standard-scale section of chapter 6: the tuned grid of the model under the theory's
/// assumptions (``GridEvidence``), read from a folder of logs.
struct StandardScaleSection {
    var evidence: GridEvidence

    /// Reads the standard grid's logs in `directory`; the per-key predictor is scored on the whole data set.
    init(directory: URL, music: PolyphonicMusic) throws {
        let setting = NottinghamSetting.at(.standard)
        let sweep = GridEvidence.tunedSweep(hidden: setting.hidden, batch: batchSize, steps: bptt, dropout: 0, epochs: setting.epochs,
                                            clips: setting.clipGrid, deltas: setting.deltaGrid, rates: setting.assumptionRates, seeds: setting.seeds)
        let baseline = TrivialPredictor.keyFrequencyNLL(train: music.train, on: music.valid)
        evidence = try GridEvidence(sweep: sweep, directory: directory,
                                    baseline: ResultsTable.Baseline(name: "per-key frequencies", metric: baseline),
                                    title: "Nottingham, ours (standard setting, under the theory's assumptions): \(setting.seeds) seeds per configuration")
    }

    /// Prints the section, writes its files into `output` and records its values (`standard.*`).
    func draw(output: ChapterOutput, report: Report, values: inout RecordedValues) throws -> [URL] {
        report.section("The standard scale, from logs")
        return try evidence.draw(output: output, report: report, values: &values, prefix: "standard", dataName: "Nottingham",
                                 requiredRatio: 0.5)
    }
}

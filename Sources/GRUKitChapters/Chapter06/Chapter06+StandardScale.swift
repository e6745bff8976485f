import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter06 {
    /// The standard-scale section of chapter 6: the tuned grid of the model under the theory's
    /// assumptions (``GridEvidence``), read from a folder of logs.
    package struct StandardScaleSection {
        package var evidence: GridEvidence

        /// Reads the standard grid's logs in `directory`; the per-key predictor is scored on the whole data set.
        package init(directory: URL, music: PolyphonicMusic) throws {
            let setting = NottinghamSetting.at(.standard)
            let sweep = GridEvidence.tunedSweep(hidden: setting.hidden, batch: Chapter06.batchSize, steps: Chapter06.bptt, dropout: 0, epochs: setting.epochs,
                                                clips: setting.clipGrid, deltas: setting.deltaGrid, rates: setting.assumptionRates, seeds: setting.seeds,
                                                probe: setting.probe)
            let baseline = TrivialPredictor.keyFrequencyNLL(train: music.train, on: music.valid)
            evidence = try GridEvidence(sweep: sweep, directory: directory,
                                        baseline: ResultsTable.Baseline(name: "per-key frequencies", metric: baseline),
                                        title: "Nottingham, ours (standard setting, under the theory's assumptions): \(setting.seeds) seeds per configuration", probe: setting.probe)
        }

        /// Every iteration record of the grid's logs, pooled by method family (``PooledDynamics``).
        package var pooled: PooledDynamics {
            PooledDynamics(groups: PooledDynamics.groups(scale: "standard", runs: evidence.collection.logs))
        }

        /// Prints the section, writes its files into `output` (with the pooled scatter of gradient norm
        /// against ρ(J), `standard-gradient-vs-rho`) and records its values (`standard.*`, the pooled
        /// numbers under `standard.pooled.`).
        package func draw(output: ChapterOutput, report: Report, values: inout RecordedValues) throws -> [URL] {
            report.section("The standard scale, from logs")
            let files = try evidence.draw(output: output, report: report, values: &values, prefix: "standard", dataName: "Nottingham",
                                          requiredRatio: 0.5, tunedSection: "The standard scale, tuned")
            let pool = pooled
            try output.write(pool.figure(name: "standard-gradient-vs-rho", subject: "every record of the Nottingham standard grid"))
            report.note(pool.sentence("Pooled over the standard grid"))
            pool.record(into: &values, prefix: "standard.pooled.")
            return files
        }
    }
}

import Foundation
import GRUKit
import GRUKitChapterSupport
import GRUKitPresentation

extension Chapter05 {
    /// The standard-scale section of chapter 5: the tuned grid's evidence (``GridEvidence``) read from
    /// a folder of logs, its tables, the usable-range figure, and the values the prose cites.
    package struct StandardScaleSection {
        package var evidence: GridEvidence
        package var unigram: Double
        package var trainTokens: Int

        /// Reads the standard grid's logs in `directory`; the unigram model is scored on the whole splits.
        package init(directory: URL, ptb: PennTreebank) throws {
            let setting = PennTreebankSetting.at(.standard)
            let sweep = GridEvidence.tunedSweep(hidden: setting.hidden, batch: Chapter05.batchSize, steps: Chapter05.bptt, dropout: 0.5, epochs: setting.epochs,
                                                clips: setting.clipGrid, deltas: setting.deltaGrid, rates: setting.learningRates, seeds: setting.seeds,
                                                probe: setting.probe)
            trainTokens = ptb.train.count
            let baseline = Chapter05.PaperScaleSection.unigram(ptb: ptb)
            unigram = baseline.metric
            evidence = try GridEvidence(sweep: sweep, directory: directory,
                                        baseline: baseline,
                                        title: "Penn Treebank, ours (standard setting): \(setting.seeds) seeds per configuration", probe: setting.probe)
        }

        /// Prints the section, writes its files into `output` and records its values (`standard.*`).
        package func draw(output: ChapterOutput, report: Report, values: inout RecordedValues) throws -> [URL] {
            report.section("The standard scale, from logs")
            values["standard.unigram"] = String(format: "%.2f", unigram)
            values["standard.train_tokens"] = "\(trainTokens)"
            let files = try evidence.draw(output: output, report: report, values: &values, prefix: "standard", dataName: "PTB", requiredRatio: 0.6,
                                               tunedSection: "The standard scale, tuned")
            recordClaims(into: &values)
            return files
        }

        /// The numbers the claims ledger decides C3 and C4 by. C3: plain SGD's diverged seeds against the
        /// best-tuned projection's, pooled over the rates where plain SGD diverged at least once (three
        /// seeds at one rate can never give Fisher's p below 0.1). C4: the best-tuned clip against the
        /// best-tuned projection at the rate where the fewer of the two trained the most seeds. Only rates
        /// whose every run has finished count (knobs picked from part of a grid decide nothing), and not
        /// the probe rate above the grid (``GridEvidence/decidingRates``).
        package func recordClaims(into values: inout RecordedValues) {
            var sgdDiverged = 0, sgdCount = 0, projectDiverged = 0, projectCount = 0, rates: [Double] = []
            let complete = evidence.decidingRates
            for e in evidence.tuned.entries where complete.contains(e.learningRate) {
                guard let sgd = e.picks.first(where: { $0.family == "plain SGD" })?.best, !sgd.diverged.isEmpty,
                      let q = e.picks.first(where: { $0.family == "projection" })?.best else { continue }
                sgdDiverged += sgd.diverged.count; sgdCount += sgd.count
                projectDiverged += q.diverged.count; projectCount += q.count
                rates.append(e.learningRate)
            }
            if !rates.isEmpty {
                let p = SignificanceTests.fisherExact(sgdDiverged, sgdCount - sgdDiverged, projectDiverged, projectCount - projectDiverged)
                values["standard.sgd.diverged"] = "\(sgdDiverged)/\(sgdCount)"
                values["standard.project.diverged"] = "\(projectDiverged)/\(projectCount)"
                values["standard.fisher_p"] = String(format: "%.3g", p)
                values["standard.fisher_rates"] = rates.map(RunConfiguration.number).joined(separator: ", ")
            }
            let comparable = evidence.tuned.tests.filter { $0.welch != nil && complete.contains($0.learningRate) }
            if let t = comparable.max(by: { min($0.clip.trained.count, $0.projection.trained.count) < min($1.clip.trained.count, $1.projection.trained.count) }),
               let w = t.welch, let c = t.clip.finalValid, let q = t.projection.finalValid {
                values["standard.accuracy_p"] = String(format: "%.3g", w.p)
                // The same test on the test split, which picked no knob (the validation one favours the family with more candidates).
                if let test = t.testWelch { values["standard.accuracy_test_p"] = String(format: "%.3g", test.p) }
                values["standard.accuracy_rate"] = RunConfiguration.number(t.learningRate)
                values["standard.clip.final_mean"] = String(format: "%.2f", c.mean)
                values["standard.project.final_mean"] = String(format: "%.2f", q.mean)
            }
        }
    }
}

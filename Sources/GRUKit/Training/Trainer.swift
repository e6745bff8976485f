import Foundation

/// Trains one run: epochs of truncated-BPTT windows with the run's method and learning-rate
/// schedule, a JSON Lines log (see ``TrainingLog``), a validation pass and a checkpoint after
/// every epoch, the test split at the end, and divergence detection.
///
/// Files, in `directory`: `NAME.jsonl` (the log) and `NAME.checkpoint.safetensors`, and while the
/// run trains `NAME.lock` (``RunLock``), which refuses a second process training the same run.
///
/// Divergence: a window whose loss or gradient norm is not finite, or whose loss exceeds
/// `configuration.divergenceLoss`, ends the run there (a `diverged` log record, a checkpoint with
/// status `diverged`, a result with ``RunStatus/diverged(epoch:iteration:reason:)``); nothing is
/// thrown, so a sweep goes on with its next run. A validation loss that is not finite or exceeds
/// the bound counts as well.
///
/// Resumption: with `resume` and an existing checkpoint of the same configuration (its
/// fingerprint; only `epochs` may differ), parameters and generators are restored, the log is cut
/// back to the checkpoint's length and training continues with the next epoch. Because the
/// carried hidden state restarts from zero at every epoch and every generator is restored, the
/// resumed run produces exactly the losses, log records (except `seconds`) and metrics of an
/// uninterrupted one. A checkpoint of a completed run whose `epochs` equal the request, or of a
/// diverged run, is reported without training. Before anything is restored or cut, the checkpoint
/// is verified (its checksums and finite parameters: ``Checkpoint/init(contentsOf:)``) and so is
/// the log it continues (``Checkpoint/verifyLog(at:checkpointPath:)``): a damaged checkpoint or a
/// log that is not its own is refused, naming the file and the tensor, and both are left as they were.
package final class Trainer {
    /// The run: its name (which names the files), method, schedule and sizes.
    package let configuration: RunConfiguration
    /// The model and data being trained; the trainer mutates its parameters and generators.
    package let task: TrainingTask
    /// The folder of the log and the checkpoint.
    package let directory: URL
    /// Whom the trainer reports to (a console's progress bar or lines, notes); nil for silence.
    package let progress: (any TrainingObserver)?
    /// The clock that times epochs and runs (the `seconds` of log records): ``MonotonicClock/seconds()``
    /// unless a caller supplies another (a test, a simulated clock).
    package let clock: () -> Double
    /// Stop (status ``RunStatus/stopped(epoch:)``) after this many epochs have completed in
    /// total, leaving a checkpoint that `resume` continues; nil: train to the end.
    package var stopAfterEpochs: Int?
    /// How many iterations the log receives in full (type `trace`) when a run diverges (``IterationTrace``).
    package static let traceLength = 100

    /// Polled before every training window: when it returns true the run stops there with status
    /// ``RunStatus/stopped(epoch:)`` after its last completed epoch, whose checkpoint is already on
    /// disk, so `resume` continues from that epoch (the windows of the interrupted epoch are trained
    /// again, giving the numbers of an uninterrupted run). A Slurm task sets it from ``StopSignal``.
    package var shouldStop: (() -> Bool)?

    /// `directory/NAME.jsonl`, the run's ``TrainingLog``.
    package var logURL: URL { directory.appendingPathComponent(configuration.name + ".jsonl") }
    /// `directory/NAME.checkpoint.safetensors`, the run's ``Checkpoint``.
    package var checkpointURL: URL { directory.appendingPathComponent(configuration.name + ".checkpoint.safetensors") }

    /// A trainer for one run; nothing is read or written until ``run(resume:)``.
    package init(configuration: RunConfiguration, task: TrainingTask, directory: URL, progress: (any TrainingObserver)? = nil,
                clock: @escaping () -> Double = MonotonicClock.seconds) {
        self.configuration = configuration
        self.task = task
        self.directory = directory
        self.progress = progress
        self.clock = clock
    }

    /// The `run` record that opens a log.
    func header() -> LogRecord {
        let c = configuration
        var r = LogRecord([("type", LogRecordType.run.value), ("name", .string(c.name)), ("method", .string(c.method.description)),
                           ("learning_rate", .number(c.learningRate)), ("clip", c.method.maxNorm.map(JSONValue.number) ?? .null),
                           ("delta", c.method.delta.map(JSONValue.number) ?? .null), ("epochs", .integer(c.epochs)),
                           ("seed", .string(String(c.seed))), ("cell", .string(c.cell.rawValue)), ("hidden", .integer(c.hiddenSize)),
                           ("batch", .integer(c.batchSize)), ("steps", .integer(c.steps)), ("dropout", .number(c.dropout)),
                           ("metric", .string(task.metricName))])
        for k in c.details.keys.sorted() { r[k] = .string(c.details[k]!) }
        return r
    }

    /// Lines of two fingerprints that differ, as `key: checkpoint X, now Y`.
    static func differences(_ saved: String, _ current: String) -> [String] {
        func pairs(_ s: String) -> [String: String] {
            var d: [String: String] = [:]
            for line in s.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                d[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return d
        }
        let a = pairs(saved), b = pairs(current)
        return Set(a.keys).union(b.keys).sorted().compactMap { k in
            a[k] == b[k] ? nil : "\(k): checkpoint \(a[k] ?? "(absent)"), now \(b[k] ?? "(absent)")"
        }
    }

    /// Trains (or resumes) the run and returns its result.
    ///
    /// Without `resume` (or without a checkpoint), an existing log and checkpoint of the same
    /// name are replaced: the run starts afresh. Creates `directory` if needed.
    /// - Parameter resume: continue from the checkpoint in `directory` when there is one.
    /// - Returns: the result; ``RunResult/status`` says whether the run completed, diverged or
    ///   stopped (``stopAfterEpochs``).
    /// - Throws: ``TrainingError/runLocked(path:holder:)`` when another process is training this
    ///   run in `directory` (nothing is read or written then),
    ///   ``TrainingError/checkpointMismatch(path:differences:)`` when the checkpoint was
    ///   written for another configuration, ``TrainingError/invalidCheckpoint(path:reason:)`` when
    ///   it (or its log) cannot be used or fails verification, ``TrainingError/cannotWrite(path:reason:)``
    ///   for files that cannot be written, and the task's errors (bad data). Divergence is not an error.
    package func run(resume: Bool = false) throws -> RunResult {
        let c = configuration
        do { try AtomicFile.createFolder(directory) } catch {
            throw TrainingError.cannotWrite(path: directory.path, reason: AtomicFile.reason(error))
        }
        let lock = try RunLock(directory: directory, name: c.name)
        defer { lock.release() }
        if let why = lock.unlockedReason {
            progress?.note("\(c.name): cannot lock \(lock.url.lastPathComponent) (\(why)); make sure no other process trains this run here")
        }
        var epochsDone = 0, iteration = 0, secondsBefore = 0.0
        var trainLosses: [Double] = [], validLosses: [Double] = []
        let log: TrainingLog
        if resume, FileManager.default.fileExists(atPath: checkpointURL.path) {
            let saved = try Checkpoint(contentsOf: checkpointURL)
            let diff = Self.differences(saved.fingerprint, c.fingerprint)
            guard diff.isEmpty else { throw TrainingError.checkpointMismatch(path: checkpointURL.path, differences: diff) }
            if saved.parsedStatus == .diverged || (saved.parsedStatus == .completed && saved.epoch == c.epochs) {
                progress?.note("\(c.name): already \(saved.status) (checkpoint \(checkpointURL.lastPathComponent)); not retrained")
                return result(from: saved)
            }
            guard saved.epoch <= c.epochs else {
                throw TrainingError.invalidCheckpoint(path: checkpointURL.path,
                    reason: "it has trained \(saved.epoch) epochs, more than the \(c.epochs) asked for (--epochs)")
            }
            try saved.verifyLog(at: logURL, checkpointPath: checkpointURL.path)
            try saved.restore(into: task, path: checkpointURL.path)
            log = try TrainingLog(url: logURL, truncatingTo: saved.logOffset, checksum: saved.logChecksum)
            (epochsDone, iteration, secondsBefore) = (saved.epoch, saved.iteration, saved.seconds)
            (trainLosses, validLosses) = (saved.trainLosses, saved.validLosses)
            progress?.note("\(c.name): resuming after epoch \(epochsDone) (iteration \(iteration))")
        } else {
            try? FileManager.default.removeItem(at: checkpointURL)
            log = try TrainingLog(url: logURL)
            try log.append(header())
        }
        // A run resumed with the --stop-after it already reached stays where it is (it must not
        // train one more epoch before looking at the limit).
        if let stop = stopAfterEpochs, epochsDone >= stop, epochsDone < c.epochs {
            progress?.note("\(c.name): already stopped after epoch \(epochsDone); raise --stop-after to train on")
            return RunResult(configuration: c, status: .stopped(epoch: epochsDone), metricName: task.metricName,
                             trainLosses: trainLosses, validLosses: validLosses, validMetrics: validLosses.map(task.metric),
                             testLoss: nil, testMetric: nil, iterations: iteration, seconds: secondsBefore)
        }
        let start = clock()
        func elapsed() -> Double { secondsBefore + clock() - start }
        func checkpoint(_ status: Checkpoint.Status, epoch: Int, offset: UInt64, logChecksum: UInt32, test: Double? = nil,
                        diverged: (Int, Int, String)? = nil) throws {
            var params: [String: Matrix<Float>] = [:]
            for p in task.parameters { params[p.name] = p.value }
            try Checkpoint(fingerprint: c.fingerprint, status: status.rawValue, epoch: epoch, iteration: iteration,
                           learningRate: c.schedule.rate(epoch: max(1, epoch)), seconds: elapsed(), trainLosses: trainLosses,
                           validLosses: validLosses, testLoss: test, divergedEpoch: diverged?.0, divergedIteration: diverged?.1,
                           divergedReason: diverged?.2, logOffset: offset, logChecksum: logChecksum, randomStates: task.randomStates.mapValues(\.state),
                           parameters: params).write(to: checkpointURL)
        }
        func finish(_ status: RunStatus, test: Double? = nil) -> RunResult {
            RunResult(configuration: c, status: status, metricName: task.metricName, trainLosses: trainLosses,
                      validLosses: validLosses, validMetrics: validLosses.map(task.metric), testLoss: test,
                      testMetric: test.map(task.metric), iterations: iteration, seconds: elapsed())
        }
        // Where the gradient is (per parameter group) and the last iterations in full, for the log
        // and, at a divergence, its approach iteration by iteration. The parameter list is taken once:
        // its members are the model's own (reference) parameters, so no array is built per step.
        let parameters = task.parameters
        let groups = GradientGroups(parameters: parameters, recurrentName: task.recurrentLayer.weightHH.name)
        let groupKeys = groups.keys
        var groupNorms = [Double](repeating: 0, count: groups.names.count)
        var trace = IterationTrace(capacity: Self.traceLength, groups: groups.names.count)
        func diverge(epoch: Int, loss: Double, gradientNorm: Double, reason: String) throws -> RunResult {
            for record in trace.records(keys: groupKeys) { try log.append(record) }
            try log.append(LogRecord([("type", LogRecordType.diverged.value), ("epoch", .integer(epoch)), ("iteration", .integer(iteration)),
                                      ("loss", .number(loss)), ("gradient_norm", .number(gradientNorm)), ("reason", .string(reason)),
                                      ("seconds", .number(elapsed()))]))
            try checkpoint(.diverged, epoch: epochsDone, offset: log.offset, logChecksum: log.checksum, diverged: (epoch, iteration, reason))
            progress?.note("\(c.name): diverged at epoch \(epoch), iteration \(iteration): \(reason)")
            return finish(.diverged(epoch: epoch, iteration: iteration, reason: reason))
        }

        for epoch in stride(from: epochsDone + 1, through: c.epochs, by: 1) {
            let lr = c.schedule.rate(epoch: epoch)
            var windows = try task.beginEpoch(epoch)
            if let limit = c.windowLimit { windows = min(windows, limit) }
            progress?.beginEpoch()
            let epochStart = elapsed()
            var epochLoss = 0.0, epochItems = 0
            var sumLoss = 0.0, count = 0, maxGradient = 0.0, projectedCount = 0
            for w in 0 ..< windows {
                if shouldStop?() == true {
                    progress?.note("\(c.name): asked to stop in epoch \(epoch); the checkpoint of epoch \(epochsDone) remains, continue with --resume")
                    return finish(.stopped(epoch: epochsDone))
                }
                iteration += 1
                let (step, items) = try task.trainWindow(w, learningRate: lr, method: c.method)
                groups.measure(parameters, into: &groupNorms)
                if step.clipped {
                    // Clipping scaled every gradient by one factor; undo it so that the groups' squares
                    // add up to the norm before clipping, the one the log reports.
                    let after = groupNorms.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if after > 0 { for k in groupNorms.indices { groupNorms[k] *= step.gradientNorm / after } }
                }
                trace.record(iteration: iteration, epoch: epoch, loss: step.loss, gradientNorm: step.gradientNorm,
                             groupNorms: groupNorms, clipped: step.clipped, projected: step.projected)
                var reason: String?
                if !step.loss.isFinite { reason = "the loss is \(step.loss)" }
                else if !step.isFinite { reason = "the gradient norm is \(step.gradientNorm)" }
                else if let bound = c.divergenceLoss, step.loss > bound { reason = "the loss \(step.loss) exceeds the bound \(bound)" }
                if let reason { return try diverge(epoch: epoch, loss: step.loss, gradientNorm: step.gradientNorm, reason: reason) }
                epochLoss += step.loss * Double(items); epochItems += items
                sumLoss += step.loss; count += 1; maxGradient = max(maxGradient, step.gradientNorm)
                if step.projected { projectedCount += 1 }
                if iteration % c.logEvery == 0 || w == windows - 1 {
                    let d = try? task.recurrentLayer.stabilityDiagnostics()
                    try log.append(LogRecord([
                        ("type", LogRecordType.iteration.value), ("iteration", .integer(iteration)), ("epoch", .integer(epoch)),
                        ("learning_rate", .number(lr)), ("loss", .number(step.loss)), ("mean_loss", .number(sumLoss / Double(count))),
                        ("gradient_norm", .number(step.gradientNorm)), ("max_gradient_norm", .number(maxGradient)),
                        ("clipped", .bool(step.clipped)), ("projected", .bool(step.projected)),
                        ("projected_count", .integer(projectedCount)),
                        ("spectral_norm", d.map { .number($0.spectralNorm) } ?? .null),
                        ("spectral_radius", d.map { .number($0.spectralRadius) } ?? .null), ("seconds", .number(elapsed()))]
                        + zip(groupKeys, groupNorms).map { ($0.0, JSONValue.number($0.1)) }))
                    sumLoss = 0; count = 0; maxGradient = 0; projectedCount = 0
                }
                let mean = epochItems > 0 ? epochLoss / Double(epochItems) : 0
                progress?.update(run: c.name, epoch: epoch, epochs: c.epochs, window: w + 1, windows: windows, items: epochItems,
                                 totalItems: max(epochItems, epochItems * windows / (w + 1)), learningRate: lr, meanLoss: mean,
                                 metric: task.metric, metricName: task.metricName)
            }
            let validLoss = try task.evaluate(.valid)
            if !validLoss.isFinite {
                return try diverge(epoch: epoch, loss: validLoss, gradientNorm: .nan, reason: "the validation loss is \(validLoss)")
            }
            if let bound = c.divergenceLoss, validLoss > bound {
                return try diverge(epoch: epoch, loss: validLoss, gradientNorm: .nan,
                                   reason: "the validation loss \(validLoss) exceeds the bound \(bound)")
            }
            trainLosses.append(epochItems > 0 ? epochLoss / Double(epochItems) : .nan)
            validLosses.append(validLoss)
            epochsDone = epoch
            try log.append(LogRecord([
                ("type", LogRecordType.epoch.value), ("epoch", .integer(epoch)), ("iteration", .integer(iteration)),
                ("learning_rate", .number(lr)), ("train_loss", .number(trainLosses.last!)), ("valid_loss", .number(validLoss)),
                ("valid_" + task.metricName, .number(task.metric(validLoss))), ("seconds", .number(elapsed()))]))
            try checkpoint(.running, epoch: epoch, offset: log.offset, logChecksum: log.checksum)
            progress?.endEpoch(run: c.name, epoch: epoch, seconds: elapsed() - epochStart, validLoss: validLoss,
                               metric: task.metric(validLoss), metricName: task.metricName)
            if let stop = stopAfterEpochs, epoch >= stop, epoch < c.epochs {
                progress?.note("\(c.name): stopped after epoch \(epoch); continue with --resume")
                return finish(.stopped(epoch: epoch))
            }
        }
        let (epochOffset, epochChecksum) = (log.offset, log.checksum)
        let testLoss = try task.evaluate(.test)
        try log.append(LogRecord([
            ("type", LogRecordType.test.value), ("epoch", .integer(epochsDone)), ("iteration", .integer(iteration)),
            ("test_loss", .number(testLoss)), ("test_" + task.metricName, .number(task.metric(testLoss))),
            ("valid_" + task.metricName, validLosses.last.map { .number(task.metric($0)) } ?? .null),
            ("seconds", .number(elapsed()))]))
        try checkpoint(.completed, epoch: epochsDone, offset: epochOffset, logChecksum: epochChecksum, test: testLoss)
        progress?.note("\(c.name): test loss \(String(format: "%.4f", testLoss)), test \(task.metricName) "
                       + String(format: "%.3f", task.metric(testLoss)))
        return finish(.completed, test: testLoss)
    }

    /// The result recorded in a checkpoint (a completed or diverged run).
    func result(from saved: Checkpoint) -> RunResult {
        let status: RunStatus
        switch saved.parsedStatus {
        case .diverged?: status = .diverged(epoch: saved.divergedEpoch ?? saved.epoch + 1, iteration: saved.divergedIteration ?? saved.iteration,
                                            reason: saved.divergedReason ?? "")
        case .completed?: status = .completed
        default: status = .stopped(epoch: saved.epoch)
        }
        return RunResult(configuration: configuration, status: status, metricName: task.metricName, trainLosses: saved.trainLosses,
                         validLosses: saved.validLosses, validMetrics: saved.validLosses.map(task.metric), testLoss: saved.testLoss,
                         testMetric: saved.testLoss.map(task.metric), iterations: saved.iteration, seconds: saved.seconds)
    }
}

import Foundation

/// A run's state at the end of an epoch, enough to continue it so that it finishes with exactly
/// the numbers of an uninterrupted run: the parameters (safetensors tensors, F32, bit-exact) and,
/// in the `__metadata__` map, the run's fingerprint, the epoch and iteration reached, every random
/// generator's state, the per-epoch losses, the elapsed time and the log's length at that point.
///
/// Written atomically (a temporary file, flushed, then renamed over the old checkpoint), so a run
/// stopped at any moment leaves either the previous checkpoint or the new one, never half of one.
public struct Checkpoint: Sendable, Equatable {
    /// The format tag in the metadata (`format`).
    public static let format = "grukit-training-checkpoint-1"

    /// The run's ``RunConfiguration/fingerprint``: `--resume` continues the checkpoint only when
    /// it equals the current configuration's (metadata `fingerprint`).
    public var fingerprint: String
    /// `running` (after an epoch), `completed`, `diverged` or `stopped`; reading rejects any
    /// other value.
    public var status: String
    /// Epochs completed (≥ 0); the resumed run continues with epoch `epoch + 1`.
    public var epoch: Int
    /// Iterations (training windows) trained over all epochs, so a resumed run's iteration
    /// numbers continue where this one stopped.
    public var iteration: Int
    /// The learning rate of the last completed epoch (epoch 1's when none completed), for
    /// people reading the file; a resumed run recomputes η from the schedule.
    public var learningRate: Double
    /// Wall-clock seconds trained so far, summed over sessions (the log's `seconds` continue
    /// from here).
    public var seconds: Double
    /// The token- or frame-weighted mean training loss of each completed epoch (`epoch` values).
    public var trainLosses: [Double]
    /// The validation loss after each completed epoch (`epoch` values).
    public var validLosses: [Double]
    /// The test loss, present when the run completed.
    public var testLoss: Double?
    /// The epoch in which the run diverged (status `diverged`): the epoch that did not complete,
    /// normally `epoch + 1`.
    public var divergedEpoch: Int?
    /// The iteration at which the run diverged (status `diverged`).
    public var divergedIteration: Int?
    /// Why the run diverged, as the log's `reason` (e.g. `the loss is nan`).
    public var divergedReason: String?
    /// Byte length of the log after the last `epoch` record (where a resumed run continues).
    public var logOffset: UInt64
    /// Generator states by the task's names (``TrainingTask/randomStates``), each the words of
    /// ``SeededGenerator/state`` (metadata `rng.NAME`, comma-separated).
    public var randomStates: [String: [UInt64]]
    /// Parameter values by their PyTorch names, stored as F32 tensors (exact for Float).
    public var parameters: [String: Matrix<Float>]

    /// A checkpoint with the given fields, to be written by ``write(to:)``; nothing is checked
    /// here (reading checks the status, the counts and the generator states).
    public init(fingerprint: String, status: String, epoch: Int, iteration: Int, learningRate: Double, seconds: Double,
                trainLosses: [Double], validLosses: [Double], testLoss: Double? = nil, divergedEpoch: Int? = nil,
                divergedIteration: Int? = nil, divergedReason: String? = nil, logOffset: UInt64,
                randomStates: [String: [UInt64]], parameters: [String: Matrix<Float>]) {
        self.fingerprint = fingerprint; self.status = status; self.epoch = epoch; self.iteration = iteration
        self.learningRate = learningRate; self.seconds = seconds; self.trainLosses = trainLosses
        self.validLosses = validLosses; self.testLoss = testLoss; self.divergedEpoch = divergedEpoch
        self.divergedIteration = divergedIteration; self.divergedReason = divergedReason; self.logOffset = logOffset
        self.randomStates = randomStates; self.parameters = parameters
    }

    /// Numbers are written as Swift's shortest round-trip text (`"\(x)"`), which reads back to
    /// the same Double, so losses survive a checkpoint bit for bit.
    static func text(_ xs: [Double]) -> String { xs.map { "\($0)" }.joined(separator: ",") }

    /// Writes the checkpoint atomically as a safetensors file: a temporary file beside `url`,
    /// flushed, then renamed over it, so an interruption leaves the previous checkpoint intact.
    /// Tensors are written in name order; numbers as shortest round-trip text.
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)`` naming `url` when the file cannot
    ///   be written (the previous checkpoint, if any, is left as it was).
    public func write(to url: URL) throws {
        var meta: [String: String] = [
            "format": Self.format, "fingerprint": fingerprint, "status": status, "epoch": "\(epoch)",
            "iteration": "\(iteration)", "learning_rate": "\(learningRate)", "seconds": "\(seconds)",
            "train_losses": Self.text(trainLosses), "valid_losses": Self.text(validLosses), "log_offset": "\(logOffset)",
        ]
        if let testLoss { meta["test_loss"] = "\(testLoss)" }
        if let divergedEpoch { meta["diverged_epoch"] = "\(divergedEpoch)" }
        if let divergedIteration { meta["diverged_iteration"] = "\(divergedIteration)" }
        if let divergedReason { meta["diverged_reason"] = divergedReason }
        for (name, words) in randomStates { meta["rng." + name] = words.map(String.init).joined(separator: ",") }
        var file = SafetensorsFile(source: url.path, metadata: meta)
        do {
            for name in parameters.keys.sorted() { file[name] = try SafetensorsTensor(parameters[name]!, dtype: .f32) }
            try file.write(to: url)
        } catch let e as SafetensorsError {
            throw TrainingError.cannotWrite(path: url.path, reason: e.problemDescription)
        }
    }

    /// Reads a checkpoint.
    /// - Throws: ``TrainingError/invalidCheckpoint(path:reason:)`` naming the file and what is
    ///   wrong (not a safetensors file, a missing or malformed metadata entry, a bad tensor).
    public init(contentsOf url: URL) throws {
        let path = url.path
        func fail(_ reason: String) -> TrainingError { .invalidCheckpoint(path: path, reason: reason) }
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: url) } catch let e as SafetensorsError {
            throw fail(e.problemDescription)
        }
        guard let meta = file.metadata else { throw fail("it has no __metadata__ (not a training checkpoint)") }
        guard meta["format"] == Self.format else {
            throw fail("its format is \(meta["format"].map { "\"\($0)\"" } ?? "missing"), expected \"\(Self.format)\"")
        }
        func string(_ key: String) throws -> String {
            guard let v = meta[key] else { throw fail("the metadata entry \"\(key)\" is missing") }
            return v
        }
        func int(_ key: String) throws -> Int {
            guard let v = Int(try string(key)), v >= 0 else { throw fail("the metadata entry \"\(key)\" is not a count") }
            return v
        }
        func double(_ key: String) throws -> Double {
            guard let v = Double(try string(key)) else { throw fail("the metadata entry \"\(key)\" is not a number") }
            return v
        }
        func doubles(_ key: String) throws -> [Double] {
            let text = try string(key)
            if text.isEmpty { return [] }
            return try text.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let v = Double($0) else { throw fail("the metadata entry \"\(key)\" holds \"\($0)\", not a number") }
                return v
            }
        }
        fingerprint = try string("fingerprint")
        status = try string("status")
        guard ["running", "completed", "diverged", "stopped"].contains(status) else { throw fail("unknown status \"\(status)\"") }
        epoch = try int("epoch")
        iteration = try int("iteration")
        learningRate = try double("learning_rate")
        seconds = try double("seconds")
        trainLosses = try doubles("train_losses")
        validLosses = try doubles("valid_losses")
        guard let offset = UInt64(try string("log_offset")) else { throw fail("the metadata entry \"log_offset\" is not a count") }
        logOffset = offset
        testLoss = meta["test_loss"] == nil ? nil : try double("test_loss")
        divergedEpoch = meta["diverged_epoch"] == nil ? nil : try int("diverged_epoch")
        divergedIteration = meta["diverged_iteration"] == nil ? nil : try int("diverged_iteration")
        divergedReason = meta["diverged_reason"]
        guard validLosses.count == epoch, trainLosses.count == epoch else {
            throw fail("it records \(validLosses.count) validation and \(trainLosses.count) training losses for \(epoch) epochs")
        }
        var states: [String: [UInt64]] = [:]
        for (key, value) in meta where key.hasPrefix("rng.") {
            let words = value.split(separator: ",").map { UInt64($0) }
            guard !words.contains(nil), SeededGenerator(state: words.map { $0! }) != nil else {
                throw fail("the metadata entry \"\(key)\" is not a generator state")
            }
            states[String(key.dropFirst(4))] = words.map { $0! }
        }
        randomStates = states
        var params: [String: Matrix<Float>] = [:]
        for name in file.names {
            do { params[name] = try file.matrix(name, as: Float.self) } catch let e as SafetensorsError {
                throw fail(e.problemDescription)
            }
        }
        parameters = params
    }

    /// Copies the saved values into the task's parameters (matched by name) and the saved
    /// generator states into ``TrainingTask/randomStates``. The saved tensors must be exactly the
    /// task's parameters: a tensor the model does not have means a checkpoint of another model form
    /// (e.g. a music model with an input layer, `encoder.weight`, or a GRU with biases, restored
    /// into one without), which would otherwise load silently when the shared tensors have the same
    /// shapes. Saved generators the task does not have are ignored.
    /// - Parameters:
    ///   - task: the task to restore; its parameter names and generator names select what is read.
    ///   - path: the checkpoint's path, for the error message.
    /// - Throws: ``TrainingError/invalidCheckpoint(path:reason:)`` when the checkpoint holds a tensor
    ///   the task's model does not have (checked before anything is restored), or a parameter or a
    ///   generator of the task is missing or a tensor has another shape. Parameters are restored one
    ///   by one, so after the latter errors the task may be partly restored: do not train it further.
    public func restore(into task: TrainingTask, path: String) throws {
        func fail(_ reason: String) -> TrainingError { .invalidCheckpoint(path: path, reason: reason) }
        let names = Set(task.parameters.map(\.name))
        let foreign = parameters.keys.filter { !names.contains($0) }.sorted()
        if !foreign.isEmpty {
            throw fail("it holds tensor\(foreign.count == 1 ? "" : "s") \(foreign.map { "\"\($0)\"" }.joined(separator: ", ")), "
                       + "which the model does not have: a checkpoint of another model form")
        }
        for p in task.parameters {
            guard let m = parameters[p.name] else { throw fail("it has no tensor \"\(p.name)\"") }
            guard m.rows == p.value.rows, m.cols == p.value.cols else {
                throw fail("tensor \"\(p.name)\" is \(m.rows)×\(m.cols), the model's is \(p.value.rows)×\(p.value.cols)")
            }
            p.value = m
        }
        var generators = task.randomStates
        for name in generators.keys {
            guard let words = randomStates[name], let g = SeededGenerator(state: words) else {
                throw fail("it has no state for the random generator \"\(name)\"")
            }
            generators[name] = g
        }
        task.randomStates = generators
    }
}

import Foundation

/// A run's state at the end of an epoch, enough to continue it so that it finishes with exactly
/// the numbers of an uninterrupted run: the parameters (safetensors tensors, F32, bit-exact) and,
/// in the `__metadata__` map, the run's fingerprint, the epoch and iteration reached, every random
/// generator's state, the per-epoch losses, the elapsed time and the log's length at that point.
///
/// Written atomically (a temporary file, flushed, then renamed over the old checkpoint), so a run
/// stopped at any moment leaves either the previous checkpoint or the new one, never half of one.
///
/// Verified before it is used: a resumed run continues bit for bit from what the checkpoint
/// holds, so a damaged checkpoint would silently change every number after it. The metadata hold
/// a CRC-32 (``Checksum``) of every tensor's bytes (`crc32.NAME`), of the log's first
/// `log_offset` bytes (`log_crc32`: the part of the log the checkpoint continues) and of the
/// metadata themselves (`metadata_crc32`, over every other entry, sorted by key, each as
/// `key NUL value NUL`). Reading checks the metadata and every tensor and refuses, naming the file
/// and the tensor, when one does not match; ``verifyLog(at:checkpointPath:)`` checks the log before
/// a resumed run cuts it back. The parameters of a checkpoint that is not `diverged` must be
/// finite (a diverged run stops before it writes a non-finite parameter into a running checkpoint).
///
/// Checkpoints of the first format (`grukit-training-checkpoint-1`, written before checksums)
/// are refused with a message that says so: they cannot be verified, and continuing one would
/// bring back exactly the blind trust the checksums remove. Delete such a checkpoint to start the
/// run afresh, or resume it with the GRUKit that wrote it.
package struct Checkpoint: Sendable, Equatable {
    /// The format tag in the metadata (`format`).
    package static let format = "grukit-training-checkpoint-2"
    /// The format before checksums, recognised to refuse it with a clear message.
    package static let uncheckedFormat = "grukit-training-checkpoint-1"

    /// The run's ``RunConfiguration/fingerprint``: `--resume` continues the checkpoint only when
    /// it equals the current configuration's (metadata `fingerprint`).
    package var fingerprint: String
    /// `running` (after an epoch), `completed`, `diverged` or `stopped` (the raw values of
    /// ``Status``), as written in the file; reading rejects any other value.
    package var status: String

    /// The values of a checkpoint's `status`; the raw values are the file's spelling.
    package enum Status: String, CaseIterable, Sendable {
        /// Saved after an epoch of a run still training.
        case running
        /// All epochs trained and the test split evaluated.
        case completed
        /// The run diverged (its parameters may be non-finite).
        case diverged
        /// Stopped on request after a checkpoint (`--stop-after`).
        case stopped
    }

    /// ``status`` as a ``Status`` (nil for a value reading would reject).
    package var parsedStatus: Status? { Status(rawValue: status) }
    /// Epochs completed (≥ 0); the resumed run continues with epoch `epoch + 1`.
    package var epoch: Int
    /// Iterations (training windows) trained over all epochs, so a resumed run's iteration
    /// numbers continue where this one stopped.
    package var iteration: Int
    /// The learning rate of the last completed epoch (epoch 1's when none completed), for
    /// people reading the file; a resumed run recomputes η from the schedule.
    package var learningRate: Double
    /// Wall-clock seconds trained so far, summed over sessions (the log's `seconds` continue
    /// from here).
    package var seconds: Double
    /// The token- or frame-weighted mean training loss of each completed epoch (`epoch` values).
    package var trainLosses: [Double]
    /// The validation loss after each completed epoch (`epoch` values).
    package var validLosses: [Double]
    /// The test loss, present when the run completed.
    package var testLoss: Double?
    /// The epoch in which the run diverged (status `diverged`): the epoch that did not complete,
    /// normally `epoch + 1`.
    package var divergedEpoch: Int?
    /// The iteration at which the run diverged (status `diverged`).
    package var divergedIteration: Int?
    /// Why the run diverged, as the log's `reason` (e.g. `the loss is nan`).
    package var divergedReason: String?
    /// Byte length of the log after the last `epoch` record (where a resumed run continues).
    package var logOffset: UInt64
    /// The CRC-32 of the log's first ``logOffset`` bytes (metadata `log_crc32`), checked by
    /// ``verifyLog(at:checkpointPath:)`` before a resumed run cuts the log back to ``logOffset``.
    package var logChecksum: UInt32
    /// Generator states by the task's names (``TrainingTask/randomStates``), each the words of
    /// ``SeededGenerator/state`` (metadata `rng.NAME`, comma-separated).
    package var randomStates: [String: [UInt64]]
    /// Parameter values by their PyTorch names, stored as F32 tensors (exact for Float).
    package var parameters: [String: Matrix<Float>]

    /// A checkpoint with the given fields, to be written by ``write(to:)``; nothing is checked
    /// here (reading checks the status, the counts and the generator states).
    package init(fingerprint: String, status: String, epoch: Int, iteration: Int, learningRate: Double, seconds: Double,
                trainLosses: [Double], validLosses: [Double], testLoss: Double? = nil, divergedEpoch: Int? = nil,
                divergedIteration: Int? = nil, divergedReason: String? = nil, logOffset: UInt64, logChecksum: UInt32 = 0,
                randomStates: [String: [UInt64]], parameters: [String: Matrix<Float>]) {
        self.fingerprint = fingerprint; self.status = status; self.epoch = epoch; self.iteration = iteration
        self.learningRate = learningRate; self.seconds = seconds; self.trainLosses = trainLosses
        self.validLosses = validLosses; self.testLoss = testLoss; self.divergedEpoch = divergedEpoch
        self.divergedIteration = divergedIteration; self.divergedReason = divergedReason; self.logOffset = logOffset
        self.logChecksum = logChecksum
        self.randomStates = randomStates; self.parameters = parameters
    }

    /// Numbers are written as Swift's shortest round-trip text (`"\(x)"`), which reads back to
    /// the same Double, so losses survive a checkpoint bit for bit.
    static func text(_ xs: [Double]) -> String { xs.map { "\($0)" }.joined(separator: ",") }

    /// The bytes the metadata checksum covers: every entry except `metadata_crc32`, sorted by key,
    /// each as `key NUL value NUL` (unambiguous even for values with line breaks).
    static func metadataBytes(_ meta: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for key in meta.keys.sorted() where key != "metadata_crc32" {
            bytes += Array(key.utf8) + [0] + Array(meta[key]!.utf8) + [0]
        }
        return bytes
    }

    /// Writes the checkpoint atomically as a safetensors file: a temporary file beside `url`,
    /// flushed, then renamed over it, so an interruption leaves the previous checkpoint intact.
    /// Tensors are written in name order; numbers as shortest round-trip text; the checksums
    /// described on the type are added to the metadata.
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)`` naming `url` when the file cannot
    ///   be written (the previous checkpoint, if any, is left as it was).
    package func write(to url: URL) throws {
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
        meta["log_crc32"] = Checksum.hex(logChecksum)
        var tensors: [(String, SafetensorsTensor)] = []
        do {
            for name in parameters.keys.sorted() {
                let tensor = try SafetensorsTensor(parameters[name]!, dtype: .f32)
                meta["crc32." + name] = Checksum.hex(Checksum.crc32(tensor.bytes))
                tensors.append((name, tensor))
            }
            meta["metadata_crc32"] = Checksum.hex(Checksum.crc32(Self.metadataBytes(meta)))
            var file = SafetensorsFile(source: url.path, metadata: meta)
            for (name, tensor) in tensors { file[name] = tensor }
            try file.write(to: url)
        } catch let e as SafetensorsError {
            throw TrainingError.cannotWrite(path: url.path, reason: e.problemDescription)
        }
    }

    /// Reads and verifies a checkpoint (the metadata's and every tensor's checksum, finite
    /// parameters unless the run diverged).
    /// - Throws: ``TrainingError/invalidCheckpoint(path:reason:)`` naming the file and what is
    ///   wrong (not a safetensors file, the first format without checksums, a missing or malformed
    ///   metadata entry, metadata or a tensor that does not match its checksum — naming the tensor —,
    ///   a non-finite parameter, a bad tensor).
    package init(contentsOf url: URL) throws {
        let path = url.path
        func fail(_ reason: String) -> TrainingError { .invalidCheckpoint(path: path, reason: reason) }
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: url) } catch let e as SafetensorsError {
            throw fail(e.problemDescription)
        }
        guard let meta = file.metadata else { throw fail("it has no __metadata__ (not a training checkpoint)") }
        if meta["format"] == Self.uncheckedFormat {
            throw fail("it was written by an earlier GRUKit in the format \"\(Self.uncheckedFormat)\", which has no checksums, "
                       + "so it cannot be verified (resume it with the GRUKit that wrote it)")
        }
        guard meta["format"] == Self.format else {
            throw fail("its format is \(meta["format"].map { "\"\($0)\"" } ?? "missing"), expected \"\(Self.format)\"")
        }
        func string(_ key: String) throws -> String {
            guard let v = meta[key] else { throw fail("the metadata entry \"\(key.escapingControlCharacters)\" is missing") }
            return v
        }
        func checksum(_ key: String) throws -> UInt32 {
            guard let v = Checksum.parse(try string(key)) else {
                throw fail("the metadata entry \"\(key.escapingControlCharacters)\" is not a CRC-32 (8 hexadecimal digits)")
            }
            return v
        }
        // The metadata first: every number below, and the tensors' checksums, come from them.
        let storedMetadataCRC = try checksum("metadata_crc32")
        let metadataCRC = Checksum.crc32(Self.metadataBytes(meta))
        guard storedMetadataCRC == metadataCRC else {
            throw fail("its metadata do not match their checksum (metadata_crc32 \(Checksum.hex(storedMetadataCRC)), "
                       + "computed \(Checksum.hex(metadataCRC))): the file was changed or damaged after it was written")
        }
        // Counts stop at 2^53 (as in a log, ``LoggedRun/largestCount``): no run reaches it, and a
        // resumed run adds to its epoch and iteration, which near Int.max would trap.
        func int(_ key: String) throws -> Int {
            guard let v = Int(try string(key)), v >= 0 else { throw fail("the metadata entry \"\(key)\" is not a count") }
            guard Double(v) <= LoggedRun.largestCount else {
                throw fail("the metadata entry \"\(key)\" is \(v), more than 2^53: not a count a run can reach")
            }
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
        guard Status(rawValue: status) != nil else { throw fail("unknown status \"\(status)\"") }
        epoch = try int("epoch")
        iteration = try int("iteration")
        learningRate = try double("learning_rate")
        seconds = try double("seconds")
        trainLosses = try doubles("train_losses")
        validLosses = try doubles("valid_losses")
        guard let offset = UInt64(try string("log_offset")) else { throw fail("the metadata entry \"log_offset\" is not a count") }
        logOffset = offset
        logChecksum = try checksum("log_crc32")
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
            let shown = "\"" + name.escapingControlCharacters + "\""
            let stored = try checksum("crc32." + name)
            let computed = Checksum.crc32(try file.tensor(name).bytes)
            guard stored == computed else {
                throw fail("tensor \(shown) does not match its checksum (crc32 \(Checksum.hex(stored)), computed "
                           + "\(Checksum.hex(computed))): the file was changed or damaged after it was written")
            }
            let m: Matrix<Float>
            do { m = try file.matrix(name, as: Float.self) } catch let e as SafetensorsError {
                throw fail(e.problemDescription)
            }
            if Status(rawValue: status) != .diverged, let k = m.elements.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor \(shown) holds \(m.elements[k]) at row \(k / max(1, m.cols)), column \(k % max(1, m.cols)); "
                           + "a \(status) run's parameters are finite")
            }
            params[name] = m
        }
        for key in meta.keys where key.hasPrefix("crc32.") && file[String(key.dropFirst(6))] == nil {
            throw fail("it has a checksum for the tensor \"\(key.dropFirst(6).description.escapingControlCharacters)\" but no such tensor")
        }
        parameters = params
    }

    /// Checks that the log at `url` is the one this checkpoint continues: at least ``logOffset``
    /// bytes long, its first ``logOffset`` bytes matching ``logChecksum``. Reads the log, changes
    /// nothing: run it before a resumed run cuts the log back, so a wrong log or a wrong offset is
    /// refused before the log is touched rather than after an epoch of training.
    /// - Parameters:
    ///   - url: the run's log.
    ///   - checkpointPath: the checkpoint's path, for the message.
    /// - Throws: ``TrainingError/invalidCheckpoint(path:reason:)`` naming the checkpoint and the log.
    package func verifyLog(at url: URL, checkpointPath: String) throws {
        func fail(_ reason: String) -> TrainingError { .invalidCheckpoint(path: checkpointPath, reason: reason) }
        var crc: UInt32 = 0
        let read: UInt64
        do { read = try InputFile.forEachChunk(url.path, limit: logOffset) { crc = Checksum.crc32($0, continuing: crc) } } catch {
            throw fail("its log \(url.path) cannot be read (\(AtomicFile.reason(error))), so the run cannot be resumed")
        }
        guard read == logOffset else {
            throw fail("its log \(url.path) holds \(read) bytes but the checkpoint continues it after byte \(logOffset): "
                       + "it is not this checkpoint's log")
        }
        guard crc == logChecksum else {
            throw fail("its log \(url.path) does not match it: the first \(logOffset) bytes have the CRC-32 \(Checksum.hex(crc)), "
                       + "the checkpoint recorded \(Checksum.hex(logChecksum)) (the log was changed, or log_offset is wrong); "
                       + "the log was left as it was")
        }
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
    package func restore(into task: TrainingTask, path: String) throws {
        func fail(_ reason: String) -> TrainingError { .invalidCheckpoint(path: path, reason: reason) }
        let names = Set(task.parameters.map(\.name))
        let foreign = parameters.keys.filter { !names.contains($0) }.sorted()
        if !foreign.isEmpty {
            throw fail("it holds tensor\(foreign.count == 1 ? "" : "s") \(foreign.map { "\"\($0)\"" }.joined(separator: ", ")), "
                       + "which the model does not have: a checkpoint of another model form")
        }
        for p in task.parameters {
            guard let m = parameters[p.name] else { throw fail("it has no tensor \"\(p.name.escapingControlCharacters)\"") }
            guard m.rows == p.value.rows, m.cols == p.value.cols else {
                throw fail("tensor \"\(p.name.escapingControlCharacters)\" is \(m.rows)×\(m.cols), the model's is \(p.value.rows)×\(p.value.cols)")
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

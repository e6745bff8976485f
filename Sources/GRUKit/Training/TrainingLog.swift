import Foundation

/// A run's JSON Lines log (`runs/NAME.jsonl`): one ``LogRecord`` per line, appended as training
/// goes, flushed record by record so that a stopped run leaves a readable log.
///
/// Record types and their keys (numbers that are not finite are written as `null`):
/// - `run`: `name`, `method`, `learning_rate` (η₀), `clip`, `delta`, `epochs`, `seed`, `cell`,
///   `hidden`, `batch`, `steps`, `dropout`, `metric` (`perplexity` or `nll`), then the task's details.
/// - `iteration` (every `logEvery` iterations and at the last window of an epoch): `iteration`
///   (1-based, counted over the whole run), `epoch`, `learning_rate`, `loss` (this window's),
///   `mean_loss` (mean over the iterations since the last record), `gradient_norm` (pre-clip
///   global norm of this window), `max_gradient_norm` (since the last record), `clipped`,
///   `projected` (whether the projection changed W_hh at this iteration), `projected_count`
///   (since the last record), `spectral_norm` (‖W_hh‖₂ after the step), `spectral_radius`
///   (ρ(J), J = ½I + ¼W_hh, the Jacobian at h* = 0), `seconds`, then `gradient_norm[GROUP]` for
///   every parameter group of ``GradientGroups`` (this window's, before clipping; their squares add
///   up to the square of `gradient_norm`).
/// - `epoch`: `epoch`, `iteration`, `learning_rate`, `train_loss`, `valid_loss`, `valid_<metric>`, `seconds`.
/// - `trace` (only when a run diverges, just before its `diverged` record): one record per iteration
///   for the last ``Trainer/traceLength`` iterations, oldest first, ending at the one that diverged
///   (``IterationTrace``): `iteration`, `epoch`, `loss`, `gradient_norm`, `clipped`, `projected`,
///   `gradient_norm[GROUP]`…
/// - `diverged`: `epoch`, `iteration`, `loss`, `gradient_norm`, `reason`, `seconds`.
/// - `test`: `epoch`, `iteration`, `test_loss`, `test_<metric>`, `valid_<metric>` (final), `seconds`.
///
/// `seconds` is the wall-clock time since the run started (summed over resumed sessions): the
/// only field that differs between a resumed run and an uninterrupted one.
package final class TrainingLog {
    /// The log file.
    package let url: URL
    private let handle: FileHandle
    /// The number of bytes in the file: the offset a checkpoint records.
    package private(set) var offset: UInt64
    /// The CRC-32 (``Checksum``) of the file's ``offset`` bytes, kept up to date as records are
    /// appended: the `log_crc32` a checkpoint records beside ``offset``.
    package private(set) var checksum: UInt32 = 0

    /// Opens the log for appending. With `truncatingTo`, the file is first cut to that many bytes
    /// (resuming: what a stopped run wrote after its last checkpoint is dropped), and `checksum`
    /// is the CRC-32 of those bytes (the checkpoint's ``Checkpoint/logChecksum``, which
    /// ``Checkpoint/verifyLog(at:checkpointPath:)`` has checked); otherwise it is created empty
    /// (replacing an older log).
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)`` naming the file when it cannot be
    ///   created or opened, ``TrainingError/invalidCheckpoint(path:reason:)`` when resuming and
    ///   the file is missing or shorter than `truncatingTo` (the log does not belong to the
    ///   checkpoint).
    package init(url: URL, truncatingTo resumeOffset: UInt64? = nil, checksum: UInt32 = 0) throws {
        self.url = url
        let fm = FileManager.default
        if let resumeOffset {
            guard let attributes = try? fm.attributesOfItem(atPath: url.path),
                  let size = (attributes[.size] as? NSNumber)?.uint64Value else {
                throw TrainingError.invalidCheckpoint(path: url.path, reason: "the run's log is missing, so the run cannot be resumed")
            }
            guard size >= resumeOffset else {
                throw TrainingError.invalidCheckpoint(path: url.path,
                    reason: "the log holds \(size) bytes but its checkpoint says \(resumeOffset): it is not this checkpoint's log")
            }
        } else {
            do { try AtomicFile.write([], to: url) } catch {
                throw TrainingError.cannotWrite(path: url.path, reason: AtomicFile.reason(error))
            }
        }
        self.checksum = resumeOffset == nil ? 0 : checksum
        // A FIFO or device in the log's place would block or swallow the log: refuse it.
        do { _ = try AtomicFile.checkWritable(url.path) } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: AtomicFile.reason(error))
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            if let resumeOffset { try handle.truncate(atOffset: resumeOffset) }
            offset = try handle.seekToEnd()
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: AtomicFile.reason(error, path: url.path))
        }
    }

    deinit { try? handle.close() }

    /// Appends one record as a line (``LogRecord/json`` and a newline), written through at once,
    /// and advances ``offset``.
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)`` naming the file.
    package func append(_ record: LogRecord) throws {
        let line = Data((record.json + "\n").utf8)
        do { try handle.write(contentsOf: line) } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: AtomicFile.reason(error, path: url.path))
        }
        offset += UInt64(line.count)
        checksum = Checksum.crc32(line, continuing: checksum)
    }

    /// Reads every record of a log file, in order; empty lines are skipped.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` naming the file and the 1-based
    ///   line of the first record that does not parse, or line 0 with the reason when the file
    ///   cannot be read (missing, a folder, a FIFO or device: ``InputFile``).
    package static func records(at url: URL) throws -> [LogRecord] {
        let data: [UInt8]
        do { data = try InputFile.read(url.path) } catch {
            throw TrainingError.invalidLog(path: url.path, line: 0, reason: "cannot read the file: \(AtomicFile.reason(error))")
        }
        let text = String(decoding: data, as: UTF8.self)
        var out: [LogRecord] = []
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            out.append(try LogRecord.parse(String(line), path: url.path, lineNumber: k + 1))
        }
        return out
    }
}

import Foundation

/// An exclusive lock on one run's files (`NAME.jsonl`, `NAME.checkpoint.safetensors`), held by a
/// ``Trainer`` for as long as it trains, so that two processes training the same run into the
/// same folder cannot interleave their log records and overwrite each other's checkpoints. The
/// second one is refused at once, with a message naming the process that holds the lock.
///
/// The lock is `flock(2)` on `NAME.lock` beside the log, and the file holds the holder's process
/// id and host name, `PID HOST` (for the message only: on a cluster the holder may run on another
/// node of a shared file system). Granularity: one lock per run, not per folder, because a Slurm job
/// array trains every configuration of a sweep as its own task, all of them at the same time in
/// the same `runs/` folder (`Sweep.perform(_:jobName:directory:slurmDirectory:resume:stopAfterEpochs:progress:report:makeTask:)`);
/// they have different names and must not wait for one another. The same run started twice —
/// twice the same command, a requeued task whose first instance still runs — is what the lock
/// refuses.
///
/// Stale locks: the kernel drops a `flock` when its holder exits, however it exits (even killed
/// with SIGKILL or by the out-of-memory killer), so a lock file left behind by a dead process
/// never blocks the next run: it is taken over and its process id replaced. Release unlinks the
/// file, so a finished run leaves no `.lock` behind; a process that opened the file just before
/// it was unlinked notices (the path no longer names the file it locked) and starts again on a
/// new file. On file systems without `flock` (some network mounts) the run goes on unlocked,
/// with a note (``unlockedReason``).
///
/// Interrupted: SIGINT (Ctrl-C) and SIGTERM (`kill`, a job scheduler's cancel) are handled alike
/// while a lock is held, unless the process has its own handler for them (a Slurm array task stops
/// cleanly on SIGTERM, ``StopSignal``) or ignores them: the held lock files are removed, then the
/// signal's default action ends the process as before (the partial epoch is lost; the last epoch
/// checkpoint remains for `--resume`). No `.lock` is left behind.
package final class RunLock {
    /// The lock file, `DIRECTORY/NAME.lock`.
    package let url: URL
    /// Why the run is not locked on a file system that does not support `flock`; nil when locked.
    package private(set) var unlockedReason: String?
    private var descriptor: Int32 = -1
    /// This lock's entry in ``HeldLockFiles`` while held.
    private var slot: Int?

    /// `directory/NAME.lock`, the lock file of the run `name`.
    package static func url(directory: URL, name: String) -> URL { directory.appendingPathComponent(name + ".lock") }

    /// Takes the lock of the run `name` in `directory` (which must exist), without waiting.
    /// - Throws: ``TrainingError/runLocked(path:holder:)`` naming the lock file and the holder's
    ///   process id and host when another process holds it; ``TrainingError/cannotWrite(path:reason:)``
    ///   when the lock file cannot be created, or is a symbolic link, a folder, a FIFO or a device.
    package init(directory: URL, name: String) throws {
        url = Self.url(directory: directory, name: name)
        let path = url.path
        func cannot(_ reason: String) -> TrainingError { .cannotWrite(path: path, reason: reason) }
        for _ in 0 ..< 100 {
            // Non-blocking, so that a FIFO in the lock file's place cannot hang the open; not
            // following a symbolic link, whose target (any file of the user's) would be truncated.
            let fd = open(path, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else {
                throw cannot(errno == ELOOP ? "it is a symbolic link; the run's lock file must be a regular file or absent"
                             : String(cString: strerror(errno)))
            }
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                let what = AtomicFile.kind(st.st_mode)
                close(fd)
                throw cannot("it is \(what), not a regular file; the run's lock file must be a regular file or absent")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                if code == EWOULDBLOCK || code == EAGAIN {
                    let holder = Self.holder(fd)
                    close(fd)
                    throw TrainingError.runLocked(path: path, holder: holder)
                }
                close(fd)
                if code == ENOLCK || code == EOPNOTSUPP || code == ENOSYS || code == EINVAL {
                    unlockedReason = String(cString: strerror(code))
                    return
                }
                throw cannot("cannot lock it: " + String(cString: strerror(code)))
            }
            // Locked: but is it still the file at `path`? A holder releasing its lock unlinks the
            // file; if that happened between our open and our flock, we hold a lock on a file
            // nobody else will ever open, so start again.
            var now = stat()
            guard stat(path, &now) == 0, now.st_ino == st.st_ino, now.st_dev == st.st_dev else {
                close(fd)
                continue
            }
            let text = Array("\(getpid()) \(Self.hostName)\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
            descriptor = fd
            slot = HeldLockFiles.add(path)
            return
        }
        throw cannot("cannot lock it: it keeps being replaced")
    }

    /// This machine's name (`gethostname`, no name lookup).
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "?" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The holder written in the open lock file, as `process PID on HOST`, or nil when it holds
    /// nothing readable (its holder has not written it yet).
    static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 300)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0 ..< n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: " ", maxSplits: 1)
        guard let first = parts.first, let pid = Int32(first) else { return nil }
        let host = parts.count > 1 ? " on " + String(parts[1]).escapingControlCharacters : ""
        return "process \(pid)\(host)"
    }

    /// Removes the lock file and releases the lock (in that order, see the type). Called by
    /// `deinit` too; releasing twice does nothing.
    package func release() {
        guard descriptor >= 0 else { return }
        if let slot { HeldLockFiles.remove(slot); self.slot = nil }
        unlink(url.path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// The paths of the lock files this process holds, as C strings in a fixed table that a signal
/// handler can read without allocating or touching reference counts (only `unlink`, `sigaction`
/// and `raise`, which are async-signal-safe, are called from the handler).
enum HeldLockFiles {
    static let capacity = 64
    nonisolated(unsafe) static let paths: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    nonisolated(unsafe) static var installed = false
    static let lock = NSLock()

    /// Records `path` and installs the handlers on first use; returns its slot (nil when the table
    /// is full: that lock is then released normally but not removed on a signal).
    static func add(_ path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        if !installed { installed = true; install() }
        guard let k = (0 ..< capacity).first(where: { paths[$0] == nil }) else { return nil }
        paths[k] = strdup(path)
        return k
    }

    /// Forgets slot `k` (before the file is unlinked by ``RunLock/release()``).
    static func remove(_ k: Int) {
        lock.lock(); defer { lock.unlock() }
        let p = paths[k]
        paths[k] = nil
        free(p)
    }

    /// For SIGINT and SIGTERM, where the process takes the default action (``InterruptSignals``):
    /// remove the held lock files, then take the default action.
    private static func install() {
        InterruptSignals.installWhereDefault { n in
            for k in 0 ..< HeldLockFiles.capacity { if let p = HeldLockFiles.paths[k] { unlink(p) } }
            InterruptSignals.endWithDefaultAction(n)
        }
    }
}

import Foundation

/// Why an output could not be written: the path as the caller named it and a short reason.
/// Each writer wraps it into its own error type (``FigureError``, ``TrainingError``,
/// ``SafetensorsError``, ``DataError``), so messages keep their usual form.
public struct OutputFileError: Error, CustomStringConvertible, Equatable {
    /// The path as given to the writer.
    public let path: String
    /// What went wrong, e.g. "it is a character device, not a regular file".
    public let reason: String
    /// `PATH: REASON`.
    public var description: String { "\(path): \(reason)" }
}

/// The one way GRUKit writes an output file (figures, tables, checkpoints, models, MAT-files),
/// so that writing can never destroy what is not the output's:
///
/// - only a regular file or a new path is written: a device (`/dev/null`, `/dev/full`), a FIFO,
///   a socket or a folder at the path is refused, never replaced;
/// - a symbolic link is followed to its target, which is written (the link stays a link);
/// - the new contents go to a temporary file in the target's folder, flushed to disk and renamed
///   over the target, so the target holds the old or the new contents, never half of either;
/// - a replaced file keeps its permission bits and owner (a 0600 model stays 0600); a new file
///   gets 0666 minus the umask, as `open(2)` would give it.
public enum AtomicFile {
    /// Links followed at most (as the kernel's own limit, ELOOP).
    static let maximumLinks = 40

    /// The path a write to `path` replaces: `path` itself, or the final target of the chain of
    /// symbolic links it names (relative targets resolved against the link's folder). The target
    /// need not exist.
    /// - Throws: ``OutputFileError`` for a chain longer than 40 links (a loop).
    public static func destination(of path: String) throws -> String {
        var current = path
        for _ in 0 ..< maximumLinks {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = target.hasPrefix("/") ? target
                : (URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).path)
        }
        throw OutputFileError(path: path, reason: "too many levels of symbolic links")
    }

    /// What kind of non-regular file `mode` is, for messages.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The file at `path` after following symbolic links, checked to be a regular file or absent.
    /// - Returns: the target path and its `stat` when it exists.
    /// - Throws: ``OutputFileError`` when the target exists and is not a regular file.
    public static func checkWritable(_ path: String) throws -> (target: String, existing: stat?) {
        let target = try destination(of: path)
        var st = stat()
        guard lstat(target, &st) == 0 else { return (target, nil) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            let what = target == path ? "it is" : "it is a symbolic link to \(target), which is"
            throw OutputFileError(path: path, reason: "\(what) \(kind(st.st_mode)), not a regular file; "
                                  + "GRUKit writes outputs only to regular files or new paths")
        }
        return (target, st)
    }

    /// Writes `bytes` to `url` as described on the type.
    /// - Throws: ``OutputFileError`` naming `url.path` (the target is then untouched and no
    ///   temporary file is left): the target is not a regular file, its folder is missing or not
    ///   writable, the disk is full, or the mode or owner cannot be kept.
    public static func write<Bytes: Collection>(_ bytes: Bytes, to url: URL) throws where Bytes.Element == UInt8 {
        try replace(url) { temporary in
            func fail(_ reason: String) -> OutputFileError { OutputFileError(path: url.path, reason: "cannot write: \(reason)") }
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let folder = temporary.deletingLastPathComponent().path
                throw fail(errno == ENOENT ? "the folder \(folder) does not exist" : String(cString: strerror(errno)))
            }
            let contiguous = Array(bytes)
            var written = 0
            while written < contiguous.count {
                let n = contiguous.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw fail(reason)
                }
                written += n
            }
            guard close(fd) == 0 else { throw fail(String(cString: strerror(errno))) }
        }
    }

    /// Lets `fill` write the new contents into a temporary file beside the target (for writers that
    /// make the file themselves, such as gnuplot-iostream's `file1d`), then gives it the replaced
    /// file's mode and owner, flushes it and renames it over the target, with the checks of
    /// ``write(_:to:)``.
    /// - Parameters:
    ///   - url: the output, as the caller names it.
    ///   - fill: writes the whole file at the URL it is given (which does not exist yet).
    /// - Throws: what `fill` throws (the temporary file is then removed), or ``OutputFileError``
    ///   naming `url.path` as ``write(_:to:)`` does.
    public static func replace(_ url: URL, fill: (URL) throws -> Void) throws {
        let path = url.path
        let (target, existing) = try checkWritable(path)
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let temporary = folder + "/." + URL(fileURLWithPath: target).lastPathComponent + "." + UUID().uuidString + ".tmp"
        do { try fill(URL(fileURLWithPath: temporary)) } catch {
            unlink(temporary)
            throw error
        }
        func abandon(_ reason: String) -> OutputFileError {
            unlink(temporary)
            return OutputFileError(path: path, reason: "cannot write: \(reason)")
        }
        let mode: mode_t
        if let existing {
            mode = existing.st_mode & 0o7777
            if existing.st_uid != geteuid() || existing.st_gid != getegid(), chown(temporary, existing.st_uid, existing.st_gid) != 0 {
                throw abandon("cannot keep the owner \(existing.st_uid):\(existing.st_gid) of \(target) (\(String(cString: strerror(errno))))")
            }
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        guard chmod(temporary, mode) == 0 else { throw abandon(String(cString: strerror(errno))) }
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw abandon(String(cString: strerror(errno))) }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw abandon(String(cString: strerror(errno))) }
        // Checked again just before the rename: a device or FIFO put there meanwhile is not replaced.
        do { _ = try checkWritable(path) } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else { throw abandon(String(cString: strerror(errno))) }
    }

    /// Writes `text` as UTF-8 (``write(_:to:)``).
    public static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }

    /// The short human reason inside a Foundation error (e.g. "No such file or directory"),
    /// rather than `NSCocoaErrorDomain error 512`.
    public static func reason(_ error: Error) -> String {
        if let e = error as? OutputFileError { return e.reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

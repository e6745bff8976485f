import Foundation

/// Why an output could not be written: the path as the caller named it and a short reason.
/// Each writer wraps it into its own error type (`FigureError`, ``TrainingError``,
/// ``SafetensorsError``, ``DataError``), so messages keep their usual form.
package struct OutputFileError: Error, CustomStringConvertible, Equatable {
    /// The path as given to the writer.
    package let path: String
    /// What went wrong, e.g. "it is a character device, not a regular file".
    package let reason: String
    /// `PATH: REASON`.
    package var description: String { "\(path): \(reason)" }
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
package enum AtomicFile {
    /// Links followed at most (as the kernel's own limit, ELOOP).
    static let maximumLinks = 40

    /// The path a write to `path` replaces: `path` itself, or the final target of the chain of
    /// symbolic links it names (relative targets resolved against the link's folder). The target
    /// need not exist.
    /// - Throws: ``OutputFileError`` for a chain longer than 40 links (a loop).
    package static func destination(of path: String) throws -> String {
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
    package static func checkWritable(_ path: String) throws -> (target: String, existing: stat?) {
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
    package static func write<Bytes: Collection>(_ bytes: Bytes, to url: URL) throws where Bytes.Element == UInt8 {
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
                let n = contiguous.withUnsafeBytes { SystemCall.write(fd, $0.baseAddress! + written, $0.count - written) }
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
    /// `write(_:to:)`.
    /// - Parameters:
    ///   - url: the output, as the caller names it.
    ///   - fill: writes the whole file at the URL it is given (which does not exist yet).
    /// - Throws: what `fill` throws (the temporary file is then removed), or ``OutputFileError``
    ///   naming `url.path` as `write(_:to:)` does.
    package static func replace(_ url: URL, fill: (URL) throws -> Void) throws {
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

    /// Creates the folder `url` and any missing folders above it; an existing folder (or a
    /// symbolic link to one) is fine.
    /// - Throws: ``OutputFileError`` naming `url.path` and what is in the way: "it is a file, not a
    ///   folder" when something else exists there, a component above it that is a file, a folder
    ///   that is not writable, or the system's reason — never a bare `NSCocoaErrorDomain` code.
    package static func createFolder(_ url: URL) throws {
        var st = stat()
        if stat(url.path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                let what = st.st_mode & S_IFMT == S_IFREG ? "a file" : kind(st.st_mode)
                throw OutputFileError(path: url.path, reason: "it is \(what), not a folder")
            }
            return
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw OutputFileError(path: url.path, reason: reason(error, path: url.path))
        }
    }

    /// Writes `text` as UTF-8 (`write(_:to:)`).
    package static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }

    /// The short human reason inside a Foundation error (e.g. "No such file or directory"),
    /// rather than `NSCocoaErrorDomain error 512`.
    ///
    /// Foundation on Linux often reports a failed file operation as a bare Cocoa code (256: an
    /// unknown read error, 512: an unknown write error) without the system's reason. When `path`
    /// (the file or folder the operation was about) is given, the error is first explained by
    /// looking at the path itself: the first component that is a file where a folder is needed, or
    /// the folder that is not writable. Otherwise the system's reason, or the code put in words.
    package static func reason(_ error: Error, path: String? = nil) -> String {
        if let e = error as? OutputFileError { return e.reason }
        if let e = error as? InputFileError { return e.reason }
        // What is visibly wrong with the path says more than the system's word for it ("Not a directory").
        if let path, let found = pathProblem(path) { return found }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        guard ns.domain == NSCocoaErrorDomain else { return ns.localizedDescription }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteFileExists: return "something else already exists there"
        case .fileReadTooLarge: return "the file is too large to read"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "the name is not a valid file name"
        case .fileReadCorruptFile: return "the file is corrupt"
        case .fileReadUnknown: return "the file could not be read (the system gave no reason)"
        case .fileWriteUnknown: return "the file could not be written (the system gave no reason)"
        default: return "Foundation error \(ns.code)"
        }
    }

    /// What keeps `path` from being created or written, found by looking at it: a component
    /// above it that is not a folder, or the nearest existing folder above a new path being
    /// read-only for this user. Nil when nothing visible is wrong.
    static func pathProblem(_ path: String) -> String? {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var components: [String] = []
        var current = url
        while current.path != "/" && !current.path.isEmpty {
            components.append(current.path)
            current = current.deletingLastPathComponent()
        }
        // From the root down: the first existing component that is not a folder (except the path
        // itself), and the last existing folder.
        var lastFolder = "/"
        for p in components.reversed() {
            var st = stat()
            guard stat(p, &st) == 0 else { break }
            if st.st_mode & S_IFMT != S_IFDIR {
                let what = st.st_mode & S_IFMT == S_IFREG ? "a file" : kind(st.st_mode)
                return p == url.path ? nil : "\(p) is \(what), not a folder"
            }
            lastFolder = p
        }
        if lastFolder != url.path, access(lastFolder, W_OK) != 0 {
            return "the folder \(lastFolder) is not writable (\(String(cString: strerror(errno))))"
        }
        return nil
    }
}

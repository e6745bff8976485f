import Foundation

/// Why an input file could not be read: the path as the caller named it and a short reason
/// ("no such file", "it is a folder, not a file", "it is a FIFO (named pipe), not a regular file; …").
/// Each reader wraps it into its own error type (``DataError``, ``SafetensorsError``,
/// ``TrainingError``), so messages keep their usual form.
package struct InputFileError: Error, CustomStringConvertible, Equatable {
    /// The path as given to the reader.
    package let path: String
    /// What is wrong with it, without the path.
    package let reason: String
    /// `PATH: REASON`.
    package var description: String { "\(path): \(reason)" }
}

/// The one way GRUKit reads a whole input file (data sets, models, training logs), so that every
/// reader refuses the same things with the same words:
///
/// - only a regular file is read (a symbolic link is followed to it); a folder, a FIFO, a socket or
///   a device is refused by what it is, before a byte is read. Foundation's own reader calls a FIFO
///   or a device "You don't have permission" (even as root) and would block on a FIFO without a
///   writer; here the file is opened non-blocking and checked with `fstat` on the open descriptor,
///   so what is checked is what is read;
/// - a failure names the path and the system's reason (`strerror`), never a bare
///   `NSCocoaErrorDomain` code.
package enum InputFile {
    /// What a non-regular file is, for messages (shared with ``AtomicFile``).
    static func kind(_ mode: mode_t) -> String { AtomicFile.kind(mode) }

    /// The reason a file of `mode` cannot be read as an input, or nil for a regular file.
    static func problem(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "it is a folder, not a file"
        default: return "it is \(kind(mode)), not a regular file; GRUKit reads inputs only from regular files"
        }
    }

    /// The system's words for `code` (e.g. "No such file or directory").
    static func words(_ code: Int32) -> String {
        code == ENOENT ? "no such file" : String(cString: strerror(code))
    }

    /// Checks that `path` (after following symbolic links) is a regular file, without opening it.
    /// - Throws: ``InputFileError`` naming `path`: missing ("no such file"), a folder, a FIFO,
    ///   a socket or a device, or not reachable (e.g. "Permission denied" on a parent folder).
    package static func checkReadable(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { throw InputFileError(path: path, reason: words(errno)) }
        if let problem = problem(st.st_mode) { throw InputFileError(path: path, reason: problem) }
    }

    /// Opens the regular file at `path` for reading (non-blocking, so a FIFO cannot hang the
    /// open) and returns its descriptor, which the caller closes, and its `stat`.
    /// - Throws: ``InputFileError`` as ``checkReadable(_:)`` does, from the open file itself.
    package static func open(_ path: String) throws -> (descriptor: Int32, stat: stat) {
        let fd = SystemCall.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw InputFileError(path: path, reason: words(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = words(errno)
            close(fd)
            throw InputFileError(path: path, reason: reason)
        }
        if let problem = problem(st.st_mode) {
            close(fd)
            throw InputFileError(path: path, reason: problem)
        }
        return (fd, st)
    }

    /// Reads at most `limit` bytes (all of them when nil) from the start of the regular file at
    /// `path`, in 1 MiB pieces, handing each piece to `body`.
    /// - Returns: the number of bytes read (less than `limit` when the file is shorter).
    /// - Throws: ``InputFileError`` naming `path` (see ``open(_:)``, or the read error).
    @discardableResult
    package static func forEachChunk(_ path: String, limit: UInt64? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> UInt64 {
        let (fd, _) = try open(path)
        defer { close(fd) }
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 8)
        defer { buffer.deallocate() }
        var total: UInt64 = 0
        while limit.map({ total < $0 }) ?? true {
            let want = limit.map { Int(min(UInt64(chunk), $0 - total)) } ?? chunk
            let n = SystemCall.read(fd, buffer.baseAddress!, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, reason: "cannot read: " + String(cString: strerror(errno)))
            }
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
            total += UInt64(n)
        }
        return total
    }

    /// The whole regular file at `path` (symbolic links followed).
    /// - Throws: ``InputFileError`` naming `path` and what is wrong (see ``open(_:)``).
    package static func read(_ path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0 { bytes.reserveCapacity(Int(st.st_size)) }
        try forEachChunk(path) { bytes.append(contentsOf: $0) }
        return bytes
    }
}

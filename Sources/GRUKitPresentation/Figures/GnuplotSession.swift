import CGnuplotIostream
import Foundation
import GRUKit

/// One session of the C++ gnuplot-iostream library (through the CGnuplotIostream shim): a
/// `Gnuplot` stream to a script file being written, or to a gnuplot process running in a folder.
/// Every file and every picture of the figure layer goes through one of these.
///
/// Internal on purpose: chapters keep the value-type API (``Figure``, ``Gnuplot``, ``DataTable``),
/// and this class is the one place that owns a C handle and must be closed exactly once.
final class GnuplotSession {
    private var handle: OpaquePointer?

    /// What gnuplot printed and how it exited (for a script file: status 0, or -1 with the reason in `stderr`).
    struct Closing {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Opens `url` for writing a script (gnuplot-iostream's `>PATH` mode).
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)`` naming `name` (default `url`: a caller
    ///   writing a temporary file names the file it stands for).
    init(scriptFile url: URL, name: URL? = nil) throws {
        var message = [CChar](repeating: 0, count: 512)
        handle = gp_open(">" + url.path, nil, &message, message.count)
        guard handle != nil else {
            throw FigureError.cannotWrite(path: (name ?? url).path, reason: Self.reason(message))
        }
    }

    /// Starts `executable` (gnuplot) with `directory` as its working folder, so that the relative
    /// file names of a script resolve there; its standard output and error are captured for ``close()``.
    ///
    /// - Throws: ``FigureError/cannotStartGnuplot(reason:)``.
    init(gnuplot executable: URL, in directory: URL) throws {
        var message = [CChar](repeating: 0, count: 512)
        handle = gp_open(executable.path, directory.path, &message, message.count)
        guard handle != nil else { throw FigureError.cannotStartGnuplot(reason: Self.reason(message)) }
    }

    deinit {
        if let handle { gp_close(handle, nil, nil) }
    }

    /// Sends text as it is (end lines with "\n"). False when the stream failed: the file could not be
    /// written, or gnuplot has already exited (``close()`` then says why).
    @discardableResult
    func send(_ text: String) -> Bool {
        guard let handle else { return false }
        var text = text
        return text.withUTF8 { gp_send(handle, $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, $0.count) } == 0
    }

    /// Sends rows of numbers as the inline data of a `plot '-'` (gnuplot-iostream's `send1d`, which
    /// ends them with `e`). Every row has the same number of columns.
    @discardableResult
    func send1d(_ rows: [[Double]]) -> Bool {
        guard let handle else { return false }
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "GnuplotSession.send1d: rows of different lengths")
        let values = rows.flatMap { $0 }
        return values.withUnsafeBufferPointer { gp_send1d(handle, $0.baseAddress, rows.count, columns) } == 0
    }

    /// Writes `table` to `url` with gnuplot-iostream's `file1d`, atomically (a temporary file in the
    /// same folder, then a rename), through `session` when given. The file's text is `table.text`.
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)`` naming the file.
    static func file1d(_ table: DataTable, to url: URL, session: GnuplotSession? = nil) throws {
        var cells: [CChar] = []
        var widths: [Int] = []
        for row in table.cellRows {
            widths.append(row.count)
            for cell in row {
                cells.append(contentsOf: cell.utf8.map { CChar(bitPattern: $0) })
                cells.append(0)
            }
        }
        try AtomicFile.replaceFigureFile(url) { temporary in
            var message = [CChar](repeating: 0, count: 512)
            let status = cells.withUnsafeBufferPointer { c in
                widths.withUnsafeBufferPointer { w in
                    gp_file1d(session?.handle, c.baseAddress, w.baseAddress, w.count, temporary.path, &message, message.count)
                }
            }
            if status != 0 { throw FigureError.cannotWrite(path: url.path, reason: Self.reason(message)) }
        }
    }

    /// Flushes and closes the stream; for a process, waits for gnuplot to exit. Closing twice
    /// returns status -1 the second time.
    @discardableResult
    func close() -> Closing {
        guard let handle else { return Closing(status: -1, stdout: "", stderr: "the session is already closed") }
        self.handle = nil
        var out: UnsafeMutablePointer<CChar>?, err: UnsafeMutablePointer<CChar>?
        let status = gp_close(handle, &out, &err)
        defer { free(out); free(err) }
        return Closing(status: status, stdout: out.map { String(cString: $0) } ?? "",
                       stderr: err.map { String(cString: $0) } ?? "")
    }

    private static func reason(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

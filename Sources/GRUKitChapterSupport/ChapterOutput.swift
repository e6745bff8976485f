import Foundation
import GRUKit
import GRUKitPresentation

/// A chapter's failure, phrased for someone running the chapter for the first time.
/// Thrown out of `run()`, swift-argument-parser prints `Error: <description>` and exits with status 1.
package enum ChapterError: Error, LocalizedError, CustomStringConvertible {
    /// The output folder (`--out`, or `figures/NN-slug`) cannot be created or is not a folder.
    case outputFolder(path: String, reason: String)
    /// Anything else a chapter wants to say, verbatim.
    case message(String)

    /// The message the user sees after `Error:`; for ``outputFolder(path:reason:)`` it names the
    /// folder, the reason and the `--out` flag that changes it.
    package var description: String {
        switch self {
        case .outputFolder(let path, let reason):
            return "cannot use \(path) as the output folder (set it with --out): \(reason)"
        case .message(let text):
            return text
        }
    }

    /// The same text as ``description``, so `localizedDescription` shows it too.
    package var errorDescription: String? { description }
}

/// Where a chapter puts its files: creates the folder, writes figures (script + data) and tables,
/// renders figures with gnuplot unless `--no-render` or gnuplot is missing (then it says once how to
/// install it), and remembers every file written for ``Report/files(_:title:)``.
///
///     let output = try ChapterOutput(options: common, slug: "01-dynamics")
///     try output.write(figure)                       // NAME.gp, NAME.dat, NAME.png, NAME.svg
///     try output.write(table, name: "limits.dat")
///     report.files(output.written)
package final class ChapterOutput {
    /// The output folder (``ChapterOptions/outputDirectory(slug:)`` as a file URL); it exists once
    /// the initialiser has returned. Relative paths are relative to the current directory.
    package let directory: URL
    /// True when figures are to be drawn (no `--no-render`); drawing also needs gnuplot on PATH.
    package let render: Bool
    /// Every file written so far, in order.
    package private(set) var written: [URL] = []

    /// Creates (if needed, with intermediate folders) `options.outputDirectory(slug:)`, e.g.
    /// `figures/01-dynamics`, and takes `--no-render` from the options.
    ///
    /// - Throws: ``ChapterError/outputFolder(path:reason:)`` when it exists as a file or cannot be created.
    package init(options: ChapterOptions, slug: String) throws {
        let path = options.outputDirectory(slug: slug)
        directory = URL(fileURLWithPath: path, isDirectory: true)
        render = !options.noRender
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ChapterError.outputFolder(path: path, reason: "it is a file, not a folder") }
        } else {
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            catch { throw ChapterError.outputFolder(path: path, reason: AtomicFile.reason(error)) }
        }
    }

    /// Writes the figure's `NAME.gp` (and `NAME.dat`), then, when rendering, has gnuplot draw `NAME.gp`
    /// in the folder. Without gnuplot it prints the install advice once per process and goes on.
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)``; ``FigureError/gnuplotFailed(script:status:stderr:)``
    ///   with gnuplot's message when the script fails (the .gp and .dat are already written then).
    @discardableResult
    package func write(_ figure: Figure) throws -> Figure.WrittenFiles {
        try renderWritten(figure.write(to: directory))
    }

    /// Writes the animation's `NAME.gp` and `NAME.dat`, then, when rendering, has gnuplot draw
    /// `NAME.gif` from them, exactly as ``write(_:)-(Figure)`` does for a still figure.
    ///
    /// - Throws: as ``write(_:)-(Figure)``.
    @discardableResult
    package func write(_ animation: AnimatedFigure) throws -> Figure.WrittenFiles {
        try renderWritten(animation.write(to: directory))
    }

    /// Lists the script and data just written, then, when rendering, has gnuplot draw the script (or
    /// prints the install advice once) and lists the pictures it made.
    private func renderWritten(_ files: Figure.WrittenFiles) throws -> Figure.WrittenFiles {
        written += files.all
        if render {
            if Gnuplot.isInstalled {
                try Gnuplot.render(script: files.script)
                written += files.pictures
            } else {
                Gnuplot.adviseInstallOnce()
            }
        }
        return files
    }

    /// Writes a data table as `name` (e.g. `"fixed-points.dat"`) in the folder, atomically (an
    /// existing file is replaced only by a complete new one), and records it in ``written``.
    ///
    /// - Throws: ``FigureError/cannotWrite(path:reason:)`` naming the file when writing fails.
    @discardableResult
    package func write(_ table: DataTable, name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try table.write(to: url)
        written.append(url)
        return url
    }

    /// Writes `text` (a hand-formatted `.dat` or `.md`) as `name` in the folder, atomically, and
    /// returns its URL (not recorded in ``written``: the caller lists it with its other files).
    ///
    /// - Throws: ``ChapterError/message(_:)`` naming the file and the reason when writing fails.
    package func writeText(_ text: String, name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        do { try AtomicFile.write(text, to: url) }
        catch { throw ChapterError.message("cannot write \(url.path): \(AtomicFile.reason(error))") }
        return url
    }
}

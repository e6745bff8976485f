import Foundation
import GRUKit

/// A chapter's voice on the terminal: a short header, aligned tables, notes, and the list of files
/// it wrote. Everything goes to standard output through one `print` sink (tests can capture it).
///
///     let report = Report(chapter: 1, title: "The GRU as a dynamical system")
///     report.header(settings: ["scale": "quick", "steps": "40"])
///     report.table(table)
///     report.files(output.written)
public struct Report: Sendable {
    /// The chapter number shown in the header, `Chapter 1 · …`.
    public var chapter: Int
    /// The chapter's title shown in the header.
    public var title: String
    private let sink: @Sendable (String) -> Void

    /// A report printing to standard output (flushed per call, so it interleaves with progress bars).
    public init(chapter: Int, title: String) {
        self.init(chapter: chapter, title: title, sink: StandardOutput.write)
    }

    /// A report printing through `sink` (each call receives complete lines ending in a newline).
    public init(chapter: Int, title: String, sink: @escaping @Sendable (String) -> Void) {
        self.chapter = chapter
        self.title = title
        self.sink = sink
    }

    private func emit(_ text: String) { sink(text.hasSuffix("\n") ? text : text + "\n") }

    /// `Chapter 1 · The GRU as a dynamical system`, a rule, and one line of settings (`key value`, in order).
    public func header(settings: KeyValuePairs<String, String> = [:]) {
        let heading = "Chapter \(chapter) · \(title)"
        var text = heading + "\n" + String(repeating: "═", count: heading.count) + "\n"
        if settings.count > 0 {
            text += settings.map { "\($0.key) \($0.value)" }.joined(separator: " · ") + "\n"
        }
        emit(text)
    }

    /// A blank line, a section's heading underlined with `─`, and one line of settings (`key value`, in
    /// order): the start of one part of the chapter's run. The book cuts the run's output at these
    /// titles and shows each part under the code that follows the prose heading of the same title, so
    /// a chapter calls `report.section("Title")` where its prose says `## Title` (or `###`).
    public func section(_ heading: String, settings: KeyValuePairs<String, String> = [:]) {
        var text = "\n" + heading + "\n" + String(repeating: "─", count: heading.count) + "\n"
        if settings.count > 0 {
            text += settings.map { "\($0.key) \($0.value)" }.joined(separator: " · ") + "\n"
        }
        emit(text)
    }

    /// A blank line and the table (``TextTable/render()``).
    public func table(_ table: TextTable) { emit("\n" + table.render()) }

    /// A blank line and a paragraph of text.
    public func note(_ text: String) { emit("\n" + text) }

    /// A section titled `title` (underlined, like ``section(_:settings:)``, so the book shows the list
    /// apart from the output cells), then one indented line per file, as a path relative to the current
    /// folder when it lies below it (absolute otherwise). Prints nothing when `urls` is empty.
    public func files(_ urls: [URL], title: String = "Files written") {
        guard !urls.isEmpty else { return }
        let cwd = FileManager.default.currentDirectoryPath
        let lines = urls.map { url -> String in
            let path = url.standardizedFileURL.path
            let shown = path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
            return "  " + shown
        }
        section(title)
        emit(lines.joined(separator: "\n"))
    }
}

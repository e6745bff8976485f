import Foundation

/// The few library routines the theory is about, woven into the chapters that explain them.
///
/// A library file marks a region with two comment lines,
///
///     // book: sensitivity-recursion
///     …the routine, with its doc comment…
///     // book: end
///
/// and a chapter's prose asks for it with a paragraph of its own, `[[library: sensitivity-recursion]]`.
/// The book then shows the routine under the prose, with the file it lives in, so the reader sees the
/// code that computes what the chapter explains rather than only a call into `Sources/`. A region
/// changed in the library makes the page stale, like a change in the chapter.
package struct LibraryRegion: Equatable, Sendable {
    /// The file, relative to the repository root (`Sources/GRUKit/…`).
    package var path: String
    /// The region's lines, without the marker lines and without their common indentation.
    package var code: String

    /// Every region of every `.swift` file below `sources` (a folder), by name; `root` is the folder the
    /// paths are written relative to. A name used twice keeps its first region (files in path order).
    package static func scan(_ sources: URL, relativeTo root: URL) -> [String: LibraryRegion] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [:] }
        let files = walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
        var regions: [String: LibraryRegion] = [:]
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let path = String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            for (name, code) in parse(text) where regions[name] == nil { regions[name] = LibraryRegion(path: path, code: code) }
        }
        return regions
    }

    /// The regions of one file's text, (name, code) in order; an unterminated region runs to the end.
    package static func parse(_ text: String) -> [(name: String, code: String)] {
        var out: [(String, String)] = []
        var name: String?, lines: [Substring] = []
        func close() {
            guard let n = name else { return }
            let indent = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
            out.append((n, lines.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(indent)) }.joined(separator: "\n")))
            name = nil; lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("// book: ") {
                let marker = t.dropFirst("// book: ".count).trimmingCharacters(in: .whitespaces)
                close()
                if marker != "end" { name = marker }
            } else if name != nil {
                lines.append(line)
            }
        }
        close()
        return out
    }

    /// The names of the `[[library: NAME]]` requests in `prose`, in order.
    package static func requests(_ prose: String) -> [String] {
        prose.split(separator: "\n").compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("[[library:"), t.hasSuffix("]]") else { return nil }
            return t.dropFirst("[[library:".count).dropLast(2).trimmingCharacters(in: .whitespaces)
        }
    }
}

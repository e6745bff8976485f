import Foundation

/// A chapter's `main.swift` read as a literate document, with Swift Playground markup:
/// a line `//: text` is prose, a block `/*: … */` is prose, and everything else is code.
///
/// ``parse(_:)`` splits the source into alternating prose and code blocks in source order,
/// which ``BookPage`` turns into a Markdown page. Prose keeps its Markdown as written (the
/// marker and one following space are removed, and a prose block's common indentation);
/// code blocks lose leading and trailing blank lines, and empty code blocks are dropped.
package enum LiterateSource {
    /// One stretch of the source, either prose or code.
    package enum Block: Equatable, Sendable {
        /// Markdown prose with the `//:` or `/*: */` markers removed; consecutive prose blocks that
        /// were separated only by blank lines are one block, paragraphs joined by a blank line.
        case prose(String)
        /// Swift code, verbatim (indentation kept), with no leading or trailing blank lines.
        case code(String)
    }

    /// Splits `source` into prose and code blocks in source order (see ``LiterateSource``).
    ///
    /// A blank line directly after prose separates it from the following code and belongs to
    /// neither. An unterminated `/*:` block runs to the end of the file as prose. Total: any
    /// text parses; an empty source gives no blocks.
    package static func parse(_ source: String) -> [Block] {
        var blocks: [Block] = []
        var prose: [String] = [], code: [String] = []
        func flushProse() {
            if !prose.isEmpty { blocks.append(.prose(dedent(prose).joined(separator: "\n"))) }
            prose = []
        }
        func flushCode() {
            var lines = code
            while let f = lines.first, f.allSatisfy(\.isWhitespace) { lines.removeFirst() }
            while let l = lines.last, l.allSatisfy(\.isWhitespace) { lines.removeLast() }
            if !lines.isEmpty { blocks.append(.code(lines.joined(separator: "\n"))) }
            code = []
        }
        var inBlock = false
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if inBlock {
                if let end = line.range(of: "*/") {
                    let before = String(line[..<end.lowerBound])
                    if !before.allSatisfy(\.isWhitespace) { prose.append(before) }
                    inBlock = false
                } else {
                    prose.append(line)
                }
                continue
            }
            if trimmed.hasPrefix("//:") {
                flushCode()
                var text = trimmed.dropFirst(3)
                if text.first == " " { text = text.dropFirst() }
                prose.append(String(text))
            } else if trimmed.hasPrefix("/*:") {
                flushCode()
                var text = trimmed.dropFirst(3)
                if let end = text.range(of: "*/") {
                    let inner = text[..<end.lowerBound]
                    if !inner.allSatisfy(\.isWhitespace) { prose.append(inner.trimmingSpaces) }
                } else {
                    if text.first == " " { text = text.dropFirst() }
                    if !text.allSatisfy(\.isWhitespace) { prose.append(String(text)) }
                    inBlock = true
                }
            } else {
                if !prose.isEmpty {
                    // A blank line right after prose belongs to neither; anything else starts code.
                    if trimmed.isEmpty { flushProse(); continue }
                    flushProse()
                }
                code.append(line)
            }
        }
        flushProse()
        flushCode()
        return merged(blocks)
    }

    /// Adjacent blocks of the same kind (prose separated only by blank lines) become one.
    private static func merged(_ blocks: [Block]) -> [Block] {
        var out: [Block] = []
        for b in blocks {
            if case .prose(let p) = b, case .prose(let q)? = out.last {
                out[out.count - 1] = .prose(q + "\n\n" + p)
            } else {
                out.append(b)
            }
        }
        return out
    }

    private static func dedent(_ lines: [String]) -> [String] {
        let indents = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " }.count }
        let common = indents.min() ?? 0
        return lines.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(common)) }
    }
}

private extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

import Foundation

/// One chapter of the book, woven from its source: prose as text, code as Swift code blocks,
/// the terminal output of its quick run, its figures, and "Run it yourself".
///
/// The part generated from the source alone sits between the markers ``sourceBegin`` and
/// ``sourceEnd``, so a test can regenerate it and detect a page that is stale.
public struct BookPage: Sendable {
    /// The HTML comment that opens the part woven from the source alone; invisible in rendered
    /// Markdown, it lets a test find that part in a committed page.
    public static let sourceBegin = "<!-- woven from the chapter source: begin -->"
    /// The HTML comment that closes the part woven from the source alone.
    public static let sourceEnd = "<!-- woven from the chapter source: end -->"

    /// The chapter folder name, `NN-slug`.
    public var slug: String
    /// The literate blocks of `Chapters/NN-slug/main.swift`.
    public var blocks: [LiterateSource.Block]
    /// The chapter's other source files (name, literate blocks), woven after `main.swift` in
    /// name order under "Supporting code".
    public var supportingFiles: [(name: String, blocks: [LiterateSource.Block])]
    /// What the chapter printed in its quick run (nil: not available).
    public var terminalOutput: String?
    /// The chapter's `--help` text (nil: not available).
    public var helpText: String?
    /// PNG file names in `figures/NN-slug/`, in display order.
    public var figures: [String]

    /// A page for chapter `slug` (`NN-slug`) whose `main.swift` text is `source`, parsed at once
    /// by ``LiterateSource/parse(_:)``; the other inputs are optional and only add sections.
    /// Never fails: any text is a valid (if dull) literate source.
    ///   - supporting: the chapter folder's other `.swift` files as (file name, contents); they are
    ///     sorted by name and woven after `main.swift`.
    public init(slug: String, source: String, supporting: [(name: String, source: String)] = [],
                terminalOutput: String? = nil, helpText: String? = nil, figures: [String] = []) {
        self.slug = slug
        self.blocks = LiterateSource.parse(source)
        self.supportingFiles = supporting.sorted { $0.name < $1.name }.map { ($0.name, LiterateSource.parse($0.source)) }
        self.terminalOutput = terminalOutput
        self.helpText = helpText
        self.figures = figures
    }

    /// `chNN-slug`, the executable's name.
    public var executable: String { "ch" + slug }

    /// The chapter's title: the first Markdown heading in its prose, else the slug.
    public var title: String {
        for case .prose(let p) in blocks {
            for line in p.split(separator: "\n") where line.hasPrefix("#") {
                return String(line.drop { $0 == "#" }.drop { $0 == " " })
            }
        }
        return slug
    }

    /// Where the page shows figure `name` from: `figures/NN-slug/NAME` relative to `book/`.
    public func figurePath(_ name: String) -> String { "figures/\(slug)/\(name)" }

    /// Image names the prose refers to with `![…](NAME.png)`, in order of appearance (repeats kept):
    /// targets ending in `.png` with no `/`, i.e. figures of the chapter's own folder.
    public var figuresReferencedInProse: [String] {
        var names: [String] = []
        for case .prose(let p) in blocks + supportingFiles.flatMap(\.blocks) {
            var rest = Substring(p)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let target = String(after[..<close])
                if target.hasSuffix(".png") && !target.contains("/") { names.append(target) }
                rest = after[close...]
            }
        }
        return names
    }

    /// The Markdown woven from the source alone (deterministic: a function of the chapter's files).
    public var sourceSection: String {
        var out = [BookPage.sourceBegin, ""]
        func weave(_ blocks: [LiterateSource.Block]) {
            for block in blocks {
                switch block {
                case .prose(let p): out.append(rewriteImageLinks(p))
                case .code(let c): out.append("```swift\n\(c)\n```")
                }
                out.append("")
            }
        }
        weave(blocks)
        if !supportingFiles.isEmpty {
            out.append("## Supporting code")
            out.append("")
            out.append("The chapter's other files, which `main.swift` calls into.")
            out.append("")
            for file in supportingFiles {
                out.append("### `Chapters/\(slug)/\(file.name)`")
                out.append("")
                weave(file.blocks)
            }
        }
        out.append(BookPage.sourceEnd)
        return out.joined(separator: "\n")
    }

    private func rewriteImageLinks(_ prose: String) -> String {
        var result = prose
        for name in Set(figuresReferencedInProse) {
            result = result.replacingAll("](\(name))", with: "](\(figurePath(name)))")
        }
        return result
    }

    /// The whole page: a do-not-edit comment, ``sourceSection``, "What it prints" (when there is
    /// terminal output), "Figures" (those the prose does not already show), and "Run it yourself"
    /// with the commands and the `--help` text.
    public var markdown: String {
        var out: [String] = []
        out.append("<!-- Generated by `make book` from Chapters/\(slug)/main.swift. Do not edit: edit the chapter. -->")
        out.append("")
        out.append(sourceSection)
        out.append("")
        if let terminalOutput, !terminalOutput.isEmpty {
            out.append("## What it prints")
            out.append("")
            out.append("The quick run (`\(executable)` with its defaults) printed:")
            out.append("")
            out.append("```text\n\(terminalOutput.trimmingTrailingNewlines)\n```")
            out.append("")
        }
        let shown = Set(figuresReferencedInProse)
        let remaining = figures.filter { !shown.contains($0) }
        if !remaining.isEmpty {
            out.append("## Figures")
            out.append("")
            for f in remaining {
                out.append("![\(f)](\(figurePath(f)))")
                out.append("")
            }
        }
        out.append("## Run it yourself")
        out.append("")
        out.append("```sh")
        out.append("make build                          # or: swift build -c release")
        out.append(".build/release/\(executable)          # quick default, writes figures/\(slug)/")
        out.append(".build/release/\(executable) --help   # every option")
        out.append("```")
        out.append("")
        if let helpText, !helpText.isEmpty {
            out.append("```text\n\(helpText.trimmingTrailingNewlines)\n```")
            out.append("")
        }
        out.append("Every figure is a data file plus a gnuplot script that redraws it without Swift:")
        out.append("")
        out.append("```sh")
        out.append("cd figures/\(slug) && for f in *.gp; do gnuplot \"$f\"; done")
        out.append("```")
        out.append("")
        return out.joined(separator: "\n")
    }

    /// The figure the table of contents shows: the first one the prose shows, else the first PNG.
    public var keyFigure: String? { figuresReferencedInProse.first ?? figures.first }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = "", rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

import Foundation
import GRUKitChapterSupport

/// One chapter of the book, woven from its source: prose as text, code as Swift code blocks,
/// the terminal output of its quick run, its figures, and "Run it yourself".
///
/// Like a notebook, the output sits under the code that printed it: a chapter opens each part of its
/// run with `report.section("Title")`, which prints `Title` underlined with `─`, and its prose has a
/// heading `## Title` (or `###`) just before that part's code. The weaver cuts the terminal output
/// at those underlined titles (``outputCells(_:)``) and puts each cell after the code that follows
/// the heading of the same title, before the next heading. What matches no heading (the run's header
/// line, the list of files written) is shown at the end under "The rest of what it prints".
///
/// The part generated from the source alone sits between the markers ``sourceBegin`` and
/// ``sourceEnd``; output cells inside it are wrapped in ``outputBegin`` / ``outputEnd`` and woven
/// values in comments that name them, so a test can undo both (``normalizedForComparison(_:)``),
/// regenerate the rest from the source and detect a page that is stale.
package struct BookPage: Sendable {
    /// The HTML comment that opens the part woven from the source alone; invisible in rendered
    /// Markdown, it lets a test find that part in a committed page.
    package static let sourceBegin = "<!-- woven from the chapter source: begin -->"
    /// The HTML comment that closes the part woven from the source alone.
    package static let sourceEnd = "<!-- woven from the chapter source: end -->"
    /// The HTML comment that opens an output cell (what the run printed under the code before it).
    package static let outputBegin = "<!-- output: begin -->"
    /// The HTML comment that closes an output cell.
    package static let outputEnd = "<!-- output: end -->"

    /// One part of a run's terminal output: the lines after the underlined title `title` up to the
    /// next underlined title (the title and its underline not included).
    package struct OutputCell: Equatable, Sendable {
        /// The section title the chapter printed (`report.section`), matched against prose headings.
        package var title: String
        /// What the run printed in that section, without leading and trailing blank lines.
        package var text: String
    }

    /// Cuts terminal output at its section titles: a line followed by a line of exactly as many `─`
    /// (U+2500) characters, as `Report.section` prints them. Returns the text before the first title
    /// (the header) and the cells in order. Output without titles is all preamble.
    package static func outputCells(_ output: String) -> (preamble: String, cells: [OutputCell]) {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func isUnderline(_ i: Int) -> Bool {
            i > 0 && i < lines.count && !lines[i - 1].isEmpty && lines[i].count == lines[i - 1].count
                && lines[i].allSatisfy { $0 == "─" }
        }
        func trimmed(_ part: ArraySlice<String>) -> String {
            var part = part
            while let f = part.first, f.allSatisfy(\.isWhitespace) { part.removeFirst() }
            while let l = part.last, l.allSatisfy(\.isWhitespace) { part.removeLast() }
            return part.joined(separator: "\n")
        }
        var preamble = "", cells: [OutputCell] = []
        var start = 0, title: String?
        var i = 0
        while i < lines.count {
            if isUnderline(i + 1) {
                let body = trimmed(lines[start..<i])
                if let title { cells.append(OutputCell(title: title, text: body)) } else { preamble = body }
                title = lines[i]
                i += 2
                start = i
                continue
            }
            i += 1
        }
        let body = trimmed(lines[min(start, lines.count)...])
        if let title { cells.append(OutputCell(title: title, text: body)) } else { preamble = body }
        return (preamble, cells)
    }

    /// A code block as Markdown, with the plumbing folded away: command-line declarations (three or
    /// more `@Option`/`@Flag`/`@OptionGroup` lines, up to the chapter's `func run() throws {`, which stays
    /// visible) and figure layout (a function returning a `Figure`) go into a collapsed `<details>`
    /// block, so that the page shows the computation and the reader opens the plumbing on demand.
    static func foldingPlumbing(_ code: String) -> String {
        func fenced(_ c: String) -> String { "```swift\n\(c)\n```" }
        func folded(_ c: String, _ summary: String) -> String {
            "<details><summary>\(summary)</summary>\n\n\(fenced(c))\n\n</details>"
        }
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        let declarations = lines.filter { l in ["@Option", "@Flag", "@OptionGroup"].contains { l.trimmingCharacters(in: .whitespaces).hasPrefix($0) } }.count
        if declarations >= 3 {
            if let run = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("func run() throws {") }), run > 0 {
                let head = lines[..<run].joined(separator: "\n"), tail = lines[run...].joined(separator: "\n")
                return folded(head, "The command line: \(declarations) options and their checks") + "\n\n" + fenced(tail)
            }
            return folded(code, "The command line: \(declarations) options and their checks")
        }
        if let first = lines.first(where: { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") && !$0.allSatisfy(\.isWhitespace) }),
           first.hasPrefix("func "), first.contains("-> Figure {") {
            let name = first.dropFirst("func ".count).prefix { $0 != "(" && $0 != "<" }
            return folded(code, "Figure layout: `\(name)`")
        }
        return fenced(code)
    }

    /// The headings of a prose block (`#`, `##`, … lines), their text without the `#`s.
    static func headings(_ prose: String) -> [String] {
        prose.split(separator: "\n").filter { $0.hasPrefix("#") }
            .map { String($0.drop { $0 == "#" }.drop { $0 == " " }).trimmingCharacters(in: .whitespaces) }
    }

    /// `page` without its output cells (each ``outputBegin`` … ``outputEnd`` with the blank line after
    /// it): what remains of a woven page is ``sourceSection`` again.
    package static func removingOutputCells(_ page: String) -> String {
        var out = "", rest = Substring(page)
        while let open = rest.range(of: outputBegin), let close = rest[open.upperBound...].range(of: outputEnd) {
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
            if rest.hasPrefix("\n\n") { rest = rest.dropFirst(2) } else if rest.hasPrefix("\n") { rest = rest.dropFirst() }
        }
        return out + rest
    }

    /// The chapter folder name, `NN-slug`.
    package var slug: String
    /// The literate blocks of `Chapters/NN-slug/main.swift`.
    package var blocks: [LiterateSource.Block]
    /// The chapter's other source files (name, literate blocks), woven after `main.swift` in
    /// name order under "Supporting code".
    package var supportingFiles: [(name: String, blocks: [LiterateSource.Block])]
    /// What the chapter printed in its quick run (nil: not available).
    package var terminalOutput: String?
    /// The chapter's `--help` text (nil: not available).
    package var helpText: String?
    /// Figure file names (PNG images, animated GIFs) in `figures/NN-slug/`, in display order.
    package var figures: [String]
    /// The values the chapters' runs recorded (`figures/NN-slug/values.tsv`), by chapter number, for the
    /// `{{name}}` (this chapter's) and `{{NN.name}}` (chapter NN's) placeholders of the prose; nil: the
    /// placeholders stay as written (the source-only weave).
    package var values: [Int: RecordedValues]?
    /// The library's marked regions (``LibraryRegion/scan(_:relativeTo:)``), for the prose's
    /// `[[library: NAME]]` requests; a request with no region is shown as written (and reported by
    /// ``unresolvedLibraryRegions``).
    package var library: [String: LibraryRegion]

    /// A page for chapter `slug` (`NN-slug`) whose `main.swift` text is `source`, parsed at once
    /// by ``LiterateSource/parse(_:)``; the other inputs are optional and only add sections.
    /// Never fails: any text is a valid (if dull) literate source.
    ///   - supporting: the chapter folder's other `.swift` files as (file name, contents); they are
    ///     sorted by name and woven after `main.swift`.
    package init(slug: String, source: String, supporting: [(name: String, source: String)] = [],
                terminalOutput: String? = nil, helpText: String? = nil, figures: [String] = [], values: [Int: RecordedValues]? = nil,
                library: [String: LibraryRegion] = [:]) {
        self.slug = slug
        self.blocks = LiterateSource.parse(source)
        self.supportingFiles = supporting.sorted { $0.name < $1.name }.map { ($0.name, LiterateSource.parse($0.source)) }
        self.terminalOutput = terminalOutput
        self.helpText = helpText
        self.figures = figures
        self.values = values
        self.library = library
    }

    /// The `[[library: NAME]]` requests of the prose that ``library`` has no region for.
    package var unresolvedLibraryRegions: [String] {
        var missing: [String] = []
        for case .prose(let p) in blocks + supportingFiles.flatMap(\.blocks) {
            for name in LibraryRegion.requests(p) where library[name] == nil && !missing.contains(name) { missing.append(name) }
        }
        return missing
    }

    /// The prose with each `[[library: NAME]]` line replaced by the region: a line naming its file, then
    /// the code (the request stays as written when there is no such region).
    func includingLibrary(_ prose: String) -> String {
        guard prose.contains("[[library:") else { return prose }
        return prose.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let name = LibraryRegion.requests(String(line)).first, let region = library[name] else { return String(line) }
            return "From the library, `\(region.path)`:\n\n```swift\n\(region.code)\n```"
        }.joined(separator: "\n")
    }

    /// The chapter's number, from the slug's leading digits.
    package var chapter: Int? { Int(slug.prefix(while: \.isNumber)) }

    /// The value of placeholder `key`: `NN.name` is chapter NN's `name`, anything else this chapter's.
    func value(of key: String, in values: [Int: RecordedValues]) -> String? {
        if let dot = key.firstIndex(of: "."), key[..<dot].allSatisfy(\.isNumber), let n = Int(key[..<dot]) {
            return values[n]?[String(key[key.index(after: dot)...])]
        }
        return chapter.flatMap { values[$0]?[key] }
    }

    /// The placeholders of the prose (main.swift and the supporting files) that ``values`` cannot
    /// resolve; empty when every cited name was recorded (or when ``values`` is nil).
    package var unresolvedPlaceholders: [String] {
        guard let values else { return [] }
        var missing: [String] = []
        for case .prose(let p) in blocks + supportingFiles.flatMap(\.blocks) {
            for key in RecordedValues.substitute(p, { value(of: $0, in: values) }).unresolved where !missing.contains(key) { missing.append(key) }
        }
        return missing
    }

    /// The longest run of console output a page may show in one block: a page shows summaries, and
    /// per-batch logs belong on standard error or in a run's own log file.
    package static let maximumOutputLines = 40

    /// What keeps this page from reading as a notebook, one sentence each (none for a good page):
    /// a figure the chapter writes that its prose never shows (a page places every figure where the
    /// prose discusses it, rather than in a heap at the end), an image whose alt text is only its file
    /// name (alt text says what the figure shows), and a block of console output longer than
    /// ``maximumOutputLines`` lines.
    package var layoutProblems: [String] {
        var problems: [String] = []
        let shown = Set(figuresReferencedInProse)
        for f in figures where !shown.contains(f) {
            problems.append("it writes \(f), but its prose never shows it: add `![what the figure shows](\(f))` where the prose discusses it")
        }
        for case .prose(let p) in blocks + supportingFiles.flatMap(\.blocks) {
            var rest = Substring(p)
            while let open = rest.range(of: "![") {
                let after = rest[open.upperBound...]
                guard let close = after.range(of: "](") else { break }
                let alt = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                let target = after[close.upperBound...].prefix { $0 != ")" }
                if alt.isEmpty || alt == target || alt + ".png" == target || alt + ".gif" == target {
                    problems.append("the image \(target) has no alt text beyond its name: say what the figure shows")
                }
                rest = after[close.upperBound...]
            }
        }
        let (preamble, cells) = self.cells
        for (title, text) in [("its header", preamble)] + cells.map({ ($0.title, $0.text) }) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            if lines > Self.maximumOutputLines {
                problems.append("the output of \"\(title)\" is \(lines) lines long (at most \(Self.maximumOutputLines)): "
                                + "print a summary, and send per-batch lines to standard error")
            }
        }
        return problems
    }

    /// `{{key}}` replaced by `<!--{{key}}-->VALUE<!--/-->` where ``values`` has the value (the comments are
    /// invisible in rendered Markdown and let ``normalizedForComparison(_:)`` undo the substitution).
    func substitutingValues(_ prose: String) -> String {
        guard let values else { return prose }
        return RecordedValues.substitute(prose) { key in value(of: key, in: values).map { "<!--{{\(key)}}-->\($0)<!--/-->" } }.text
    }

    /// A committed page brought back to what the source alone weaves: without its output cells
    /// (``removingOutputCells(_:)``) and with every woven value turned back into its `{{key}}`.
    package static func normalizedForComparison(_ page: String) -> String {
        var out = "", rest = Substring(removingOutputCells(page))
        while let open = rest.range(of: "<!--{{"), let keyEnd = rest[open.upperBound...].range(of: "}}-->"),
              let end = rest[keyEnd.upperBound...].range(of: "<!--/-->") {
            out += rest[..<open.lowerBound] + "{{" + rest[open.upperBound ..< keyEnd.lowerBound] + "}}"
            rest = rest[end.upperBound...]
        }
        return out + rest
    }

    /// `chNN-slug`, the executable's name.
    package var executable: String { "ch" + slug }

    /// The chapter's title: the first Markdown heading in its prose, else the slug.
    package var title: String {
        for case .prose(let p) in blocks {
            for line in p.split(separator: "\n") where line.hasPrefix("#") {
                return String(line.drop { $0 == "#" }.drop { $0 == " " })
            }
        }
        return slug
    }

    /// Where the page shows figure `name` from: `figures/NN-slug/NAME` relative to `book/`.
    package func figurePath(_ name: String) -> String { "figures/\(slug)/\(name)" }

    /// Image names the prose refers to with `![…](NAME.png)` or `![…](NAME.gif)`, in order of appearance
    /// (repeats kept): targets ending in `.png` or `.gif` with no `/`, i.e. figures of the chapter's own folder.
    package var figuresReferencedInProse: [String] {
        var names: [String] = []
        for case .prose(let p) in blocks + supportingFiles.flatMap(\.blocks) {
            var rest = Substring(p)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let target = String(after[..<close])
                if (target.hasSuffix(".png") || target.hasSuffix(".gif")) && !target.contains("/") { names.append(target) }
                rest = after[close...]
            }
        }
        return names
    }

    /// The Markdown woven from the source alone (deterministic: a function of the chapter's files).
    package var sourceSection: String {
        var raw = self
        raw.values = nil
        return raw.woven(cells: []).text
    }

    /// The output cells of ``terminalOutput`` (none without output).
    package var cells: (preamble: String, cells: [OutputCell]) {
        terminalOutput.map(Self.outputCells) ?? ("", [])
    }

    /// The woven source with `cells` placed under the code of the headings they match, and the cells
    /// that matched no heading. The first heading of a title takes every cell of that title, in the
    /// run's order: a chapter whose code runs twice (once per model, say) shows both outputs under it.
    func woven(cells: [OutputCell]) -> (text: String, unplaced: [OutputCell]) {
        var out = [BookPage.sourceBegin, ""]
        var queue = cells
        var open: [OutputCell] = []
        func flush() {
            let text = open.map(\.text).filter { !$0.isEmpty }.joined(separator: "\n\n")
            open = []
            guard !text.isEmpty else { return }
            out.append(BookPage.outputBegin)
            out.append("```text\n\(text)\n```")
            out.append(BookPage.outputEnd)
            out.append("")
        }
        func weave(_ blocks: [LiterateSource.Block]) {
            for block in blocks {
                switch block {
                case .prose(let p):
                    for heading in Self.headings(p) {
                        flush()
                        open = queue.filter { $0.title == heading }
                        queue.removeAll { $0.title == heading }
                    }
                    out.append(includingLibrary(substitutingValues(rewriteImageLinks(p))))
                case .code(let c): out.append(Self.foldingPlumbing(c))
                }
                out.append("")
            }
            flush()
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
        return (out.joined(separator: "\n"), queue)
    }

    private func rewriteImageLinks(_ prose: String) -> String {
        var result = prose
        for name in Set(figuresReferencedInProse) {
            result = result.replacingAll("](\(name))", with: "](\(figurePath(name)))")
        }
        return result
    }

    /// The whole page: a do-not-edit comment, ``sourceSection``, "What it prints" (when there is
    /// terminal output) and "Run it yourself" with the commands and the `--help` text. Every figure
    /// sits where the prose shows it (``layoutProblems`` stops the book otherwise).
    package var markdown: String {
        var out: [String] = []
        out.append("<!-- Generated by `make book` from Chapters/\(slug)/main.swift. Do not edit: edit the chapter. -->")
        out.append("")
        let (preamble, cells) = self.cells
        let (woven, unplaced) = self.woven(cells: cells)
        out.append(woven)
        out.append("")
        if let terminalOutput, !terminalOutput.isEmpty {
            // Everything the run printed that no heading claimed: the header, and any section whose
            // title the prose does not use (printed in full, in the run's order).
            var rest = preamble.isEmpty ? [] : [preamble]
            for cell in unplaced { rest.append(cell.title + "\n" + String(repeating: "─", count: cell.title.count) + "\n" + cell.text) }
            if unplaced.count < cells.count {
                if !rest.isEmpty {
                    out.append("## The rest of what it prints")
                    out.append("")
                    out.append("The quick run (`\(executable)` with its defaults) printed each section's output under its code above; "
                               + "its header and what no section claimed:")
                    out.append("")
                    out.append("```text\n\(rest.joined(separator: "\n\n"))\n```")
                    out.append("")
                }
            } else {
                out.append("## What it prints")
                out.append("")
                out.append("The quick run (`\(executable)` with its defaults) printed:")
                out.append("")
                out.append("```text\n\(terminalOutput.trimmingTrailingNewlines)\n```")
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
            // Folded: the reference of every option is there on demand, not in the reading path.
            out.append("<details><summary>Every option (<code>--help</code>)</summary>")
            out.append("")
            out.append("```text\n\(helpText.trimmingTrailingNewlines)\n```")
            out.append("")
            out.append("</details>")
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

    /// The figure the table of contents shows: the first one the prose shows, else the first figure file.
    package var keyFigure: String? { figuresReferencedInProse.first ?? figures.first }
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

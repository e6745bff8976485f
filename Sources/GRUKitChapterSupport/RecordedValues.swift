import Foundation
import GRUKit
import GRUKitPresentation

/// Numbers a chapter's run measured, each under a name, so that prose elsewhere (the book's claims
/// ledger) can cite the run's value instead of a number typed by hand: `values["sgd.diverged"] =
/// "5/5"` in chapter 5, `{{05.sgd.diverged}}` in a page's template. Written as `values.tsv` in the
/// chapter's output folder, one `name<TAB>value` line each, sorted by name.
package struct RecordedValues: Sendable, Equatable {
    /// The values by name.
    package private(set) var values: [String: String] = [:]

    /// No values yet.
    package init() {}

    /// The value recorded under `name`. A name is letters, digits, `.`, `-`, `_`, `+`; a value is one line.
    package subscript(name: String) -> String? {
        get { values[name] }
        set {
            precondition(Self.isValidName(name), "RecordedValues: \(name) is not a valid name (letters, digits, . - _ +)")
            precondition(!(newValue ?? "").contains(where: { $0.isNewline || $0 == "\t" }), "RecordedValues: \(name)'s value must be one line")
            values[name] = newValue
        }
    }

    /// Whether `name` can name a value: non-empty ASCII letters, digits, `.`, `-`, `_`, `+` (run names such as `clip5+project0.2-lr10`).
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-+".contains($0)) }
    }

    /// `text` (a name that came from a file, e.g. a log's file name) as a valid name: every character
    /// that ``isValidName(_:)`` does not allow becomes `_`, and an empty text `_`. A valid name is
    /// returned unchanged, so the names of ordinary runs are what they were; names that differ only
    /// in such characters collide, and the later value wins.
    package static func safeName(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-+".contains($0)) ? $0 : "_" })
        return mapped.isEmpty ? "_" : mapped
    }

    /// The file's text: `name<TAB>value` lines sorted by name.
    package var text: String { values.keys.sorted().map { "\($0)\t\(values[$0]!)\n" }.joined() }

    /// Reads a `values.tsv`.
    /// - Throws: ``ChapterError/message(_:)`` naming the file and line of a line without a tab.
    package init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let tab = line.firstIndex(of: "\t") else {
                throw ChapterError.message("\(url.path):\(k + 1): expected NAME<TAB>VALUE")
            }
            values[String(line[..<tab])] = String(line[line.index(after: tab)...])
        }
    }

    /// Writes `values.tsv` into `directory` atomically and returns its URL.
    @discardableResult
    package func write(to directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("values.tsv")
        try AtomicFile.write(text, to: url)
        return url
    }

    /// `text` with every `{{key}}` replaced by `replacement(key)`, or left as written where it returns
    /// nil, and the keys so left (in order, repeats kept). The one scanner of placeholders: the claims
    /// ledger (``weave(_:values:)``) and the book's chapter pages both go through it.
    package static func substitute(_ text: String, _ replacement: (String) -> String?) -> (text: String, unresolved: [String]) {
        var out = "", unresolved: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let key = String(rest[open.upperBound ..< close.lowerBound])
            out += rest[..<open.lowerBound]
            if let value = replacement(key) { out += value } else { unresolved.append(key); out += "{{\(key)}}" }
            rest = rest[close.upperBound...]
        }
        return (out + rest, unresolved)
    }

    /// The value chapter NN recorded under `name` for a key `NN.name` (nil for a key of another form).
    static func value(ofChapterKey key: String, in values: [Int: RecordedValues]) -> String? {
        guard let dot = key.firstIndex(of: "."), let chapter = Int(key[..<dot]) else { return nil }
        return values[chapter]?[String(key[key.index(after: dot)...])]
    }

    /// Replaces every `{{NN.name}}` in `template` with the value chapter NN recorded under `name`
    /// (`values[NN]`), e.g. `{{05.quick.sgd.diverged}}`.
    /// - Throws: ``ChapterError/message(_:)`` listing every placeholder without a value (a page must
    ///   not cite a number the run did not produce).
    package static func weave(_ template: String, values: [Int: RecordedValues]) throws -> String {
        let (text, missing) = substitute(template) { value(ofChapterKey: $0, in: values) }
        if !missing.isEmpty { throw ChapterError.message("no recorded value for " + missing.map { "{{\($0)}}" }.joined(separator: ", ")) }
        return text
    }

    /// The `{{NN.name}}` placeholders of a template, as (chapter, name) pairs in order.
    package static func placeholders(_ template: String) -> [(chapter: Int, name: String)] {
        substitute(template) { _ in nil }.unresolved.compactMap { key in
            guard let dot = key.firstIndex(of: "."), let chapter = Int(key[..<dot]) else { return nil }
            return (chapter, String(key[key.index(after: dot)...]))
        }
    }
}

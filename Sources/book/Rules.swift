import Foundation
import GRUKitChapterSupport

/// Written rules that choose the claims ledger's verdicts and comparison-dependent sentences from
/// the recorded values, so that the ledger's words cannot drift from its numbers.
///
/// Besides `{{NN.name}}` (the value chapter NN recorded under `name`), a template may hold:
///
/// - `{{verdict: WORD if CONDITION | WORD if CONDITION | otherwise WORD}}`: the first WORD whose
///   condition holds, in bold, followed by the rule and the values it read. A condition that cannot
///   be decided because a value has not been recorded yet (a run still to be made) stops the
///   search: the verdict is **undecided**, naming the values it needs. `otherwise` applies only
///   when every condition is known to be false.
/// - `{{if CONDITION: TEXT | elif CONDITION: TEXT | else: TEXT | unknown: TEXT}}`: the text of the
///   first branch that holds (nothing when none does). `unknown:` is taken when a condition
///   reached before a true one needs a value not recorded; without an `unknown:` branch that stops
///   the book, naming the values.
/// - `{{assert CONDITION: TEXT}}`: a sentence with its stated condition. TEXT is written when the
///   condition holds; when it is false (or undecidable) the book stops, naming the sentence, the
///   rule and the values, because the sentence would say something its numbers contradict.
///
/// A CONDITION compares values and numbers: `05.pooled.spearman >= 0.5`, `08.sgd.origin == "stable"`,
/// joined by `and`, `or`, `not` and parentheses. Operators: `<`, `<=`, `>`, `>=`, `==`, `!=` (and
/// `≤`, `≥`, `≠`). A value compares as a number when it reads as one, optionally followed by a unit
/// (`3.1 %`, `0.02 s`); `count(KEY)` and `total(KEY)` read a value `k/n` as k and n; `known(KEY)`
/// is true when the value has been recorded (never undecidable). Branch texts may hold further
/// placeholders and rules; `|` separates branches only outside nested `{{…}}`.
package enum Rules {
    /// Why a template could not be woven: the message names the rule, the values and what to do.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// A condition's truth: known, or undecidable for want of the values named.
    package enum Truth: Equatable, Sendable {
        case yes, no
        case unknown(missing: [String])

        static func and(_ a: Truth, _ b: Truth) -> Truth {
            switch (a, b) {
            case (.no, _), (_, .no): return .no
            case (.yes, .yes): return .yes
            default: return .unknown(missing: a.missing + b.missing)
            }
        }
        static func or(_ a: Truth, _ b: Truth) -> Truth {
            switch (a, b) {
            case (.yes, _), (_, .yes): return .yes
            case (.no, .no): return .no
            default: return .unknown(missing: a.missing + b.missing)
            }
        }
        var missing: [String] { if case .unknown(let m) = self { return m } else { return [] } }
    }

    /// `template` with every placeholder and rule resolved against `values` (chapter number → values).
    /// - Throws: ``Failure`` for a value not recorded outside an undecided branch, a false `assert`,
    ///   an undecidable `if` without `unknown:`, or a rule that does not parse.
    package static func weave(_ template: String, values: [Int: RecordedValues]) throws -> String {
        var out = "", missing: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = matchingClose(rest, from: open.upperBound) else {
                throw Failure(description: "an unclosed {{ in \"\(excerpt(rest[open.lowerBound...]))\"")
            }
            let inner = String(rest[open.upperBound ..< close.lowerBound])
            rest = rest[close.upperBound...]
            let trimmed = inner.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("verdict:") {
                out += try verdict(String(trimmed.dropFirst("verdict:".count)), values: values)
            } else if trimmed.hasPrefix("if ") {
                out += try weave(try conditional(trimmed, values: values), values: values)
            } else if trimmed.hasPrefix("assert ") {
                out += try weave(try assertion(trimmed, values: values), values: values)
            } else if let v = value(trimmed, in: values) {
                out += v
            } else {
                missing.append(trimmed)
            }
        }
        if !missing.isEmpty {
            throw Failure(description: "no recorded value for " + missing.map { "{{\($0)}}" }.joined(separator: ", "))
        }
        return out + rest
    }

    /// The value of a key `NN.name`.
    static func value(_ key: String, in values: [Int: RecordedValues]) -> String? {
        guard let dot = key.firstIndex(of: "."), let chapter = Int(key[..<dot]) else { return nil }
        return values[chapter]?[String(key[key.index(after: dot)...])]
    }

    /// The `}}` that closes the `{{` opened just before `start`, counting nested pairs.
    static func matchingClose(_ text: Substring, from start: Substring.Index) -> Range<Substring.Index>? {
        var depth = 1, i = start
        while i < text.endIndex {
            let rest = text[i...]
            if rest.hasPrefix("{{") { depth += 1; i = text.index(i, offsetBy: 2); continue }
            if rest.hasPrefix("}}") {
                depth -= 1
                let end = text.index(i, offsetBy: 2)
                if depth == 0 { return i ..< end }
                i = end; continue
            }
            i = text.index(after: i)
        }
        return nil
    }

    /// `text` split at `|` outside nested `{{…}}`, each part trimmed.
    static func branches(_ text: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        var i = text.startIndex
        while i < text.endIndex {
            let rest = text[i...]
            if rest.hasPrefix("{{") { depth += 1; current += "{{"; i = text.index(i, offsetBy: 2); continue }
            if rest.hasPrefix("}}") { depth -= 1; current += "}}"; i = text.index(i, offsetBy: 2); continue }
            if text[i] == "|" && depth == 0 { parts.append(current); current = "" } else { current.append(text[i]) }
            i = text.index(after: i)
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// `CONDITION: TEXT` split at the first `:` outside quotes.
    static func conditionAndText(_ branch: String, rule: String) throws -> (condition: String, text: String) {
        var inQuotes = false
        for i in branch.indices {
            if branch[i] == "\"" { inQuotes.toggle() }
            if branch[i] == ":" && !inQuotes {
                return (String(branch[..<i]).trimmingCharacters(in: .whitespaces),
                        String(branch[branch.index(after: i)...]).trimmingCharacters(in: .whitespaces))
            }
        }
        throw Failure(description: "the rule {{\(rule)}} has a branch without \"CONDITION: TEXT\": \"\(branch)\"")
    }

    static func conditional(_ rule: String, values: [Int: RecordedValues]) throws -> String {
        var unknownText: String?
        var pending: [String] = []
        let parts = branches(rule)
        for (k, part) in parts.enumerated() {
            let keyword = ["if ", "elif ", "else:", "unknown:"].first { part.hasPrefix($0) }
            guard let keyword, (keyword == "if ") == (k == 0) else {
                throw Failure(description: "the rule {{\(excerpt(rule))}} has a branch \"\(excerpt(part))\"; "
                              + "write {{if C: … | elif C: … | else: … | unknown: …}}")
            }
            if keyword == "unknown:" { unknownText = String(part.dropFirst(keyword.count)).trimmingCharacters(in: .whitespaces) }
        }
        for part in parts {
            if part.hasPrefix("else:") {
                if pending.isEmpty { return String(part.dropFirst("else:".count)).trimmingCharacters(in: .whitespaces) }
                break
            }
            if part.hasPrefix("unknown:") { continue }
            let body = part.hasPrefix("if ") ? String(part.dropFirst(3)) : String(part.dropFirst(5))
            let (condition, text) = try conditionAndText(body, rule: excerpt(rule))
            switch try evaluate(condition, values: values) {
            case .yes: if pending.isEmpty { return text }
            case .no: continue
            case .unknown(let m): pending += m
            }
            if !pending.isEmpty { break }
        }
        if pending.isEmpty { return "" }
        if let unknownText { return unknownText }
        throw Failure(description: "the rule {{\(excerpt(rule))}} cannot be decided: no recorded value for "
                      + unique(pending).map { "{{\($0)}}" }.joined(separator: ", ")
                      + " (add an \"unknown:\" branch for a run still to be made)")
    }

    static func assertion(_ rule: String, values: [Int: RecordedValues]) throws -> String {
        let (condition, text) = try conditionAndText(String(rule.dropFirst("assert ".count)), rule: excerpt(rule))
        let truth = try evaluate(condition, values: values)
        if truth == .yes { return text }
        let reads = keys(in: condition).map { "\($0) = " + (value($0, in: values).map { "\"\($0)\"" } ?? "not recorded") }
        throw Failure(description: "the sentence \"\(excerpt(text))\" states the condition \(condition), which is "
                      + (truth == .no ? "false" : "undecidable") + " for its numbers (" + reads.joined(separator: ", ")
                      + "): rewrite the sentence as a rule ({{if …}}) or check the run")
    }

    static func verdict(_ rule: String, values: [Int: RecordedValues]) throws -> String {
        var chosen: String?, pending: [String] = []
        let parts = branches(rule)
        var readable: [String] = []
        for part in parts {
            if part.hasPrefix("otherwise ") {
                let word = String(part.dropFirst("otherwise ".count))
                readable.append("otherwise \(word)")
                if chosen == nil && pending.isEmpty { chosen = word }
                continue
            }
            guard let ifRange = part.range(of: " if ") else {
                throw Failure(description: "the verdict rule {{verdict:\(excerpt(rule))}} has a branch \"\(part)\"; "
                              + "write WORD if CONDITION | … | otherwise WORD")
            }
            let word = String(part[..<ifRange.lowerBound]), condition = String(part[ifRange.upperBound...])
            readable.append("\(word) if \(condition)")
            if chosen != nil || !pending.isEmpty { _ = try evaluate(condition, values: values); continue }
            switch try evaluate(condition, values: values) {
            case .yes: chosen = word
            case .no: break
            case .unknown(let m): pending += m
            }
        }
        let read = unique(parts.flatMap { keys(in: $0) }).compactMap { k in value(k, in: values).map { "\(k) = \($0)" } }
        let word = chosen ?? "undecided"
        var text = "**\(word)**"
        if chosen == nil {
            text += " (needs " + unique(pending).joined(separator: ", ") + ", not recorded yet)"
        }
        text += " — by the rule: " + readable.joined(separator: "; ")
        if !read.isEmpty { text += " (values: " + read.joined(separator: ", ") + ")" }
        return text
    }

    static func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    static func excerpt(_ s: some StringProtocol) -> String {
        let one = s.replacingOccurrences(of: "\n", with: " ")
        return one.count <= 160 ? one : String(one.prefix(157)) + "…"
    }

    // MARK: conditions

    enum Token: Equatable {
        case number(Double), string(String), key(String), word(String), op(String), open, close
    }

    /// The keys `NN.name` a condition reads.
    static func keys(in condition: String) -> [String] {
        ((try? tokens(condition)) ?? []).compactMap { if case .key(let k) = $0 { return k } else { return nil } }
    }

    static func tokens(_ text: String) throws -> [Token] {
        var out: [Token] = []
        let chars = Array(text)
        var i = 0
        func isNameCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || "._-+".contains(c)) }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "(" { out.append(.open); i += 1; continue }
            if c == ")" { out.append(.close); i += 1; continue }
            if c == "\"" {
                guard let end = chars[(i + 1)...].firstIndex(of: "\"") else { throw Failure(description: "an unclosed quote in the condition \(text)") }
                out.append(.string(String(chars[(i + 1) ..< end]))); i = end + 1; continue
            }
            if "≤≥≠".contains(c) { out.append(.op(c == "≤" ? "<=" : c == "≥" ? ">=" : "!=")); i += 1; continue }
            if "<>=!".contains(c) {
                var op = String(c)
                if i + 1 < chars.count, chars[i + 1] == "=" { op.append("="); i += 1 }
                i += 1
                if op == "=" { op = "==" }
                guard op != "!" else { throw Failure(description: "a lone ! in the condition \(text); write not or !=") }
                out.append(.op(op)); continue
            }
            if c.isNumber || c == "-" || c.isLetter {
                var j = i + 1
                while j < chars.count, isNameCharacter(chars[j]) { j += 1 }
                let word = String(chars[i ..< j])
                i = j
                if let dot = word.firstIndex(of: "."), word[..<dot].allSatisfy(\.isNumber), !word[..<dot].isEmpty,
                   let next = word[word.index(after: dot)...].first, next.isLetter {
                    out.append(.key(word))
                } else if let x = Double(word) {
                    out.append(.number(x))
                } else if word.allSatisfy(\.isLetter) {
                    out.append(.word(word))
                } else {
                    throw Failure(description: "\"\(word)\" in the condition \(text) is neither a number nor a key NN.name")
                }
                continue
            }
            throw Failure(description: "unexpected \"\(c)\" in the condition \(text)")
        }
        return out
    }

    /// An operand's value: a number, a string, or not recorded (the key).
    enum Operand { case number(Double), text(String), missing(String) }

    /// A recorded value read as a number: the whole value, or a leading number followed by a unit
    /// (`3.1 %`, `0.02 s`); nil for anything else (`3/5`, `stable`).
    static func number(_ value: String) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let x = Double(v) { return x }
        guard let space = v.firstIndex(of: " "), let x = Double(v[..<space]) else { return nil }
        let unit = v[v.index(after: space)...]
        return unit.count <= 3 && !unit.contains(where: \.isNumber) ? x : nil
    }

    /// Evaluates a condition against the values.
    package static func evaluate(_ condition: String, values: [Int: RecordedValues]) throws -> Truth {
        let ts = try tokens(condition)
        var p = 0
        func fail(_ why: String) -> Failure { Failure(description: "the condition \(condition): \(why)") }
        func operand() throws -> Operand {
            guard p < ts.count else { throw fail("it ends where a value was expected") }
            let t = ts[p]; p += 1
            switch t {
            case .number(let x): return .number(x)
            case .string(let s): return .text(s)
            case .key(let k): return value(k, in: values).map { .text($0) } ?? .missing(k)
            case .word(let f) where ["count", "total"].contains(f):
                guard p + 2 < ts.count, ts[p] == .open, case .key(let k) = ts[p + 1], ts[p + 2] == .close else {
                    throw fail("write \(f)(NN.name)")
                }
                p += 3
                guard let v = value(k, in: values) else { return .missing(k) }
                let parts = v.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]) else {
                    throw fail("\(f)(\(k)) needs a value k/n, and \(k) = \"\(v)\"")
                }
                return .number(f == "count" ? a : b)
            default: throw fail("unexpected \(t) where a value was expected")
            }
        }
        func comparison() throws -> Truth {
            if p < ts.count, ts[p] == .word("known") {
                guard p + 3 < ts.count + 0, ts[p + 1] == .open, case .key(let k) = ts[p + 2], ts[p + 3] == .close else {
                    throw fail("write known(NN.name)")
                }
                p += 4
                return value(k, in: values) == nil ? .no : .yes
            }
            if p < ts.count, ts[p] == .open {
                p += 1
                let t = try disjunction()
                guard p < ts.count, ts[p] == .close else { throw fail("a ( without its )") }
                p += 1
                return t
            }
            let a = try operand()
            guard p < ts.count, case .op(let op) = ts[p] else { throw fail("a value without a comparison") }
            p += 1
            let b = try operand()
            var missing: [String] = []
            for x in [a, b] { if case .missing(let k) = x { missing.append(k) } }
            if !missing.isEmpty { return .unknown(missing: missing) }
            func asNumber(_ x: Operand) -> Double? {
                switch x { case .number(let v): return v; case .text(let s): return number(s); case .missing: return nil }
            }
            func asText(_ x: Operand) -> String {
                switch x { case .number(let v): return "\(v)"; case .text(let s): return s; case .missing(let k): return k }
            }
            if let x = asNumber(a), let y = asNumber(b) {
                switch op {
                case "<": return x < y ? .yes : .no
                case "<=": return x <= y ? .yes : .no
                case ">": return x > y ? .yes : .no
                case ">=": return x >= y ? .yes : .no
                case "==": return x == y ? .yes : .no
                default: return x != y ? .yes : .no
                }
            }
            guard op == "==" || op == "!=" else {
                throw fail("\(op) compares numbers, and \(asText(a)) or \(asText(b)) is not one (use count() or total() for k/n)")
            }
            return (asText(a) == asText(b)) == (op == "==") ? .yes : .no
        }
        func negation() throws -> Truth {
            if p < ts.count, ts[p] == .word("not") {
                p += 1
                switch try negation() { case .yes: return .no; case .no: return .yes; case let u: return u }
            }
            return try comparison()
        }
        func conjunction() throws -> Truth {
            var t = try negation()
            while p < ts.count, ts[p] == .word("and") { p += 1; t = Truth.and(t, try negation()) }
            return t
        }
        func disjunction() throws -> Truth {
            var t = try conjunction()
            while p < ts.count, ts[p] == .word("or") { p += 1; t = Truth.or(t, try conjunction()) }
            return t
        }
        let t = try disjunction()
        guard p == ts.count else { throw fail("unexpected \(ts[p]) after a complete condition") }
        return t
    }
}

import Foundation

/// One value of a log record. Numbers are written as the shortest text that reads back to the
/// same Double (so a log is an exact record); JSON has no NaN or ∞, so a non-finite number is
/// written as `null` (the record's other fields, e.g. `"diverged"`, say what happened).
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    /// A real number: written as an integer when it is one of magnitude below 10¹⁵ (`3`, not
    /// `3.0`), otherwise as Swift's shortest round-trip text (`0.1`, `1e-05`); ±∞ and NaN as `null`.
    /// Every number read back from a log is a `.number`.
    case number(Double)
    /// An integer (counts: epoch, iteration), written in decimal.
    case integer(Int)
    /// A string, written as a JSON string literal (`"`, `\` and control characters escaped).
    case string(String)
    /// `true` or `false`.
    case bool(Bool)
    /// JSON's `null`: a missing value (e.g. no clipping threshold), or a non-finite number.
    case null

    /// The value as JSON text.
    public var description: String {
        switch self {
        case .number(let x):
            guard x.isFinite else { return "null" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case .integer(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .string(let s): return JSONValue.quoted(s)
        }
    }

    /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// The value as a Double: a `.number` as is, an `.integer` converted (exact below 2⁵³); nil for
    /// `null`, strings and booleans.
    public var double: Double? {
        switch self {
        case .number(let x): return x
        case .integer(let n): return Double(n)
        default: return nil
        }
    }
}

/// The `"type"` of a training log's records; the raw values are the log's spelling.
public enum LogRecordType: String, CaseIterable, Sendable {
    /// The header: the run's configuration (the first record).
    case run
    /// One logged training iteration.
    case iteration
    /// The end of an epoch: its losses and learning rate.
    case epoch
    /// Where and why the run diverged (the last record of a diverged run).
    case diverged
    /// The test split's loss (the last record of a completed run).
    case test
    /// Gradient norms of parameter groups (``GradientGroups``).
    case trace

    /// The type as the JSON string written in the record.
    public var value: JSONValue { .string(rawValue) }
}

/// One line of a JSON Lines log: an object whose keys keep the order they were added in.
public struct LogRecord: Sendable, Equatable {
    /// The fields in the order they were first set (the order of ``json``); keys are unique.
    public private(set) var fields: [(key: String, value: JSONValue)] = []

    /// A record with the given fields, in order; a repeated key keeps its first position and
    /// its last value (as assigning through the subscript does).
    public init(_ fields: [(String, JSONValue)] = []) {
        for (k, v) in fields { self[k] = v }
    }

    /// Records are equal when they have the same keys in the same order with equal values
    /// (so `{"a":1,"b":2}` ≠ `{"b":2,"a":1}`: the order is part of a log's text).
    public static func == (a: LogRecord, b: LogRecord) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// The value of `key`, or nil. Setting an existing key replaces its value in place; setting a
    /// new key appends it; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let i = fields.firstIndex(where: { $0.key == key }) {
                if let v = newValue { fields[i].value = v } else { fields.remove(at: i) }
            } else if let v = newValue {
                fields.append((key, v))
            }
        }
    }

    /// The record's `"type"` (`run`, `iteration`, `epoch`, `diverged`, `test`, `trace`: the raw
    /// values of ``LogRecordType``).
    public var type: String? { if case .string(let s)? = self["type"] { return s } else { return nil } }

    /// ``type`` as a ``LogRecordType`` (nil when absent or not one of them).
    public var recordType: LogRecordType? { type.flatMap(LogRecordType.init(rawValue:)) }

    /// The number at `key` (nil when absent, null or not a number).
    public func double(_ key: String) -> Double? { self[key]?.double }

    /// The record as one line of JSON (no trailing newline).
    public var json: String {
        "{" + fields.map { "\(JSONValue.quoted($0.key)):\($0.value)" }.joined(separator: ",") + "}"
    }

    /// Parses one line written by ``json``: a flat JSON object of numbers, strings, booleans
    /// and nulls (nested values are rejected), keeping the keys' order. Numbers become
    /// ``JSONValue/number(_:)`` (integers too); a duplicate key, trailing text, a malformed or
    /// non-finite number, or an unterminated string is an error.
    /// - Parameters:
    ///   - line: the text of one line, without its newline.
    ///   - path: the log's path, for the error message.
    ///   - lineNumber: the 1-based line number, for the error message.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` saying what is wrong and where
    ///   (the reason ends with the 1-based column).
    public static func parse(_ line: String, path: String, lineNumber: Int) throws -> LogRecord {
        var p = FlatJSONParser(bytes: Array(line.utf8))
        do { return try p.object() } catch let e as FlatJSONParser.Failure {
            throw TrainingError.invalidLog(path: path, line: lineNumber, reason: "\(e.reason) at column \(e.offset + 1)")
        }
    }
}

/// A strict parser for one flat JSON object (the records of a training log).
struct FlatJSONParser {
    struct Failure: Error { var reason: String; var offset: Int }
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: i) }

    mutating func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[i]) { i += 1 } }

    mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    mutating func object() throws -> LogRecord {
        var record = LogRecord()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1 } else {
            while true {
                skipSpace()
                let key = try string()
                try expect(UInt8(ascii: ":"))
                if record[key] != nil { throw fail("the key \"\(key)\" appears twice") }
                record[key] = try value()
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
        }
        skipSpace()
        guard i == bytes.count else { throw fail("text after the object") }
        return record
    }

    mutating func value() throws -> JSONValue {
        skipSpace()
        guard i < bytes.count else { throw fail("missing value") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            while i < bytes.count, "+-.eE0123456789".utf8.contains(bytes[i]) { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let x = Double(text), x.isFinite else { i = start; throw fail("bad number \(text)") }
            return .number(x)
        default: throw fail("unexpected character (nested values are not log fields)")
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("bad literal") }
        i += w.count
    }

    mutating func string() throws -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { throw fail("control character in a string") }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 < bytes.count, let v = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16),
                          let u = UnicodeScalar(v) else { throw fail("bad \\u escape") }
                    out += Array(String(Character(u)).utf8)
                    i += 4
                default: out.append(bytes[i])
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }
}

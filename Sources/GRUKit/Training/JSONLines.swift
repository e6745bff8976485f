import Foundation

/// One value of a log record. Numbers are written as the shortest text that reads back to the
/// same Double (so a log is an exact record); JSON has no NaN or ∞, so a non-finite number is
/// written as `null` (the record's other fields, e.g. `"diverged"`, say what happened).
package enum JSONValue: Sendable, Equatable, CustomStringConvertible {
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
    package var description: String {
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
    package var double: Double? {
        switch self {
        case .number(let x): return x
        case .integer(let n): return Double(n)
        default: return nil
        }
    }
}

/// The `"type"` of a training log's records; the raw values are the log's spelling.
package enum LogRecordType: String, CaseIterable, Sendable {
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
    package var value: JSONValue { .string(rawValue) }
}

/// One line of a JSON Lines log: an object whose keys keep the order they were added in.
package struct LogRecord: Sendable, Equatable {
    /// The fields in the order they were first set (the order of ``json``); keys are unique.
    package private(set) var fields: [(key: String, value: JSONValue)] = []

    /// A record with the given fields, in order; a repeated key keeps its first position and
    /// its last value (as assigning through the subscript does).
    package init(_ fields: [(String, JSONValue)] = []) {
        for (k, v) in fields { self[k] = v }
    }

    /// Records are equal when they have the same keys in the same order with equal values
    /// (so `{"a":1,"b":2}` ≠ `{"b":2,"a":1}`: the order is part of a log's text).
    package static func == (a: LogRecord, b: LogRecord) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// The value of `key`, or nil. Setting an existing key replaces its value in place; setting a
    /// new key appends it; setting nil removes the key.
    package subscript(key: String) -> JSONValue? {
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
    package var type: String? { if case .string(let s)? = self["type"] { return s } else { return nil } }

    /// ``type`` as a ``LogRecordType`` (nil when absent or not one of them).
    package var recordType: LogRecordType? { type.flatMap(LogRecordType.init(rawValue:)) }

    /// The number at `key` (nil when absent, null or not a number).
    package func double(_ key: String) -> Double? { self[key]?.double }

    /// The record as one line of JSON (no trailing newline).
    package var json: String {
        "{" + fields.map { "\(JSONValue.quoted($0.key)):\($0.value)" }.joined(separator: ",") + "}"
    }

    /// Parses one line written by ``json``: a flat JSON object of numbers, strings, booleans
    /// and nulls (nested values are rejected), keeping the keys' order, read by the package's one
    /// strict JSON reader (`StrictJSON`). Numbers become ``JSONValue/number(_:)`` (integers
    /// too); a duplicate key, trailing text, nesting, a malformed or non-finite number, or an
    /// unterminated string is an error.
    /// - Parameters:
    ///   - line: the text of one line, without its newline.
    ///   - path: the log's path, for the error message.
    ///   - lineNumber: the 1-based line number, for the error message.
    /// - Throws: ``TrainingError/invalidLog(path:line:reason:)`` saying what is wrong and where
    ///   (a syntax error's reason ends with its 1-based column).
    package static func parse(_ line: String, path: String, lineNumber: Int) throws -> LogRecord {
        func invalid(_ reason: String, offset: Int? = nil) -> TrainingError {
            .invalidLog(path: path, line: lineNumber, reason: reason + (offset.map { " at column \($0 + 1)" } ?? ""))
        }
        let value: StrictJSON
        do { value = try StrictJSON.parse(Array(line.utf8)) } catch let e as StrictJSON.ParseError {
            throw invalid(e.message, offset: e.offset)
        }
        guard case .object(let members) = value else { throw invalid("expected an object, found \(value.typeName)") }
        // StrictJSON has refused duplicate keys, so the fields are appended as they come (time linear
        // in the line's length; assigning through the subscript would search the fields each time).
        var record = LogRecord()
        record.fields.reserveCapacity(members.count)
        for (key, member) in members {
            let value: JSONValue
            switch member {
            case .string(let text): value = .string(text)
            case .bool(let b): value = .bool(b)
            case .null: value = .null
            case .number(let text):
                guard let x = Double(text), x.isFinite else { throw invalid("the number \(text) of \"\(key)\" is not finite") }
                value = .number(x)
            case .object, .array:
                throw invalid("the field \"\(key)\" is \(member.typeName); log fields are numbers, strings, booleans or null")
            }
            record.fields.append((key, value))
        }
        return record
    }
}

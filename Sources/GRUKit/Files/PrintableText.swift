extension String {
    /// The string with every control character written as a visible escape (`\u{1B}`, `\n`,
    /// `\t`, `\r`, `\0`, `\\`), for printing names that come from files: a tensor name or a key in a
    /// safetensors header is arbitrary text, and printed raw its escape sequences would drive the
    /// terminal (move the cursor, recolour or erase lines, retitle the window) instead of showing
    /// what the file holds. Escaped: the C0 controls U+0000–U+001F, DEL U+007F, the C1 controls
    /// U+0080–U+009F (a lone U+009B is a control sequence introducer on some terminals), the
    /// bidirectional overrides and isolates U+202A–U+202E and U+2066–U+2069 (which reorder what
    /// follows them), and the backslash itself, so that the escaped form cannot be confused with
    /// a name that holds a literal `\u{…}`. Every other character, including non-ASCII letters,
    /// is kept.
    package var escapingControlCharacters: String {
        func needsEscape(_ u: Unicode.Scalar) -> Bool {
            switch u.value {
            case 0x00 ... 0x1F, 0x7F ... 0x9F, 0x202A ... 0x202E, 0x2066 ... 0x2069, 0x5C: return true
            default: return false
            }
        }
        guard unicodeScalars.contains(where: needsEscape) else { return self }
        var out = ""
        for u in unicodeScalars {
            guard needsEscape(u) else { out.unicodeScalars.append(u); continue }
            switch u {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\\": out += "\\\\"
            default: out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }
}

/// Reading a word-level text corpus (one sentence per line, words separated by whitespace)
/// into token ids, working on the file's bytes.
///
/// Conventions (those of Mikolov's PTB files and PyTorch's word-language-model example):
/// - words are maximal runs of non-whitespace bytes (space, tab, CR, LF, VT, FF are whitespace),
///   so the leading and trailing spaces of every PTB line yield no empty words;
/// - every line, including an empty one, ends with `<eos>`; a final line without `\n` counts,
///   the empty remainder after the last `\n` does not;
/// - the text must be UTF-8 without control characters; a NUL or other control byte means a
///   binary file and is reported with its line.
public enum WordCorpus {
    /// What to do with a word that the vocabulary lacks.
    public enum Growth: Sendable {
        /// Add it (building the vocabulary from this file).
        case grow
        /// Map it to `<unk>` if the vocabulary has `<unk>`, otherwise throw
        /// ``DataError/outOfVocabulary(path:line:word:)``. The vocabulary must already hold `<eos>`.
        case fixed
    }

    /// Statistics of one read, for reports.
    public struct Counts: Sendable, Equatable {
        /// Lines read, each ending in one `<eos>` token (a final line without `\n` included).
        public var lines = 0
        /// Words read (tokens other than the `<eos>` that ends each line); tokens = words + lines.
        public var words = 0
        /// Words that were mapped to `<unk>` because the vocabulary lacked them (not words that are `<unk>` in the text).
        public var mappedToUnknown = 0

        /// Counts with the given values (all zero by default), e.g. expected values in a test.
        public init(lines: Int = 0, words: Int = 0, mappedToUnknown: Int = 0) {
            self.lines = lines
            self.words = words
            self.mappedToUnknown = mappedToUnknown
        }
    }

    /// Reads the corpus at `path` into ids of `vocabulary` (growing it or not, see ``Growth``).
    ///
    /// - Returns: the token ids (words and one `<eos>` per line) and counts.
    /// - Throws: ``DataError/unreadable(path:reason:)``, ``DataError/emptyFile(path:)`` (no words at
    ///   all), ``DataError/invalidText(path:line:reason:)`` (binary data or invalid UTF-8, with the
    ///   line; or, with ``Growth/fixed``, a vocabulary without `<eos>`),
    ///   ``DataError/outOfVocabulary(path:line:word:)`` (with the line). On an error `vocabulary`
    ///   may already hold the words added before it.
    public static func read(_ path: String, vocabulary: inout Vocabulary, growth: Growth) throws -> (tokens: [Int32], counts: Counts) {
        let bytes = try readDataFile(path)
        return try tokenize(bytes, path: path, vocabulary: &vocabulary, growth: growth)
    }

    /// Tokenizes `bytes` (the contents of the file `path`, used in messages only), with the
    /// conventions, results and errors of ``read(_:vocabulary:growth:)`` (except
    /// ``DataError/unreadable(path:reason:)``). One pass over the bytes.
    public static func tokenize(_ bytes: [UInt8], path: String, vocabulary: inout Vocabulary,
                                growth: Growth) throws -> (tokens: [Int32], counts: Counts) {
        var tokens: [Int32] = []
        tokens.reserveCapacity(bytes.count / 5 + 16)
        var counts = Counts()
        // Ids are looked up through a String per word. Words of at most 15 UTF-8 bytes are
        // stored inline in the String (no heap allocation), which covers almost all of PTB.
        // When growing, `<eos>` gets the id of its first occurrence: the end of line 1.
        var eosID = vocabulary.endOfSentenceID
        if growth == .fixed, eosID == nil {
            throw DataError.invalidText(path: path, line: nil,
                                        reason: "the vocabulary has no \(Vocabulary.endOfSentence) token to end each line with")
        }
        let unknownID = vocabulary.unknownID

        try bytes.withUnsafeBufferPointer { buf in
            let n = buf.count
            var i = 0
            var line = 1
            var lineHasContent = false  // any byte at all on the current line (so a final line without \n counts)
            @inline(__always) func endLine() {
                let id = eosID ?? vocabulary.add(Vocabulary.endOfSentence)
                eosID = id
                tokens.append(id)
                counts.lines += 1
            }
            while i < n {
                let b = buf[i]
                if b == 0x0A {  // \n
                    endLine()
                    line += 1
                    lineHasContent = false
                    i += 1
                    continue
                }
                lineHasContent = true
                if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C { i += 1; continue }
                // A word: scan to the next whitespace byte.
                let start = i
                var ascii = true
                while i < n {
                    let c = buf[i]
                    if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C { break }
                    if c < 0x20 || c == 0x7F {
                        throw DataError.invalidText(path: path, line: line,
                                                    reason: "binary data (control byte 0x\(String(c, radix: 16, uppercase: true))) where text was expected; is this the right file?")
                    }
                    if c >= 0x80 { ascii = false }
                    i += 1
                }
                let slice = UnsafeBufferPointer(rebasing: buf[start ..< i])
                let word: String
                if ascii {
                    word = String(decoding: slice, as: UTF8.self)
                } else if let valid = String(validating: slice, as: UTF8.self) {
                    word = valid
                } else {
                    throw DataError.invalidText(path: path, line: line, reason: "invalid UTF-8 in a word")
                }
                counts.words += 1
                switch growth {
                case .grow:
                    tokens.append(vocabulary.add(word))
                case .fixed:
                    if let id = vocabulary.id(of: word) {
                        tokens.append(id)
                    } else if let unknownID {
                        tokens.append(unknownID)
                        counts.mappedToUnknown += 1
                    } else {
                        throw DataError.outOfVocabulary(path: path, line: line, word: word)
                    }
                }
            }
            if lineHasContent { endLine() }
        }
        if counts.words == 0 { throw DataError.emptyFile(path: path) }
        return (tokens, counts)
    }
}

/// A word ↔ id table. Ids are dense, `0 ..< count`, assigned in order of first occurrence
/// (the order in which ``add(_:)`` first sees each word), the convention of PyTorch's
/// word-language-model example. For PTB that makes the id order deterministic: the order in
/// which word types first appear in `ptb.train.txt`, with `<eos>` taking the id it gets at the
/// end of the first line.
public struct Vocabulary: Sendable, Equatable {
    /// The end-of-sentence token appended to every line.
    public static let endOfSentence = "<eos>"
    /// The token that stands for any word outside the vocabulary (present in PTB's text itself).
    public static let unknown = "<unk>"

    /// `words[id]` is the word with that id.
    public private(set) var words: [String] = []
    private var ids: [String: Int32] = [:]

    /// An empty vocabulary (count 0, no `<eos>`, no `<unk>`).
    public init() {}

    /// A vocabulary holding `words` with ids 0, 1, … in that order (duplicates keep their first id).
    public init(words: [String]) {
        for w in words { add(w) }
    }

    /// The number of word types.
    public var count: Int { words.count }

    /// The id of `word`, or nil when it is not in the vocabulary.
    public func id(of word: String) -> Int32? { ids[word] }

    /// The word with id `id`, or nil when `id` is outside `0 ..< count`.
    public func word(for id: Int32) -> String? {
        id >= 0 && Int(id) < words.count ? words[Int(id)] : nil
    }

    /// The id of `<eos>`, if present.
    public var endOfSentenceID: Int32? { ids[Self.endOfSentence] }
    /// The id of `<unk>`, if present.
    public var unknownID: Int32? { ids[Self.unknown] }

    /// Adds `word` if new, with the next id ``count``, and returns its id (the existing one when
    /// the word is already present). Words are compared with `String` equality: case-sensitive,
    /// canonically equivalent Unicode spellings count as one word.
    @discardableResult
    public mutating func add(_ word: String) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(words.count)
        ids[word] = id
        words.append(word)
        return id
    }
}

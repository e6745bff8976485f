/// The Penn Treebank in Mikolov's language-modelling form (`ptb.{train,valid,test}.txt`):
/// token ids of the three splits and the vocabulary built from the training split.
///
/// The vocabulary holds every word type of `ptb.train.txt` plus `<eos>`, 10,000 types for the
/// standard files, with ids in order of first occurrence in the training text (see `Vocabulary`).
/// The validation and test splits are mapped with it; a word outside it becomes `<unk>`
/// (the standard files have none).
///
/// Verified sizes of the standard files (tokens include one `<eos>` per line):
/// train 929,589, valid 73,760, test 82,430.
public struct PennTreebank: Sendable {
    /// The files inside the data directory.
    public static let trainFile = "ptb/ptb.train.txt"
    public static let validFile = "ptb/ptb.valid.txt"
    public static let testFile = "ptb/ptb.test.txt"

    public let vocabulary: Vocabulary
    public let train: [Int32]
    public let valid: [Int32]
    public let test: [Int32]
    /// Line / word / mapped-to-`<unk>` counts of each split, in the order train, valid, test.
    public let counts: [WordCorpus.Counts]

    /// Loads the three splits from `directory` (see `DataDirectory` for how it is chosen).
    /// - Throws: `DataError.missingFile` (naming file, folder and `make data`) or any reading error.
    public init(directory: DataDirectory) throws {
        try self.init(trainPath: directory.existingFile(Self.trainFile),
                      validPath: directory.existingFile(Self.validFile),
                      testPath: directory.existingFile(Self.testFile))
    }

    /// Loads the three splits from explicit paths: the vocabulary is built from `trainPath`.
    /// - Throws: `DataError` naming the file (and line) at fault.
    public init(trainPath: String, validPath: String, testPath: String) throws {
        var vocabulary = Vocabulary()
        let tr = try WordCorpus.read(trainPath, vocabulary: &vocabulary, growth: .grow)
        let va = try WordCorpus.read(validPath, vocabulary: &vocabulary, growth: .fixed)
        let te = try WordCorpus.read(testPath, vocabulary: &vocabulary, growth: .fixed)
        self.vocabulary = vocabulary
        train = tr.tokens
        valid = va.tokens
        test = te.tokens
        counts = [tr.counts, va.counts, te.counts]
    }

    /// The token ids of `split`.
    public func split(_ split: Split) -> [Int32] {
        switch split {
        case .train: return train
        case .valid: return valid
        case .test: return test
        }
    }
}

/// The three conventional splits of a data set.
public enum Split: String, CaseIterable, Sendable {
    case train, valid, test
}

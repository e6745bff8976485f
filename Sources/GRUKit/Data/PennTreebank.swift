/// The Penn Treebank in Mikolov's language-modelling form (`ptb.{train,valid,test}.txt`):
/// token ids of the three splits and the vocabulary built from the training split.
///
/// The vocabulary holds every word type of `ptb.train.txt` plus `<eos>`, 10,000 types for the
/// standard files, with ids in order of first occurrence in the training text (see ``Vocabulary``).
/// The validation and test splits are mapped with it; a word outside it becomes `<unk>`
/// (the standard files have none).
///
/// Verified sizes of the standard files (tokens include one `<eos>` per line):
/// train 929,589, valid 73,760, test 82,430.
public struct PennTreebank: Sendable {
    /// The training split's path inside the data directory, `ptb/ptb.train.txt`.
    public static let trainFile = "ptb/ptb.train.txt"
    /// The validation split's path inside the data directory, `ptb/ptb.valid.txt`.
    public static let validFile = "ptb/ptb.valid.txt"
    /// The test split's path inside the data directory, `ptb/ptb.test.txt`.
    public static let testFile = "ptb/ptb.test.txt"

    /// The vocabulary built from the training split (words plus `<eos>`; 10,000 types for the
    /// standard files), ids in order of first occurrence.
    public let vocabulary: Vocabulary
    /// The training split as token ids in `0 ..< vocabulary.count`, one `<eos>` after each line
    /// (929,589 tokens for the standard file).
    public let train: [Int32]
    /// The validation split as token ids of ``vocabulary`` (73,760 tokens for the standard file).
    public let valid: [Int32]
    /// The test split as token ids of ``vocabulary`` (82,430 tokens for the standard file).
    public let test: [Int32]
    /// Line / word / mapped-to-`<unk>` counts of each split, in the order train, valid, test.
    public let counts: [WordCorpus.Counts]

    /// Loads the three splits from `directory` (see ``DataDirectory`` for how it is chosen).
    ///
    /// - Throws: ``DataError/missingFile(path:directory:source:)`` (naming file, folder and
    ///   `make data`) before reading anything when a split is absent, or any error of
    ///   ``init(trainPath:validPath:testPath:)``.
    public init(directory: DataDirectory) throws {
        try self.init(trainPath: directory.existingFile(Self.trainFile),
                      validPath: directory.existingFile(Self.validFile),
                      testPath: directory.existingFile(Self.testFile))
    }

    /// Loads the three splits from explicit paths: the vocabulary is built from `trainPath`
    /// (``WordCorpus/Growth/grow``), then the other two are mapped with it
    /// (``WordCorpus/Growth/fixed``: an unknown word becomes `<unk>`, which PTB's training text has).
    ///
    /// - Throws: the ``DataError`` of ``WordCorpus/read(_:vocabulary:growth:)`` naming the file
    ///   (and line) at fault: unreadable, empty, binary or invalid UTF-8, or a word outside a
    ///   vocabulary that has no `<unk>`.
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

    /// The token ids of `split` (``train``, ``valid`` or ``test``).
    public func split(_ split: Split) -> [Int32] {
        switch split {
        case .train: return train
        case .valid: return valid
        case .test: return test
        }
    }
}

/// The three conventional splits of a data set.
/// The raw value is the name used in file names (`train.txt`) and MAT-file variables (`traindata`).
public enum Split: String, CaseIterable, Sendable {
    /// `train`: the data the parameters are fitted to; `valid`: held out, for choosing
    /// hyper-parameters and early stopping; `test`: held out, reported once at the end.
    case train, valid, test
}

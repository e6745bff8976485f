/// A polyphonic-music data set of Boulanger-Lewandowski, Bengio & Vincent (ICML 2012):
/// train / valid / test lists of tunes, each a binary piano roll (``PianoRoll``).
///
/// Read from the authors' MAT-files (variables `traindata`, `validdata`, `testdata`: 1×N cell
/// arrays of T×88 0/1 matrices, rows = time steps, column j = MIDI note 21 + j) or from the
/// plain-text conversion (`MusicText`). Nottingham's verified sizes: 694 / 173 / 170 tunes with
/// 176,561 / 45,513 / 44,463 time steps.
public struct PolyphonicMusic: Sendable, Equatable {
    /// The training tunes, in file order (694 for Nottingham).
    public var train: [PianoRoll]
    /// The validation tunes, in file order (173 for Nottingham).
    public var valid: [PianoRoll]
    /// The test tunes, in file order (170 for Nottingham).
    public var test: [PianoRoll]

    /// A data set from tunes already in memory (nothing is checked: a ``PianoRoll`` is valid by
    /// construction).
    public init(train: [PianoRoll], valid: [PianoRoll], test: [PianoRoll]) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// The tunes of `split`.
    public func split(_ split: Split) -> [PianoRoll] {
        switch split {
        case .train: return train
        case .valid: return valid
        case .test: return test
        }
    }

    /// The MAT-file variable that holds `split`: `traindata`, `validdata` or `testdata`.
    public static func variableName(_ split: Split) -> String { split.rawValue + "data" }

    /// The four data sets distributed in this form, with their file names inside the data directory.
    public enum Corpus: String, CaseIterable, Sendable {
        /// `nottingham`: folk tunes (the paper's music task; folder `nottingham`);
        /// `jsbChorales`: Bach's four-part chorales (`jsb`); `museData`: classical pieces from
        /// MuseData (`musedata`); `pianoMidi`: classical piano from piano-midi.de (`pianomidi`).
        case nottingham, jsbChorales, museData, pianoMidi

        /// The folder inside the data directory.
        public var folder: String {
            switch self {
            case .nottingham: return "nottingham"
            case .jsbChorales: return "jsb"
            case .museData: return "musedata"
            case .pianoMidi: return "pianomidi"
            }
        }

        /// The MAT-file's name, as distributed.
        public var matFileName: String {
            switch self {
            case .nottingham: return "Nottingham.mat"
            case .jsbChorales: return "JSB_Chorales.mat"
            case .museData: return "MuseData.mat"
            case .pianoMidi: return "Piano_midi.mat"
            }
        }

        /// The MAT-file's path relative to the data directory.
        public var matFile: String { folder + "/" + matFileName }
        /// The text file of `split` relative to the data directory.
        public func textFile(_ split: Split) -> String { folder + "/" + split.rawValue + ".txt" }
    }

    /// The file format to read a corpus from.
    public enum Format: String, CaseIterable, Sendable {
        /// `mat`: the authors' MAT-file (``Corpus/matFile``), as distributed; `text`: the three
        /// `MusicText` files (``Corpus/textFile(_:)``) made from it. Both give identical tunes.
        case mat, text
    }

    /// Loads `corpus` from the data directory, from the MAT-file (default) or the text files.
    ///
    /// - Throws: ``DataError/missingFile(path:directory:source:)`` (naming the file, the folder and
    ///   `make data`), or any error of ``init(matFile:)`` or ``init(trainText:validText:testText:)``.
    public init(_ corpus: Corpus, directory: DataDirectory, format: Format = .mat) throws {
        switch format {
        case .mat:
            try self.init(matFile: directory.existingFile(corpus.matFile))
        case .text:
            try self.init(trainText: directory.existingFile(corpus.textFile(.train)),
                          validText: directory.existingFile(corpus.textFile(.valid)),
                          testText: directory.existingFile(corpus.textFile(.test)))
        }
    }

    /// Reads `traindata`, `validdata`, `testdata` from a MAT-file.
    ///
    /// - Throws: ``DataError/unreadable(path:reason:)``, ``DataError/invalidMATFile(path:reason:)``,
    ///   ``DataError/missingVariable(path:name:available:)``, ``DataError/invalidVariable(path:name:reason:)``
    ///   (not a 1×N or N×1 cell array, a cell that is not T×88 numeric, a value other than 0 and 1,
    ///   naming the tune, step and key).
    public init(matFile path: String) throws {
        let file = try MATFile(path: path)
        func tunes(_ split: Split) throws -> [PianoRoll] {
            try Self.pianoRolls(file.variable(Self.variableName(split)), path: path)
        }
        try self.init(train: tunes(.train), valid: tunes(.valid), test: tunes(.test))
    }

    /// Reads the three plain-text files (see `MusicText`).
    ///
    /// - Throws: the ``DataError`` of `MusicText/read(_:)` for the first file at fault, with its line.
    public init(trainText: String, validText: String, testText: String) throws {
        try self.init(train: MusicText.read(trainText), valid: MusicText.read(validText), test: MusicText.read(testText))
    }

    /// The tunes of a cell-array variable: each cell a T×88 numeric matrix of 0/1 (rows = steps),
    /// transposed from MATLAB's column-major order into ``PianoRoll``'s row-major frames.
    ///
    /// - Throws: ``DataError/invalidVariable(path:name:reason:)`` naming `path`, the variable and
    ///   the tune (and step and key for a bad value).
    public static func pianoRolls(_ variable: MATArray, path: String) throws -> [PianoRoll] {
        let name = variable.name
        guard case .cells(let cells) = variable.storage, variable.dimensions.count == 2,
              variable.dimensions.contains(where: { $0 == 1 }) || variable.elementCount == 0 else {
            throw DataError.invalidVariable(path: path, name: name,
                                            reason: "expected a 1×N cell array of tunes, found \(variable.summary)")
        }
        var tunes: [PianoRoll] = []
        tunes.reserveCapacity(cells.count)
        for (index, cell) in cells.enumerated() {
            tunes.append(try pianoRoll(cell, path: path, variable: name, index: index))
        }
        return tunes
    }

    /// One T×88 cell as a piano roll (transposing from column-major).
    static func pianoRoll(_ cell: MATArray, path: String, variable: String, index: Int) throws -> PianoRoll {
        let which = "tune \(index + 1)"
        guard cell.dimensions.count == 2, cell.dimensions[1] == PianoRoll.keys else {
            throw DataError.invalidVariable(path: path, name: variable,
                                            reason: "\(which) is \(cell.summary), expected T×\(PianoRoll.keys) (time steps × piano keys)")
        }
        let steps = cell.dimensions[0]
        let keys = PianoRoll.keys
        var notes = [UInt8](repeating: 0, count: steps * keys)
        func badValue(_ value: String, _ i: Int) -> String {
            "\(which) has the value \(value) at step \(i % steps + 1), key \(i / steps + 1); a piano roll holds only 0 and 1"
        }
        // Transpose column-major (key-major) values into row-major frames through raw buffers:
        // this loop touches every value of the data set, and bounds-checked subscripts would
        // dominate the load time in debug builds.
        switch cell.storage {
        case .uint8(let values):
            var bad: Int?
            values.withUnsafeBufferPointer { src in
                notes.withUnsafeMutableBufferPointer { dst in
                    for k in 0 ..< keys {
                        let column = k * steps
                        for t in 0 ..< steps {
                            let v = src[column + t]
                            if v > 1 { bad = column + t; return }
                            dst[t * keys + k] = v
                        }
                    }
                }
            }
            if let i = bad { throw DataError.invalidVariable(path: path, name: variable, reason: badValue(String(values[i]), i)) }
        case .numbers(let values):
            var bad: Int?
            values.withUnsafeBufferPointer { src in
                notes.withUnsafeMutableBufferPointer { dst in
                    for k in 0 ..< keys {
                        let column = k * steps
                        for t in 0 ..< steps {
                            let v = src[column + t]
                            guard v == 0 || v == 1 else { bad = column + t; return }
                            dst[t * keys + k] = v == 1 ? 1 : 0
                        }
                    }
                }
            }
            if let i = bad { throw DataError.invalidVariable(path: path, name: variable, reason: badValue(String(values[i]), i)) }
        case .cells, .unsupported:
            throw DataError.invalidVariable(path: path, name: variable,
                                            reason: "\(which) is \(cell.summary), expected a numeric T×\(keys) matrix")
        }
        return PianoRoll(uncheckedSteps: steps, notes: notes)
    }

    /// The data set as MAT-file variables `traindata`, `validdata`, `testdata` (1×N cells of T×88
    /// `uint8`), ready for `MATFileWriter/write(_:to:compressed:)`; reading them back with
    /// ``init(matFile:)`` gives an equal data set.
    public var matArrays: [MATArray] {
        Split.allCases.map { split in
            let tunes = self.split(split)
            return .cell(Self.variableName(split), rows: 1, cols: tunes.count, cells: tunes.map(\.matArray))
        }
    }
}

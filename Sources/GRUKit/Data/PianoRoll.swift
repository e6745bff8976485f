/// One tune as a binary piano roll: `steps` time steps × 88 keys.
///
/// Key k (0-based) is MIDI note 21 + k (A0 … C8). `notes[t·88 + k]` is 1 when that note sounds
/// at step t, else 0 (row-major, one row per time step).
public struct PianoRoll: Sendable, Equatable {
    /// Keys of a piano, the width of every frame.
    public static let keys = 88
    /// The MIDI note of key 0 (A0).
    public static let lowestNote = 21
    /// The MIDI note of key 87 (C8).
    public static var highestNote: Int { lowestNote + keys - 1 }

    /// The number of time steps T ≥ 0 (rows of the roll).
    public let steps: Int
    /// steps × 88, row-major, values 0 or 1.
    public let notes: [UInt8]

    /// A roll from row-major 0/1 values.
    /// - Precondition: `notes.count == steps * 88` and every value is 0 or 1 (programming errors;
    ///   data read from files is validated by the readers, which throw instead).
    public init(steps: Int, notes: [UInt8]) {
        precondition(notes.count == steps * Self.keys && notes.allSatisfy { $0 <= 1 }, "PianoRoll: bad shape or values")
        self.steps = steps
        self.notes = notes
    }

    /// A roll from the MIDI notes sounding at each step (`activeNotes[t]`, any order; a repeated
    /// note counts once). An empty inner array is a silent step.
    ///
    /// - Precondition: every note is in 21 … 108 (traps otherwise, naming the note).
    public init(activeNotes: [[Int]]) {
        var notes = [UInt8](repeating: 0, count: activeNotes.count * Self.keys)
        for (t, step) in activeNotes.enumerated() {
            for n in step {
                precondition(n >= Self.lowestNote && n <= Self.highestNote, "PianoRoll: MIDI note \(n) is not a piano key")
                notes[t * Self.keys + n - Self.lowestNote] = 1
            }
        }
        self.init(steps: activeNotes.count, notes: notes)
    }

    init(uncheckedSteps steps: Int, notes: [UInt8]) {
        self.steps = steps
        self.notes = notes
    }

    /// Whether MIDI note 21 + `key` sounds at step `t`.
    ///
    /// - Precondition: `0 ≤ t < steps` and `0 ≤ key < 88`; only the flat index is bounds-checked.
    public subscript(t: Int, key: Int) -> Bool { notes[t * Self.keys + key] != 0 }

    /// The MIDI notes sounding at step `t`, ascending (empty for a silent step).
    ///
    /// - Precondition: `0 ≤ t < steps`.
    public func activeNotes(at t: Int) -> [Int] {
        (0 ..< Self.keys).filter { notes[t * Self.keys + $0] != 0 }.map { $0 + Self.lowestNote }
    }

    /// The number of (step, note) pairs that sound, Σ notes (a chord of 4 notes counts 4).
    public var noteEvents: Int {
        notes.withUnsafeBufferPointer { p in
            var total = 0
            for v in p { total &+= Int(v) }
            return total
        }
    }

    /// This roll as a MAT-file array: steps×88 `uint8`, column-major (the layout of the
    /// Boulanger-Lewandowski `.mat` files).
    public var matArray: MATArray {
        var columnMajor = [UInt8](repeating: 0, count: notes.count)
        notes.withUnsafeBufferPointer { src in
            columnMajor.withUnsafeMutableBufferPointer { dst in
                for t in 0 ..< steps {
                    for k in 0 ..< Self.keys { dst[k * steps + t] = src[t * Self.keys + k] }
                }
            }
        }
        return .uint8(rows: steps, cols: Self.keys, columnMajor: columnMajor)
    }
}

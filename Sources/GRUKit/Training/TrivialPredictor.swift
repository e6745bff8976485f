#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The scores of predictors that learn nothing about sequence: a trained model must beat them to
/// count as trained (`ResultsTable.baseline`). Both are fitted on the training split only and
/// smoothed by adding one to every count (Laplace), so that a word or key never seen in training
/// still gets a finite loss.
package enum TrivialPredictor {
    /// The perplexity exp(−(1/N) Σ ln p(w_t)) on `tokens` of the unigram model of `train`,
    /// p(w) = (count(w) + 1) / (|train| + V).
    ///
    /// Every token of `tokens` is scored (a language-model evaluation scores all but the first of
    /// each stream, a difference of at most a few tokens in tens of thousands).
    /// - Parameters:
    ///   - train: the training token ids, each in 0..<`vocabularySize`.
    ///   - vocabularySize: V ≥ 1.
    ///   - tokens: the ids to score.
    /// - Returns: the perplexity; NaN when `tokens` is empty.
    /// - Precondition: every id lies in 0..<`vocabularySize`.
    package static func unigramPerplexity(train: [Int32], vocabularySize: Int, on tokens: [Int32]) -> Double {
        precondition(vocabularySize >= 1, "unigramPerplexity: the vocabulary must have at least one word")
        guard !tokens.isEmpty else { return .nan }
        var counts = [Double](repeating: 1, count: vocabularySize)
        for t in train { counts[Int(t)] += 1 }
        let total = Double(train.count + vocabularySize)
        var logSum = 0.0
        for t in tokens { logSum += log(counts[Int(t)] / total) }
        return exp(-logSum / Double(tokens.count))
    }

    /// The NLL per frame, −Σ_k [y_k ln p_k + (1 − y_k) ln(1 − p_k)] averaged over the target frames
    /// of `tunes`, of independent per-key frequencies fitted on the target frames of `train`:
    /// p_k = (frames with key k down + 1) / (frames + 2). The target frames of a tune are 1..<T
    /// (frame 0 is never predicted), as in ``MusicTask``.
    /// - Parameters:
    ///   - train: the training tunes.
    ///   - tunes: the tunes to score.
    /// - Returns: the NLL per frame; NaN when `tunes` has no target frame.
    package static func keyFrequencyNLL(train: [PianoRoll], on tunes: [PianoRoll]) -> Double {
        let keys = PianoRoll.keys
        var down = [Double](repeating: 1, count: keys)
        var frames = 2.0
        for tune in train where tune.steps > 1 {
            for t in 1 ..< tune.steps { for k in 0 ..< keys where tune[t, k] { down[k] += 1 } }
            frames += Double(tune.steps - 1)
        }
        let p = down.map { $0 / frames }
        var total = 0.0, count = 0
        for tune in tunes where tune.steps > 1 {
            for t in 1 ..< tune.steps {
                for k in 0 ..< keys { total -= tune[t, k] ? log(p[k]) : log(1 - p[k]) }
                count += 1
            }
        }
        return count > 0 ? total / Double(count) : .nan
    }
}

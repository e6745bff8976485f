extension Collection where Element == Double {
    /// The median: the middle value of the sorted elements, or the mean of the two middle values
    /// when the count is even; nil for an empty collection. NaNs sort unspecified, so callers pass
    /// finite values (timings, metrics). O(n log n).
    ///
    /// Used for timings, where the median of repeated measurements resists the outliers a shared
    /// machine produces (chapter 7, the benchmark, chapter 5's seconds per epoch).
    package var median: Double? {
        guard !isEmpty else { return nil }
        let s = sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
}

/// Why a linear-algebra routine of ``Matrix`` refused to give an answer.
///
/// Every case names the LAPACK routine (`gesdd`, `syevd`, `geev`, …) so that a message says
/// which step failed; ``description`` is the text to show a user.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The input held ±∞ or NaN; LAPACK's result would be meaningless.
    case nonFiniteInput(routine: String)
    /// LAPACK returned `info < 0`: argument number −info was illegal (a bug in GRUKit).
    case illegalArgument(routine: String, argument: Int)
    /// LAPACK returned `info > 0`: the iteration did not converge (for xGESDD the bidiagonal
    /// divide and conquer failed, for xSYEVD an eigenvalue failed, for xGEEV the QR algorithm
    /// left `info` eigenvalues uncomputed).
    case didNotConverge(routine: String, info: Int)
    /// The matrix has the wrong shape for the routine (e.g. an eigenvalue routine given a
    /// non-square matrix); `message` states the shape needed and the shape given.
    case shape(routine: String, message: String)

    /// One line naming the routine and what went wrong, e.g.
    /// `geev: needs a square matrix, got 2×3`.
    public var description: String {
        switch self {
        case .nonFiniteInput(let r): return "\(r): the matrix contains Inf or NaN; no decomposition exists"
        case .illegalArgument(let r, let a): return "\(r): LAPACK rejected argument \(a) (info = -\(a)); this is a bug in GRUKit"
        case .didNotConverge(let r, let i): return "\(r): LAPACK did not converge (info = \(i))"
        case .shape(let r, let m): return "\(r): \(m)"
        }
    }

    /// Throws the error for a non-zero LAPACK `info` code; returns normally for 0.
    static func check(_ info: Int32, _ routine: String) throws {
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: routine, argument: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.didNotConverge(routine: routine, info: Int(info)) }
    }
}

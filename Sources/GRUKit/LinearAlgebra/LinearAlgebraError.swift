/// Why a linear-algebra routine refused to give an answer.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The input held ±∞ or NaN; LAPACK's result would be meaningless.
    case nonFiniteInput(routine: String)
    /// LAPACK returned `info < 0`: argument number −info was illegal (a bug in GRUKit).
    case illegalArgument(routine: String, argument: Int)
    /// LAPACK returned `info > 0`: the iteration did not converge.
    case didNotConverge(routine: String, info: Int)
    /// The matrix has the wrong shape for the routine.
    case shape(routine: String, message: String)

    public var description: String {
        switch self {
        case .nonFiniteInput(let r): return "\(r): the matrix contains Inf or NaN; no decomposition exists"
        case .illegalArgument(let r, let a): return "\(r): LAPACK rejected argument \(a) (info = -\(a)); this is a bug in GRUKit"
        case .didNotConverge(let r, let i): return "\(r): LAPACK did not converge (info = \(i))"
        case .shape(let r, let m): return "\(r): \(m)"
        }
    }

    /// Maps a LAPACK `info` code to nil (success) or an error.
    static func check(_ info: Int32, _ routine: String) throws {
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: routine, argument: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.didNotConverge(routine: routine, info: Int(info)) }
    }
}

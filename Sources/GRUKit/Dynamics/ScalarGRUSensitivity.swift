/// The exact derivative of the one-dimensional GRU's state after T steps with respect to w_hh.
extension ScalarGRU {
    // book: sensitivity-recursion
    /// (h_T, ∂h_T/∂w_hh) by forward-mode differentiation of h_{t+1} = f(h_t; w_hh):
    ///
    ///     s_0 = 0,   s_{t+1} = f′(h_t)·s_t + ∂f/∂w_hh(h_t),   s_T = ∂h_T/∂w_hh
    ///
    /// exact up to rounding (O(T·ε) relative), with w_hz, w_hr held fixed. Costs O(T) and no
    /// allocation. Near w_hh = 2 and for large T the sensitivity grows by orders of magnitude:
    /// that spike is the gradient explosion the paper explains.
    ///
    /// - Precondition: `steps ≥ 0` (traps otherwise, naming it).
    /// - Returns: `h` = h_T and `dhdw` = ∂h_T/∂w_hh; for `steps == 0`, (h_0, 0).
    public func stateAndSensitivity(from h0: Double, steps: Int) -> (h: Double, dhdw: Double) {
        precondition(steps >= 0, "stateAndSensitivity: steps must be ≥ 0, got \(steps)")
        var h = h0, s = 0.0
        for _ in 0..<steps {
            s = derivative(at: h) * s + derivativeWithRespectToWHH(at: h)
            h = self(h)
        }
        return (h, s)
    }
    // book: end
}

/// The peak of |∂h_T/∂w_hh| over w_hh (the gradient spike of chapter 3).
public enum GradientSpike {
    /// The maximiser and maximum of |∂h_T/∂w_hh| over w_hh ∈ [a, b] (w_hz, w_hr fixed, from h_0):
    /// a scan at `step`, then a scan at step/1000 over ±step around the best grid point. The result
    /// is the true local maximum to about step/1000 in w_hh provided the peak is wider than `step`
    /// (it is: its width at T = 1000 is ≈ 0.01).
    ///
    /// Cost: ((b − a)/step + 2002) evaluations of ``ScalarGRU/stateAndSensitivity(from:steps:)``, each
    /// O(`steps`). The fine scan stays inside [a, b].
    ///
    /// - Precondition: `step > 0`, `b > a`, `steps ≥ 1` (traps otherwise).
    /// - Returns: the w_hh of the largest |∂h_T/∂w_hh| found and that value; on ties the smallest w_hh.
    public static func peak(steps: Int, from h0: Double = 0.1, wHZ: Double = 0, wHR: Double = 0,
                            in a: Double = 0, _ b: Double = 4, step: Double = 0.001) -> (wHH: Double, value: Double) {
        precondition(step > 0 && b > a && steps >= 1, "GradientSpike.peak: need step > 0, b > a, steps ≥ 1")
        func v(_ w: Double) -> Double { abs(ScalarGRU(wHH: w, wHZ: wHZ, wHR: wHR).stateAndSensitivity(from: h0, steps: steps).dhdw) }
        var best = (wHH: a, value: v(a))
        let n = Int(((b - a) / step).rounded(.down))
        for k in 0...n { let w = a + Double(k) * step; let x = v(w); if x > best.value { best = (w, x) } }
        let centre = best.wHH, fine = step / 1000
        for k in -1000...1000 {
            let w = centre + Double(k) * fine
            guard w >= a && w <= b else { continue }
            let x = v(w); if x > best.value { best = (w, x) }
        }
        return best
    }
}

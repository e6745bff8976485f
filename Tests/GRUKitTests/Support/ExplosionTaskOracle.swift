import Foundation
@testable import GRUKit

/// An independent oracle for ``GRUExplosionTask``: its loss and exact gradient by a second,
/// hand-written backpropagation through time (batched BLAS, Double), and its loss alone by a plain
/// forward pass. The tests check the first against central differences of the second, and the
/// training engine's BPTT (``GRUExplosionTask/makeLayer(weightHH:)``) against the first.
extension GRUExplosionTask {
    /// The loss and its exact gradient with respect to the 3H×H weight_hh by backpropagation through
    /// time, batched over the K examples with BLAS (row-major K×H state matrices):
    ///
    ///     forward:  r = σ(H Wrᵀ), z = σ(H Wzᵀ), U = r ⊙ H, C = tanh(U Wnᵀ), H′ = z ⊙ H + (1 − z) ⊙ C
    ///     backward: G_z = G ⊙ (H − C) ⊙ z(1−z),  G_n = G ⊙ (1 − z) ⊙ (1 − C²),  G_U = G_n Wn,
    ///               G_r = G_U ⊙ H ⊙ r(1−r),
    ///               ∇Wz += G_zᵀ H,  ∇Wn += G_nᵀ U,  ∇Wr += G_rᵀ H,
    ///               G_prev = G ⊙ z + G_z Wz + G_U ⊙ r + G_r Wr.
    /// Checked against central differences (``DynamicsTaskTests``).
    ///
    /// - Precondition: weightHH is 3H×H (blocks W_hr, W_hz, W_hn).
    func lossAndGradient(_ weightHH: Matrix<Double>) -> (loss: Double, gradient: Matrix<Double>) {
        let n = hiddenSize, k = examples, kn = k * n, nn = n * n
        precondition(weightHH.rows == 3 * n && weightHH.cols == n, "GRUExplosionTask: weight_hh must be \(3 * n)×\(n)")
        let w = weightHH.elements
        var hs = [[Double]](repeating: [], count: steps + 1)
        var rs = hs, zs = hs, cs = hs
        hs[0] = initialStates
        var ar = [Double](repeating: 0, count: kn), az = ar, an = ar, u = ar
        func gemm(_ a: [Double], _ b: UnsafePointer<Double>, transB: Bool, into c: inout [Double], beta: Double = 0) {
            // c (K×n) = a (K×n) · op(b) (n×n)
            a.withUnsafeBufferPointer { pa in
                c.withUnsafeMutableBufferPointer { pc in
                    Double.gemm(transA: false, transB: transB, m: k, n: n, k: n, alpha: 1, a: pa.baseAddress!, lda: n,
                                b: b, ldb: n, beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        w.withUnsafeBufferPointer { pw in
            let wr = pw.baseAddress!, wz = wr + nn, wn = wr + 2 * nn
            for t in 0..<steps {
                let h = hs[t]
                gemm(h, wr, transB: true, into: &ar)
                gemm(h, wz, transB: true, into: &az)
                var r = ar, z = az
                for i in 0..<kn { r[i] = InputFreeGRU.sigmoid(ar[i]); z[i] = InputFreeGRU.sigmoid(az[i]); u[i] = r[i] * h[i] }
                gemm(u, wn, transB: true, into: &an)
                var c = an, hn = h
                for i in 0..<kn { c[i] = tanh(an[i]); hn[i] = z[i] * h[i] + (1 - z[i]) * c[i] }
                rs[t] = r; zs[t] = z; cs[t] = c; hs[t + 1] = hn
            }
        }
        let scale = 1 / Double(kn)
        var loss = 0.0, g = [Double](repeating: 0, count: kn)
        for i in 0..<kn { let d = hs[steps][i] - targets[i]; loss += d * d * scale; g[i] = 2 * d * scale }
        var grad = [Double](repeating: 0, count: 3 * nn)
        var gz = g, gn = g, gu = g, gr = g, gp = g
        w.withUnsafeBufferPointer { pw in
            grad.withUnsafeMutableBufferPointer { pg in
                let wr = pw.baseAddress!, wz = wr + nn, wn = wr + 2 * nn
                let dr = pg.baseAddress!, dz = dr + nn, dn = dr + 2 * nn
                func accumulateOuter(_ a: [Double], _ b: [Double], into d: UnsafeMutablePointer<Double>) {
                    // d (n×n) += aᵀ (n×K) · b (K×n)
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            Double.gemm(transA: true, transB: false, m: n, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: n,
                                        b: pb.baseAddress!, ldb: n, beta: 1, c: d, ldc: n)
                        }
                    }
                }
                for t in stride(from: steps - 1, through: 0, by: -1) {
                    let h = hs[t], r = rs[t], z = zs[t], c = cs[t]
                    for i in 0..<kn {
                        gz[i] = g[i] * (h[i] - c[i]) * z[i] * (1 - z[i])
                        gn[i] = g[i] * (1 - z[i]) * (1 - c[i] * c[i])
                        u[i] = r[i] * h[i]
                        gp[i] = g[i] * z[i]
                    }
                    accumulateOuter(gz, h, into: dz)
                    accumulateOuter(gn, u, into: dn)
                    gemm(gn, wn, transB: false, into: &gu)
                    for i in 0..<kn { gr[i] = gu[i] * h[i] * r[i] * (1 - r[i]); gp[i] += gu[i] * r[i] }
                    accumulateOuter(gr, h, into: dr)
                    gemm(gz, wz, transB: false, into: &gp, beta: 1)
                    gemm(gr, wr, transB: false, into: &gp, beta: 1)
                    swap(&g, &gp)
                }
            }
        }
        return (loss, Matrix(rows: 3 * n, cols: n, elements: grad))
    }

    /// The loss alone, by an independent forward pass (``InputFreeGRU`` one example at a time,
    /// no BLAS), for finite-difference checks of both gradients.
    /// - Precondition: weightHH is 3H×H.
    func loss(_ weightHH: Matrix<Double>) -> Double {
        let gru = InputFreeGRU(weightHH: weightHH, form: .resetBefore)
        var total = 0.0
        for e in 0..<examples {
            var h = Array(initialStates[(e * hiddenSize)..<((e + 1) * hiddenSize)])
            for _ in 0..<steps { h = gru(h) }
            for i in 0..<hiddenSize { let d = h[i] - targets[e * hiddenSize + i]; total += d * d }
        }
        return total / Double(examples * hiddenSize)
    }
}

extension GRULayer {
    /// Write pointers to the gradients of W_ih, W_hh, b_ih, b_hh (nil for absent biases).
    @inline(__always)
    func withGradients<R>(_ body: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>,
                                   UnsafeMutablePointer<Scalar>?, UnsafeMutablePointer<Scalar>?) -> R) -> R {
        weightIH.gradient.elements.withUnsafeMutableBufferPointer { gih in
            weightHH.gradient.elements.withUnsafeMutableBufferPointer { ghh in
                if let biasIH, let biasHH {
                    return biasIH.gradient.elements.withUnsafeMutableBufferPointer { bi in
                        biasHH.gradient.elements.withUnsafeMutableBufferPointer { bh in
                            body(gih.baseAddress!, ghh.baseAddress!, bi.baseAddress!, bh.baseAddress!)
                        }
                    }
                }
                return body(gih.baseAddress!, ghh.baseAddress!, nil, nil)
            }
        }
    }

    /// The backward sweep over the window of the last forward pass.
    ///
    /// Reads ∂loss/∂h_t from `ws.dOut` and ∂loss/∂h_T from beyond the window from `ws.carry`;
    /// leaves ∂loss/∂h_0 in `ws.carry`, ∂loss/∂x in `ws.dX` (when `inputGradient`), and sets
    /// (β = 0) or adds to (β = 1, `accumulate`) the parameter gradients.
    ///
    /// Per step, with δ = ∂loss/∂h_t (reset-after):
    ///     δn = δ(1 − z),  a_n = δn(1 − n²),  δz = δ(h_{t−1} − n),  a_z = δz z(1 − z)
    ///     a_r = a_n (W_hn h + b_hn) r(1 − r)
    ///     ∂/∂(x-projections) = [a_r, a_z, a_n],  ∂/∂(h-projections) = [a_r, a_z, a_n ⊙ r]
    ///     ∂loss/∂h_{t−1} = δ ⊙ z + [a_r, a_z, a_n ⊙ r] · W_hh
    /// reset-before: ρ = a_n · W_hn is ∂loss/∂(r ⊙ h), a_r = ρ h_{t−1} r(1 − r) and
    ///     ∂loss/∂h_{t−1} = δ ⊙ z + ρ ⊙ r + [a_r, a_z] · [W_hr; W_hz].
    /// After the sweep: ∂W_ih = Aᵀ X, ∂b_ih = Aᵀ 1 (A the stacked x-projection gradients), and
    /// ∂W_hh = A_hᵀ [h_0 … h_{T−1}] (reset-before: the n rows use r ⊙ h instead), each one GEMM.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backwardWindow(_ ws: GRUWorkspace<Scalar>, accumulate: Bool, inputGradient: Bool) {
        let T = ws.steps, B = ws.batch, I = inputSize, H = hiddenSize, H3 = 3 * H, H2 = 2 * H, N = T * B
        let gates = ws.gates.p, aux = ws.aux.p, hs = ws.hs.p, dOut = ws.dOut.p
        let dGx = ws.dGx.p, dGh = ws.dGh.p, carry = ws.carry.p, tmp = ws.tmp.p
        let cell = self.cell
        let beta: Scalar = accumulate ? 1 : 0
        withWeights { wih, whh, _, _ in
            let packed = cell == .resetAfter ? packedRecurrent(whh, forward: false) : nil
            for t in stride(from: T - 1, through: 0, by: -1) {
                let hPrev = hs + t * B * H, g = gates + t * B * H3, a = aux + t * B * H
                let dout = dOut + t * B * H, dgx = dGx + t * B * H3
                switch cell {
                case .resetAfter:
                    let dgh = dGh + t * B * H3
                    for b in 0..<B {
                        let gr = g + b * H3, ar = a + b * H, hp = hPrev + b * H, d = dout + b * H, c = carry + b * H
                        let dx = dgx + b * H3, dh = dgh + b * H3
                        for j in stride(from: 0, to: H, by: 8) {
                            let w = Swift.min(8, H - j)
                            let delta = lanes(d + j, w) + lanes(c + j, w)
                            let r = lanes(gr + j, w), z = lanes(gr + H + j, w), n = lanes(gr + H2 + j, w)
                            let an = delta * (1 - z) * (1 - n * n)
                            let az = delta * (lanes(hp + j, w) - n) * z * (1 - z)
                            let ar_ = an * lanes(ar + j, w) * r * (1 - r)
                            store(ar_, dx + j, w); store(az, dx + H + j, w); store(an, dx + H2 + j, w)
                            store(ar_, dh + j, w); store(az, dh + H + j, w); store(an * r, dh + H2 + j, w)
                            store(delta * z, c + j, w)
                        }
                    }
                    // carry += [a_r, a_z, a_n ⊙ r] · W_hh (packed W_hh at the larger sizes, else BLAS).
                    if let packed {
                        packed.multiply(dgh, lda: H3, m: B, into: carry, ldc: H, accumulate: true)
                    } else {
                        Scalar.gemm(transA: false, transB: false, m: B, n: H, k: H3, alpha: 1, a: dgh, lda: H3,
                                    b: whh, ldb: H, beta: 1, c: carry, ldc: H)
                    }
                case .resetBefore:
                    for b in 0..<B {
                        let gr = g + b * H3, hp = hPrev + b * H, d = dout + b * H, c = carry + b * H, dx = dgx + b * H3
                        for j in stride(from: 0, to: H, by: 8) {
                            let w = Swift.min(8, H - j)
                            let delta = lanes(d + j, w) + lanes(c + j, w)
                            let z = lanes(gr + H + j, w), n = lanes(gr + H2 + j, w)
                            store(delta * (1 - z) * (1 - n * n), dx + H2 + j, w)
                            store(delta * (lanes(hp + j, w) - n) * z * (1 - z), dx + H + j, w)
                            store(delta * z, c + j, w)
                        }
                    }
                    // ρ = a_n · W_hn (B×H).
                    Scalar.gemm(transA: false, transB: false, m: B, n: H, k: H, alpha: 1, a: dgx + H2, lda: H3,
                                b: whh + H2 * H, ldb: H, beta: 0, c: tmp, ldc: H)
                    for b in 0..<B {
                        let gr = g + b * H3, hp = hPrev + b * H, c = carry + b * H, dx = dgx + b * H3, rho = tmp + b * H
                        for j in stride(from: 0, to: H, by: 8) {
                            let w = Swift.min(8, H - j)
                            let r = lanes(gr + j, w), rh = lanes(rho + j, w)
                            store(rh * lanes(hp + j, w) * r * (1 - r), dx + j, w)
                            store(lanes(c + j, w) + rh * r, c + j, w)
                        }
                    }
                    // carry += [a_r, a_z] · [W_hr; W_hz].
                    Scalar.gemm(transA: false, transB: false, m: B, n: H, k: H2, alpha: 1, a: dgx, lda: H3,
                                b: whh, ldb: H, beta: 1, c: carry, ldc: H)
                }
            }
            withGradients { gih, ghh, gbih, gbhh in
                Scalar.gemm(transA: true, transB: false, m: H3, n: I, k: N, alpha: 1, a: dGx, lda: H3,
                            b: ws.x.p, ldb: I, beta: beta, c: gih, ldc: I)
                if let gbih { Scalar.gemv(trans: true, m: N, n: H3, alpha: 1, a: dGx, lda: H3, x: ws.ones.p, incx: 1, beta: beta, y: gbih, incy: 1) }
                switch cell {
                case .resetAfter:
                    Scalar.gemm(transA: true, transB: false, m: H3, n: H, k: N, alpha: 1, a: dGh, lda: H3,
                                b: hs, ldb: H, beta: beta, c: ghh, ldc: H)
                    if let gbhh { Scalar.gemv(trans: true, m: N, n: H3, alpha: 1, a: dGh, lda: H3, x: ws.ones.p, incx: 1, beta: beta, y: gbhh, incy: 1) }
                case .resetBefore:
                    Scalar.gemm(transA: true, transB: false, m: H2, n: H, k: N, alpha: 1, a: dGx, lda: H3,
                                b: hs, ldb: H, beta: beta, c: ghh, ldc: H)
                    Scalar.gemm(transA: true, transB: false, m: H, n: H, k: N, alpha: 1, a: dGx + H2, lda: H3,
                                b: aux, ldb: H, beta: beta, c: ghh + H2 * H, ldc: H)
                    if let gbhh { Scalar.gemv(trans: true, m: N, n: H3, alpha: 1, a: dGx, lda: H3, x: ws.ones.p, incx: 1, beta: beta, y: gbhh, incy: 1) }
                }
            }
            if inputGradient {
                Scalar.gemm(transA: false, transB: false, m: N, n: I, k: H3, alpha: 1, a: dGx, lda: H3,
                            b: wih, ldb: I, beta: 0, c: ws.dX.p, ldc: I)
            }
        }
    }
}

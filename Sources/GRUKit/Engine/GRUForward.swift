extension GRULayer {
    /// The packed W_hh for the forward (h·W_hhᵀ) or backward (∂a·W_hh) recurrent product, packed
    /// anew when W_hh has changed or the other direction was packed last; nil below
    /// ``packedMinimumHidden``.
    func packedRecurrent(_ whh: UnsafePointer<Scalar>, forward: Bool) -> PackedProduct<Scalar>? {
        let H = hiddenSize
        guard H >= packedMinimumHidden else { return nil }
        let p = packedWeights ?? PackedProduct(capacity: Swift.max(PackedProduct<Scalar>.capacity(k: H, n: 3 * H),
                                                                   PackedProduct<Scalar>.capacity(k: 3 * H, n: H)))
        packedWeights = p
        p.splitsAcrossThreads = packedProductsSplit
        let version = weightHH.valueVersion
        if p.tag == nil || p.tag!.version != version || p.tag!.forward != forward {
            // Forward: B = W_hhᵀ (H × 3H, given as W_hh); backward: B = W_hh (3H × H).
            p.pack(whh, ld: H, k: forward ? H : 3 * H, n: forward ? 3 * H : H, transposed: forward)
            p.tag = (version, forward)
        }
        return p
    }

    /// Read pointers to W_ih, W_hh, b_ih, b_hh (zeros when the layer has no biases).
    @inline(__always)
    func withWeights<R>(_ body: (UnsafePointer<Scalar>, UnsafePointer<Scalar>, UnsafePointer<Scalar>, UnsafePointer<Scalar>) -> R) -> R {
        let wih = weightIH.value.elements, whh = weightHH.value.elements
        let bih = biasIH?.value.elements, bhh = biasHH?.value.elements
        let zero = UnsafePointer(zeroBias.p)
        return wih.withUnsafeBufferPointer { pih in
            whh.withUnsafeBufferPointer { phh in
                if let bih, let bhh {
                    return bih.withUnsafeBufferPointer { bi in
                        bhh.withUnsafeBufferPointer { bh in body(pih.baseAddress!, phh.baseAddress!, bi.baseAddress!, bh.baseAddress!) }
                    }
                }
                return body(pih.baseAddress!, phh.baseAddress!, zero, zero)
            }
        }
    }

    /// The forward sweep over the window held in `ws` (inputs in `ws.x`, h_0 in the first B
    /// rows of `ws.hs`). Leaves the gate activations in `ws.gates`, the auxiliary products in
    /// `ws.aux` and h_1…h_T in `ws.hs`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forwardWindow(_ ws: GRUWorkspace<Scalar>) {
        let T = ws.steps, B = ws.batch, I = inputSize, H = hiddenSize, H3 = 3 * H, H2 = 2 * H
        let gates = ws.gates.p, aux = ws.aux.p, hs = ws.hs.p, gh = ws.gh.p
        let cell = self.cell
        withWeights { wih, whh, bih, bhh in
            // All input projections of the window at once: gates = X · W_ihᵀ ((T·B)×3H).
            Scalar.gemm(transA: false, transB: true, m: T * B, n: H3, k: I, alpha: 1, a: ws.x.p, lda: I,
                        b: wih, ldb: I, beta: 0, c: gates, ldc: H3)
            let packed = cell == .resetAfter ? packedRecurrent(whh, forward: true) : nil
            for t in 0..<T {
                let hPrev = hs + t * B * H, hNext = hs + (t + 1) * B * H
                let g = gates + t * B * H3, a = aux + t * B * H
                switch cell {
                case .resetAfter:
                    // gh = h_{t−1} · W_hhᵀ (B×3H): from the packed W_hh at the larger sizes, else BLAS.
                    if let packed {
                        packed.multiply(hPrev, lda: H, m: B, into: gh, ldc: H3, accumulate: false)
                    } else {
                        Scalar.gemm(transA: false, transB: true, m: B, n: H3, k: H, alpha: 1, a: hPrev, lda: H,
                                    b: whh, ldb: H, beta: 0, c: gh, ldc: H3)
                    }
                    for b in 0..<B {
                        let gr = g + b * H3, hr = gh + b * H3, hp = hPrev + b * H, hn = hNext + b * H, ar = a + b * H
                        for j in stride(from: 0, to: H, by: 8) {
                            let w = Swift.min(8, H - j)
                            let r = Scalar.sigmoid(lanes(gr + j, w) + lanes(bih + j, w) + lanes(hr + j, w) + lanes(bhh + j, w))
                            let z = Scalar.sigmoid(lanes(gr + H + j, w) + lanes(bih + H + j, w) + lanes(hr + H + j, w) + lanes(bhh + H + j, w))
                            let hnj = lanes(hr + H2 + j, w) + lanes(bhh + H2 + j, w)
                            let n = Scalar.tanh(lanes(gr + H2 + j, w) + lanes(bih + H2 + j, w) + r * hnj)
                            store(r, gr + j, w); store(z, gr + H + j, w); store(n, gr + H2 + j, w); store(hnj, ar + j, w)
                            store((1 - z) * n + z * lanes(hp + j, w), hn + j, w)
                        }
                    }
                case .resetBefore:
                    // gates[:, r|z] += h_{t−1} · [W_hr; W_hz]ᵀ.
                    Scalar.gemm(transA: false, transB: true, m: B, n: H2, k: H, alpha: 1, a: hPrev, lda: H,
                                b: whh, ldb: H, beta: 1, c: g, ldc: H3)
                    for b in 0..<B {
                        let gr = g + b * H3, hp = hPrev + b * H, ar = a + b * H
                        for j in stride(from: 0, to: H, by: 8) {
                            let w = Swift.min(8, H - j)
                            let r = Scalar.sigmoid(lanes(gr + j, w) + lanes(bih + j, w) + lanes(bhh + j, w))
                            let z = Scalar.sigmoid(lanes(gr + H + j, w) + lanes(bih + H + j, w) + lanes(bhh + H + j, w))
                            store(r, gr + j, w); store(z, gr + H + j, w)
                            store(r * lanes(hp + j, w), ar + j, w)
                        }
                    }
                    // gates[:, n] += (r ⊙ h_{t−1}) · W_hnᵀ.
                    Scalar.gemm(transA: false, transB: true, m: B, n: H, k: H, alpha: 1, a: a, lda: H,
                                b: whh + H2 * H, ldb: H, beta: 1, c: g + H2, ldc: H3)
                    for b in 0..<B {
                        let gr = g + b * H3, hp = hPrev + b * H, hn = hNext + b * H
                        for j in stride(from: 0, to: H, by: 8) {
                            let w = Swift.min(8, H - j)
                            let n = Scalar.tanh(lanes(gr + H2 + j, w) + lanes(bih + H2 + j, w) + lanes(bhh + H2 + j, w))
                            let z = lanes(gr + H + j, w)
                            store(n, gr + H2 + j, w)
                            store((1 - z) * n + z * lanes(hp + j, w), hn + j, w)
                        }
                    }
                }
            }
        }
    }
}

import CKernels

/// 1-D convolution over a token sequence (Kim 2014), as one GEMM per pass.
///
/// Input x: [B, T, E] (batch-major). Weight: [width, maps, E], i.e. one [maps, E] slice per offset.
/// Output: [B, T − width + 1, maps] ("valid" positions; pad the tokens to convolve at the edges).
/// Forward computes Y = X · Wᵀ ([B·T, E] · [E, width·maps]) and sums the shifted slices:
/// out[b, p, m] = bias[m] + Σⱼ Y[b·T + p + j, j·maps + m]. No im2col copy of X is needed.
public enum Conv1DKernel {
    public static func outputLength(_ length: Int, width: Int) -> Int { max(length - width + 1, 0) }

    /// Returns the output [B, T − width + 1, maps].
    public static func forward(x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let (batch, length, dim) = (x.dim(0), x.dim(1), x.dim(2))
        let (width, maps) = (weight.dim(0), weight.dim(1))
        precondition(weight.dim(2) == dim, "conv weight \(weight.shape) for input \(x.shape)")
        let outLength = outputLength(length, width: width)
        guard outLength > 0 else { return Tensor(zeros: [batch, outLength, maps]) }
        let wm = width * maps
        let y = Tensor(uninitialized: [batch * length, wm])  // [B·T, width·maps], set by the GEMM
        BLAS.gemm(transB: true, m: batch * length, n: wm, k: dim, a: x.data, lda: dim,
                  b: weight.data, ldb: dim, c: y.data, ldc: wm)
        let out = Tensor(uninitialized: [batch, outLength, maps])  // every element set by the kernel
        tl_conv1d_sum_shifted(y.data, bias?.data, out.data, batch, length, outLength, width, maps)
        return out
    }

    /// Accumulates dx, dWeight, dBias (each optional: a frozen input gets no gradient work).
    public static func backward(x: Tensor, weight: Tensor, dOut: Tensor,
                                dx: Tensor?, dWeight: Tensor?, dBias: Tensor?) {
        let (batch, length, dim) = (x.dim(0), x.dim(1), x.dim(2))
        let (width, maps) = (weight.dim(0), weight.dim(1))
        let outLength = dOut.dim(1)
        guard outLength > 0 else { return }
        let wm = width * maps
        if let dBias {
            for r in 0..<(batch * outLength) {
                let g = dOut.data + r * maps
                for m in 0..<maps { dBias.data[m] += g[m] }
            }
        }
        guard dx != nil || dWeight != nil else { return }
        // dY[b·T + t, j·maps + m] = dOut[b, t − j, m] where 0 ≤ t − j < outLength, else 0: each block is
        // copied or zeroed once (zero-filling all of dY first was a tenth of a Kim-CNN step).
        let dy = Tensor(uninitialized: [batch * length, wm])
        for b in 0..<batch {
            for t in 0..<length {
                let row = dy.data + (b * length + t) * wm
                for j in 0..<width {
                    let p = t - j
                    if p >= 0 && p < outLength {
                        (row + j * maps).update(from: dOut.data + (b * outLength + p) * maps, count: maps)
                    } else {
                        (row + j * maps).update(repeating: 0, count: maps)
                    }
                }
            }
        }
        if let dx {
            BLAS.gemm(m: batch * length, n: dim, k: wm, a: dy.data, lda: wm, b: weight.data, ldb: dim,
                      beta: 1, c: dx.data, ldc: dim)
        }
        if let dWeight {
            BLAS.gemm(transA: true, m: wm, n: dim, k: batch * length, a: dy.data, lda: wm, b: x.data, ldb: dim,
                      beta: 1, c: dWeight.data, ldc: dim)
        }
    }
}

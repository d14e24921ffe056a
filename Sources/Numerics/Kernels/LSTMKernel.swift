import CKernels
import Foundation

/// One LSTM layer's weights in PyTorch's layout (Hochreiter & Schmidhuber 1997; gates as in
/// `torch.nn.LSTM`): rows of the 4H dimension are the gates i, f, g, o in that order.
public struct LSTMLayerWeights {
    public var inputWeight: Tensor   // W_ih [4H, In]
    public var hiddenWeight: Tensor  // W_hh [4H, H]
    public var inputBias: Tensor     // b_ih [4H]
    public var hiddenBias: Tensor    // b_hh [4H]
    public init(inputWeight: Tensor, hiddenWeight: Tensor, inputBias: Tensor, hiddenBias: Tensor) {
        self.inputWeight = inputWeight; self.hiddenWeight = hiddenWeight
        self.inputBias = inputBias; self.hiddenBias = hiddenBias
    }
    public var hiddenSize: Int { hiddenWeight.dim(1) }
    public var inputSize: Int { inputWeight.dim(1) }
}

/// Gradient buffers of one layer; a nil field gets no gradient work (a frozen weight).
public struct LSTMLayerGradients {
    public var inputWeight: Tensor?, hiddenWeight: Tensor?, inputBias: Tensor?, hiddenBias: Tensor?
    public init(inputWeight: Tensor?, hiddenWeight: Tensor?, inputBias: Tensor?, hiddenBias: Tensor?) {
        self.inputWeight = inputWeight; self.hiddenWeight = hiddenWeight
        self.inputBias = inputBias; self.hiddenBias = hiddenBias
    }
    var needsGateGradients: Bool { inputWeight != nil || hiddenWeight != nil || inputBias != nil || hiddenBias != nil }
}

/// Hidden and cell state of every layer: h, c each [L, B, H].
public struct LSTMState {
    public var hidden: Tensor
    public var cell: Tensor
    public init(hidden: Tensor, cell: Tensor) { self.hidden = hidden; self.cell = cell }
    public init(layers: Int, batch: Int, hiddenSize: Int) {
        hidden = Tensor(zeros: [layers, batch, hiddenSize]); cell = Tensor(zeros: [layers, batch, hiddenSize])
    }
    /// An independent copy: carrying state across truncated-BPTT windows detaches it from the graph.
    public func detached() -> LSTMState { LSTMState(hidden: hidden.copy(), cell: cell.copy()) }
}

/// A fused multi-layer LSTM over a time-major padded batch, forward and backpropagation through time.
///
/// Input x: [T, B, In]; lengths (optional): valid steps per sequence. Past its length a sequence's
/// state is carried unchanged and its output is zero, as with PyTorch's packed sequences, so the final
/// state is the state at each sequence's own last step. The input projection of all steps is one GEMM
/// [T·B, In]·[In, 4H]; only the recurrent product [B, H]·[H, 4H] runs per step; weight gradients are
/// one GEMM each over all steps.
public enum LSTMKernel {
    public final class LayerCache {
        let input: Tensor        // [T, B, In] this layer's input (after inter-layer dropout)
        let gates: Tensor        // [T, B, 4H] activated gates i, f, g, o
        let hiddens: Tensor      // [T+1, B, H] h₋₁ … h_{T−1}
        let cells: Tensor        // [T+1, B, H] c₋₁ … c_{T−1}
        let tanhCells: Tensor    // [T, B, H]
        init(input: Tensor, gates: Tensor, hiddens: Tensor, cells: Tensor, tanhCells: Tensor) {
            self.input = input; self.gates = gates; self.hiddens = hiddens; self.cells = cells; self.tanhCells = tanhCells
        }
    }

    public struct Cache {
        public let layers: [LayerCache]
        public let lengths: [Int]?
        /// Inter-layer dropout masks (count L−1, each tiled over [B, H]); nil where none was applied.
        public let dropoutMasks: [Tensor?]
    }

    /// Runs all layers; returns the top layer's output [T, B, H], the final state and the cache for backward.
    public static func forward(x: Tensor, layers: [LSTMLayerWeights], lengths: [Int]? = nil,
                               initial: LSTMState? = nil, dropoutMasks: [Tensor?] = []) -> (Tensor, LSTMState, Cache) {
        let (time, batch) = (x.dim(0), x.dim(1))
        precondition(!layers.isEmpty, "an LSTM needs at least one layer")
        if let lengths { precondition(lengths.count == batch && lengths.allSatisfy { $0 >= 0 && $0 <= time },
                                      "lengths \(lengths) for input \(x.shape)") }
        let hiddenSize = layers[0].hiddenSize
        let final = LSTMState(layers: layers.count, batch: batch, hiddenSize: hiddenSize)
        var caches: [LayerCache] = []
        var input = x
        var masks: [Tensor?] = []
        for (l, weights) in layers.enumerated() {
            if l > 0, l - 1 < dropoutMasks.count, let mask = dropoutMasks[l - 1] {
                let dropped = Tensor(zeros: input.shape)
                DropoutKernel.apply(input, mask: mask, into: dropped)
                input = dropped
                masks.append(mask)
            } else if l > 0 {
                masks.append(nil)
            }
            let cache = layerForward(x: input, weights: weights, lengths: lengths,
                                     h0: initial.map { slice($0.hidden, l) }, c0: initial.map { slice($0.cell, l) })
            caches.append(cache)
            let stateSize = batch * hiddenSize
            (final.hidden.data + l * stateSize).update(from: cache.hiddens.data + time * stateSize, count: stateSize)
            (final.cell.data + l * stateSize).update(from: cache.cells.data + time * stateSize, count: stateSize)
            input = layerOutput(cache, lengths: lengths)
        }
        return (input, final, Cache(layers: caches, lengths: lengths, dropoutMasks: masks))
    }

    /// Backpropagation through time. `dOutput` is the gradient of the top output [T, B, H]; `dFinal`
    /// that of the final state (nil: zero, as in truncated BPTT). Weight gradients accumulate into
    /// `gradients[l]`; `dx` (if non-nil) accumulates the input gradient.
    public static func backward(cache: Cache, layers: [LSTMLayerWeights], dOutput: Tensor, dFinal: LSTMState? = nil,
                                gradients: [LSTMLayerGradients], dx: Tensor?) {
        var dOut = dOutput
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            // The input gradient is needed only if something below this layer learns.
            let belowNeedsGradient = dx != nil || (0..<l).contains { gradients[$0].needsGateGradients }
            guard gradients[l].needsGateGradients || belowNeedsGradient else { return }
            let dInput = belowNeedsGradient ? (l == 0 ? dx : Tensor(zeros: cache.layers[l].input.shape)) : nil
            layerBackward(cache: cache.layers[l], weights: layers[l], lengths: cache.lengths, dOut: dOut,
                          dh: dFinal.map { slice($0.hidden, l) }, dc: dFinal.map { slice($0.cell, l) },
                          gradients: gradients[l], dInput: dInput)
            guard l > 0, let dInput else { return }
            if let mask = cache.dropoutMasks[l - 1] {
                let undropped = Tensor(zeros: dInput.shape)
                DropoutKernel.backward(dy: dInput, mask: mask, dx: undropped)
                dOut = undropped
            } else {
                dOut = dInput
            }
        }
    }

    // MARK: One layer

    static func layerForward(x: Tensor, weights w: LSTMLayerWeights, lengths: [Int]?, h0: Tensor?, c0: Tensor?) -> LayerCache {
        let (time, batch, inSize) = (x.dim(0), x.dim(1), x.dim(2))
        let hidden = w.hiddenSize, gateWidth = 4 * hidden
        precondition(w.inputSize == inSize && w.inputWeight.dim(0) == gateWidth,
                     "LSTM weights W_ih \(w.inputWeight.shape) W_hh \(w.hiddenWeight.shape) for input \(x.shape)")
        let gates = Tensor(zeros: [time, batch, gateWidth])
        let hiddens = Tensor(zeros: [time + 1, batch, hidden])
        let cells = Tensor(zeros: [time + 1, batch, hidden])
        let tanhCells = Tensor(zeros: [time, batch, hidden])
        if let h0 { hiddens.data.update(from: h0.data, count: batch * hidden) }
        if let c0 { cells.data.update(from: c0.data, count: batch * hidden) }
        // Input projection for every step at once, biases folded in.
        let bias = [Float](unsafeUninitializedCapacity: gateWidth) { buf, n in
            for j in 0..<gateWidth { buf[j] = w.inputBias.data[j] + w.hiddenBias.data[j] }
            n = gateWidth
        }
        for r in 0..<(time * batch) { (gates.data + r * gateWidth).update(from: bias, count: gateWidth) }
        BLAS.gemm(transB: true, m: time * batch, n: gateWidth, k: inSize, a: x.data, lda: inSize,
                  b: w.inputWeight.data, ldb: inSize, beta: 1, c: gates.data, ldc: gateWidth)
        let stateSize = batch * hidden
        for t in 0..<time {
            let g = gates.data + t * batch * gateWidth
            let hPrev = hiddens.data + t * stateSize, cPrev = cells.data + t * stateSize
            let hNext = hPrev + stateSize, cNext = cPrev + stateSize
            let tc = tanhCells.data + t * stateSize
            BLAS.gemm(transB: true, m: batch, n: gateWidth, k: hidden, a: hPrev, lda: hidden,
                      b: w.hiddenWeight.data, ldb: hidden, beta: 1, c: g, ldc: gateWidth)
            for b in 0..<batch {
                let o = b * hidden
                guard lengths.map({ t < $0[b] }) ?? true else {
                    (hNext + o).update(from: hPrev + o, count: hidden)
                    (cNext + o).update(from: cPrev + o, count: hidden)
                    (g + b * gateWidth).update(repeating: 0, count: gateWidth)
                    continue
                }
                cellForward(gates: g + b * gateWidth, hidden: hidden, cPrev: cPrev + o,
                            cNext: cNext + o, hNext: hNext + o, tanhC: tc + o)
            }
        }
        return LayerCache(input: x, gates: gates, hiddens: hiddens, cells: cells, tanhCells: tanhCells)
    }

    /// Activates one row of gates in place and advances the cell (vectorised C kernel).
    @inline(__always)
    static func cellForward(gates: UnsafeMutablePointer<Float>, hidden: Int, cPrev: UnsafePointer<Float>,
                            cNext: UnsafeMutablePointer<Float>, hNext: UnsafeMutablePointer<Float>,
                            tanhC: UnsafeMutablePointer<Float>) {
        tl_lstm_cell_forward(gates, cPrev, cNext, hNext, tanhC, hidden)
    }

    /// The layer's output sequence: h_t where t < length, zero past it.
    static func layerOutput(_ cache: LayerCache, lengths: [Int]?) -> Tensor {
        let (time, batch, hidden) = (cache.tanhCells.dim(0), cache.tanhCells.dim(1), cache.tanhCells.dim(2))
        let out = Tensor(zeros: [time, batch, hidden])
        let stateSize = batch * hidden
        out.data.update(from: cache.hiddens.data + stateSize, count: time * stateSize)
        if let lengths {
            for t in 0..<time { for b in 0..<batch where t >= lengths[b] {
                (out.data + t * stateSize + b * hidden).update(repeating: 0, count: hidden)
            } }
        }
        return out
    }

    static func layerBackward(cache: LayerCache, weights w: LSTMLayerWeights, lengths: [Int]?, dOut: Tensor,
                              dh: Tensor?, dc: Tensor?, gradients: LSTMLayerGradients, dInput: Tensor?) {
        let (time, batch, hidden) = (cache.tanhCells.dim(0), cache.tanhCells.dim(1), cache.tanhCells.dim(2))
        let gateWidth = 4 * hidden, stateSize = batch * hidden
        let dGates = Tensor(zeros: [time, batch, gateWidth])
        let dhNext = dh?.copy() ?? Tensor(zeros: [batch, hidden])
        let dcNext = dc?.copy() ?? Tensor(zeros: [batch, hidden])
        let dhTotal = Tensor(zeros: [batch, hidden])
        for t in stride(from: time - 1, through: 0, by: -1) {
            // dh = ∂L/∂h_t from the output above plus from step t+1. Past a sequence's end its output
            // is the constant 0, so only the carried-state gradient flows.
            let dOutT = dOut.data + t * stateSize
            for b in 0..<batch {
                let valid = lengths.map { t < $0[b] } ?? true
                for k in (b * hidden)..<((b + 1) * hidden) { dhTotal.data[k] = (valid ? dOutT[k] : 0) + dhNext.data[k] }
            }
            let g = cache.gates.data + t * batch * gateWidth
            let dg = dGates.data + t * batch * gateWidth
            let cPrev = cache.cells.data + t * stateSize
            let tc = cache.tanhCells.data + t * stateSize
            for b in 0..<batch {
                let o = b * hidden
                guard lengths.map({ t < $0[b] }) ?? true else { continue }  // dGates row stays 0; dc passes through
                cellBackward(gates: g + b * gateWidth, dGates: dg + b * gateWidth, hidden: hidden,
                             cPrev: cPrev + o, tanhC: tc + o, dh: dhTotal.data + o, dc: dcNext.data + o)
            }
            // dh_{t−1} = dGates_t · W_hh for running sequences; passed through unchanged for finished ones.
            BLAS.gemm(m: batch, n: hidden, k: gateWidth, a: dg, lda: gateWidth, b: w.hiddenWeight.data, ldb: hidden,
                      c: dhNext.data, ldc: hidden)
            if let lengths {
                for b in 0..<batch where t >= lengths[b] {
                    (dhNext.data + b * hidden).update(from: dhTotal.data + b * hidden, count: hidden)
                }
            }
        }
        let rows = time * batch
        if let dW = gradients.hiddenWeight {
            BLAS.gemm(transA: true, m: gateWidth, n: hidden, k: rows, a: dGates.data, lda: gateWidth,
                      b: cache.hiddens.data, ldb: hidden, beta: 1, c: dW.data, ldc: hidden)
        }
        if let dW = gradients.inputWeight {
            let inSize = w.inputSize
            BLAS.gemm(transA: true, m: gateWidth, n: inSize, k: rows, a: dGates.data, lda: gateWidth,
                      b: cache.input.data, ldb: inSize, beta: 1, c: dW.data, ldc: inSize)
        }
        if gradients.inputBias != nil || gradients.hiddenBias != nil {
            let sums = Tensor(zeros: [gateWidth])
            for r in 0..<rows { BLAS.axpy(count: gateWidth, alpha: 1, x: dGates.data + r * gateWidth, y: sums.data) }
            if let db = gradients.inputBias { BLAS.axpy(count: gateWidth, alpha: 1, x: sums.data, y: db.data) }
            if let db = gradients.hiddenBias { BLAS.axpy(count: gateWidth, alpha: 1, x: sums.data, y: db.data) }
        }
        if let dInput {
            BLAS.gemm(m: rows, n: w.inputSize, k: gateWidth, a: dGates.data, lda: gateWidth,
                      b: w.inputWeight.data, ldb: w.inputSize, beta: 1, c: dInput.data, ldc: w.inputSize)
        }
    }

    /// Gate pre-activation gradients of one row; updates dc in place to ∂L/∂c_{t−1} (vectorised C kernel).
    @inline(__always)
    static func cellBackward(gates: UnsafePointer<Float>, dGates: UnsafeMutablePointer<Float>, hidden: Int,
                             cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
                             dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>) {
        tl_lstm_cell_backward(gates, dGates, cPrev, tanhC, dh, dc, hidden)
    }

    static func slice(_ state: Tensor, _ layer: Int) -> Tensor {
        let (batch, hidden) = (state.dim(1), state.dim(2))
        let out = Tensor(zeros: [batch, hidden])
        out.data.update(from: state.data + layer * batch * hidden, count: batch * hidden)
        return out
    }
}

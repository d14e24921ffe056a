import Numerics

/// A token stream laid out for truncated backpropagation through time (Williams & Peng 1990), as
/// PyTorch's word-language-model example: the stream is cut into `batch` contiguous columns, and
/// window i feeds rows [i·T, i·T + T) and predicts the rows one step later. Consecutive windows
/// continue each column, so the LSTM state carries across them.
public struct BPTTBatches: Sequence {
    public struct Window {
        public let inputs: [Int32]   // time-major [time, batch]
        public let targets: [Int32]  // inputs shifted by one step
        public let time: Int
        public let batch: Int
    }

    public let columns: [Int32]  // time-major [rowsPerColumn, batch]
    public let batch: Int
    public let bptt: Int
    public var rowsPerColumn: Int { columns.count / Swift.max(batch, 1) }

    public init(stream: [Int32], batch: Int, bptt: Int) {
        precondition(batch > 0 && bptt > 0, "batch \(batch) and bptt \(bptt) must be positive")
        let rows = stream.count / batch
        var columns = [Int32](repeating: 0, count: rows * batch)
        for b in 0..<batch { for t in 0..<rows { columns[t * batch + b] = stream[b * rows + t] } }
        self.columns = columns
        self.batch = batch
        self.bptt = bptt
    }

    /// Number of windows per pass (the last may be shorter than `bptt`).
    public var count: Int { Swift.max(rowsPerColumn - 1 + bptt - 1, 0) / bptt }

    public func makeIterator() -> AnyIterator<Window> {
        var start = 0
        return AnyIterator {
            let length = Swift.min(bptt, rowsPerColumn - 1 - start)
            guard length > 0 else { return nil }
            defer { start += length }
            let inputs = Array(columns[(start * batch)..<((start + length) * batch)])
            let targets = Array(columns[((start + 1) * batch)..<((start + 1 + length) * batch)])
            return Window(inputs: inputs, targets: targets, time: length, batch: batch)
        }
    }
}

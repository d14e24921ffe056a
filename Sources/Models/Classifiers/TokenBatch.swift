/// A padded batch of token-id sequences, batch-major [B, T], with lengths and labels.
public struct TokenBatch: Sendable {
    public let ids: [Int32]       // [B, T], padding id where past a sequence's end
    public let lengths: [Int]     // tokens per sequence (including any edge padding the model asked for)
    public let labels: [Int32]
    public let batch: Int
    public let time: Int
    /// Token classification's target per position [B·T] (the ignore index −100 at padding and unlabelled tokens).
    public var tokenTargets: [Int32]? = nil

    /// Pads `sequences` to the longest (at least `minimumLength`), placing `edgePadding` padding ids
    /// before each sequence and after it (Kim 2014 pads by window − 1 so every word is seen by every
    /// filter position), and truncating sequences to `maxLength` tokens first.
    public init(sequences: [[Int32]], labels: [Int32], paddingID: Int32 = 0, edgePadding: Int = 0,
                maxLength: Int? = nil, minimumLength: Int = 1) {
        precondition(sequences.count == labels.count, "\(sequences.count) sequences for \(labels.count) labels")
        let clipped = sequences.map { seq in maxLength.map { Array(seq.prefix($0)) } ?? seq }
        let lengths = clipped.map { $0.count + 2 * edgePadding }
        let time = Swift.max(lengths.max() ?? 0, minimumLength)
        var ids = [Int32](repeating: paddingID, count: sequences.count * time)
        for (b, seq) in clipped.enumerated() {
            for (t, id) in seq.enumerated() { ids[b * time + edgePadding + t] = id }
        }
        self.ids = ids
        self.lengths = lengths
        self.labels = labels
        batch = sequences.count
        self.time = time
    }

    /// The same ids laid out time-major [T, B] (for the LSTM).
    public var timeMajorIDs: [Int32] {
        var out = [Int32](repeating: 0, count: ids.count)
        for b in 0..<batch { for t in 0..<time { out[t * batch + b] = ids[b * time + t] } }
        return out
    }
}

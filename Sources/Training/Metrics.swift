/// Classification quality from predictions and gold labels.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    public let accuracy: Double
    /// Unweighted mean of per-class F1 (classes absent from both gold and predictions are skipped).
    public let macroF1: Double
    public let loss: Double
    public let count: Int
    /// Further named scores of the split (token classification's entity precision, recall and F1, micro and per type).
    public var scores: [String: Double]? = nil

    public init(predictions: [Int32], gold: [Int32], classes: Int, loss: Double) {
        precondition(predictions.count == gold.count, "\(predictions.count) predictions for \(gold.count) labels")
        count = gold.count
        accuracy = gold.isEmpty ? 0 : Double(zip(predictions, gold).filter { $0 == $1 }.count) / Double(gold.count)
        var f1s: [Double] = []
        for c in 0..<Int32(classes) {
            let tp = zip(predictions, gold).filter { $0 == c && $1 == c }.count
            let fp = zip(predictions, gold).filter { $0 == c && $1 != c }.count
            let fn = zip(predictions, gold).filter { $0 != c && $1 == c }.count
            if tp + fp + fn == 0 { continue }
            f1s.append(2 * Double(tp) / Double(2 * tp + fp + fn))
        }
        macroF1 = f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count)
        self.loss = loss
    }
}

/// The class with the highest score in a row of `classes` logits (the first of equal ones).
func predictedClass(_ row: UnsafePointer<Float>, classes: Int) -> Int32 {
    var best = 0
    for c in 1..<classes where row[c] > row[best] { best = c }
    return Int32(best)
}

import Autodiff
import Models
import Numerics

/// One tagged sequence as a token classifier sees it: the training target of each token (the ignore index where
/// unlabelled), the word each token came from (nil at specials), and each word's gold label.
public struct TaggedTokens: Sendable {
    public let targets: [Int32]
    public let wordIds: [Int?]
    public let gold: [Int32]
    public init(targets: [Int32], wordIds: [Int?], gold: [Int32]) { self.targets = targets; self.wordIds = wordIds; self.gold = gold }
}

/// Token classification for `ClassifierTrainer`: cross-entropy over labelled tokens with per-class weights, or a CRF's
/// likelihood of each sentence's labelled tokens; evaluation at each word's first token (per token, or the CRF's Viterbi
/// path) mapped back to words, scored per word (accuracy, macro-F1 over labels) and per entity as seqeval scores it
/// (micro and per type precision, recall, F1; macro-F1 over types).
public struct TokenClassificationTask: Sendable {
    public let labeler: TokenLabeler
    public let classWeights: [Float]?
    public let scheme: EntityScheme
    /// The O label's id: what a word cut off by truncation is predicted as.
    public let outside: Int32
    /// γ of a focal loss (Lin et al. 2017) in place of the cross-entropy, weighted alike; nil: the cross-entropy.
    public let focalGamma: Double?
    /// The model's CRF output layer, if it has one: it replaces the per-token loss and argmax (no class weights, no focus).
    public let crf: CRFLayer?

    public init(labeler: TokenLabeler, classWeights: [Float]?, scheme: EntityScheme = .conlleval, focalGamma: Double? = nil, crf: CRFLayer? = nil) {
        precondition(crf == nil || (classWeights == nil && focalGamma == nil), "a CRF's loss is over whole sentences: no per-token weights or focus")
        self.labeler = labeler; self.classWeights = classWeights; self.scheme = scheme; self.focalGamma = focalGamma; self.crf = crf
        outside = Int32(labeler.labels.firstIndex(of: "O") ?? 0)
    }

    func loss(_ tape: Tape, _ logits: Variable, _ batch: TokenBatch) -> Variable {
        if let crf {
            let (rows, tags) = Self.chains(batch.tokenTargets!, batch: batch)
            return crf.loss(tape, logits, sequences: rows, tags: tags)
        }
        let weights = classWeights.map { Tensor(shape: [$0.count], values: $0) }
        if let focalGamma {
            return tape.focalLoss(logits, targets: batch.tokenTargets!, gamma: focalGamma, classWeights: weights, ignoreIndex: TokenLabeler.ignored)
        }
        return tape.crossEntropy(logits, targets: batch.tokenTargets!, classWeights: weights, ignoreIndex: TokenLabeler.ignored)
    }

    /// Each sequence's labelled rows of the batch's [B·T] layout, in order, with their targets: the chains a CRF scores.
    static func chains(_ targets: [Int32], batch: TokenBatch) -> (rows: [[Int]], tags: [[Int32]]) {
        var rows: [[Int]] = [], tags: [[Int32]] = []
        for b in 0..<batch.batch {
            let labelled = (b * batch.time..<(b + 1) * batch.time).filter { targets[$0] != TokenLabeler.ignored }
            rows.append(labelled); tags.append(labelled.map { targets[$0] })
        }
        return (rows, tags)
    }

    /// Each member's targets laid out as `batch` lays out its ids ([B·T], edge padding and truncation included).
    static func targets(_ members: [EncodedExample], batch: TokenBatch, edgePadding: Int) -> [Int32] {
        var out = [Int32](repeating: TokenLabeler.ignored, count: batch.batch * batch.time)
        for (b, member) in members.enumerated() {
            let kept = batch.lengths[b] - 2 * edgePadding
            for (t, target) in member.tagging!.targets.prefix(kept).enumerated() { out[b * batch.time + edgePadding + t] = target }
        }
        return out
    }

    /// Scores on `examples`, `forward` giving a chunk's per-token logits [B·T, C] and its batch.
    func evaluate(_ examples: [EncodedExample], batchSize: Int, edgePadding: Int,
                  forward: (Tape, [EncodedExample]) -> (Variable, TokenBatch)) -> ClassificationMetrics {
        let classes = labeler.labels.count
        // The loss over the whole set as one batch would give it: each batch's weighted mean times its weight Σ w[y].
        var predicted: [[Int32]] = [], total = 0.0, totalWeight = 0.0
        for start in stride(from: 0, to: examples.count, by: batchSize) {
            let members = Array(examples[start..<min(start + batchSize, examples.count)])
            let tape = Tape(training: false)
            let (logits, batch) = forward(tape, members)
            let weight = batch.tokenTargets!.reduce(0.0) { sum, target in
                target == TokenLabeler.ignored ? sum : sum + Double(classWeights?[Int(target)] ?? 1)
            }
            if weight > 0 { total += Double(tape.value(loss(tape, logits, batch)).scalar) * weight }
            totalWeight += weight
            let scores = tape.value(logits)
            // With a CRF, each sequence's labelled rows and the tags of its best path over them.
            let paths = crf.map { crf -> (rows: [[Int]], tags: [[Int32]]) in
                let rows = Self.chains(batch.tokenTargets!, batch: batch).rows
                return (rows, crf.decode(scores, sequences: rows))
            }
            for (b, member) in members.enumerated() {
                let tagging = member.tagging!
                let kept = min(tagging.wordIds.count, batch.lengths[b] - 2 * edgePadding)
                var tokens: [Int32] = (0..<kept).map { t in
                    paths == nil ? predictedClass(scores.data + (b * batch.time + edgePadding + t) * classes, classes: classes) : outside
                }
                for (row, tag) in zip(paths?.rows[b] ?? [], paths?.tags[b] ?? []) {
                    let t = row - b * batch.time - edgePadding
                    if t < kept { tokens[t] = tag }
                }
                predicted.append(labeler.wordPredictions(tokenPredictions: tokens, wordIds: Array(tagging.wordIds.prefix(kept)),
                                                         words: tagging.gold.count, fallback: outside))
            }
        }
        let gold = examples.map { $0.tagging!.gold }
        var metrics = ClassificationMetrics(predictions: predicted.flatMap { $0 }, gold: gold.flatMap { $0 }, classes: classes,
                                            loss: totalWeight == 0 ? 0 : total / totalWeight)
        metrics.scores = scores(gold: gold, predicted: predicted)
        return metrics
    }

    /// Entity-level precision, recall and F1 (micro, per type as `f1_<type>`, macro over types) and the word accuracy
    /// of predicting O everywhere.
    public func scores(gold: [[Int32]], predicted: [[Int32]]) -> [String: Double] {
        let names = { (ids: [Int32]) in ids.map { self.labeler.labels[Int($0)] } }
        guard let entities = try? EntityScores(gold: gold.map(names), predicted: predicted.map(names), scheme: scheme) else { return [:] }
        var out = ["entity_precision": entities.micro.precision, "entity_recall": entities.micro.recall, "entity_f1": entities.micro.f1]
        if !entities.macroF1.isNaN { out["entity_macro_f1"] = entities.macroF1 }
        for (type, counts) in entities.perType {
            out["f1_\(type)"] = counts.f1
            out["recall_\(type)"] = counts.recall
        }
        let words = gold.reduce(0) { $0 + $1.count }
        out["all_o_accuracy"] = words == 0 ? 0 : Double(gold.reduce(0) { $0 + $1.filter { $0 == outside }.count }) / Double(words)
        return out
    }
}

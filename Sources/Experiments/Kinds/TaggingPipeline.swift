import Datasets
import Foundation
import Models
import Outcomes
import Specs
import Training

/// A token-classification dataset as a run uses it: its sentences with BIO read as conlleval reads it (an I- that
/// continues no entity starts one, counted), its label set, and its split stratified by whether a sentence has an
/// entity (WNUT-16 ships its training set only: the split is ours).
struct TaggingData {
    let sentences: [TaggedSentence]
    let repairs: Int
    let labels: [String]
    let split: Split

    init(_ data: DataSection, run: RunSection, store: DataStore) throws {
        let raw: [TaggedSentence]
        switch data.source.value {
        case let .installed(id, _): raw = try store.sentences(id)
        case let .file(file, _): raw = try UserFiles.conll(path: file.path)
        }
        var repairs = 0
        sentences = raw.map { s in
            let (tags, n) = BIOValidation.repaired(s.tags)
            repairs += n
            return TaggedSentence(tokens: s.tokens, tags: tags)
        }
        self.repairs = repairs
        labels = Array(Set(sentences.flatMap(\.tags)).union(["O"])).sorted()
        split = data.split(labels: sentences.map { $0.tags.contains { $0 != "O" } ? "entity" : "none" }, run: run)
    }

    func labelIDs(_ sentence: TaggedSentence) -> [Int32] {
        sentence.tags.map { Int32(labels.firstIndex(of: $0)!) }
    }
}

/// `model:` fields every tagger kind shares: the loss's class weights (computed from the training split's targets)
/// and the entity scheme it is scored by.
struct TaggerObjective {
    enum Weighting: String, ConfigChoice { case none, inverse, sqrtInverse = "sqrt-inverse", effectiveNumber = "effective-number", outside }
    enum Scheme: String, ConfigChoice { case conlleval, strictIOB2 = "strict-iob2" }
    var weighting: Weighting
    var beta: Double
    var outsideWeight: Double
    var scheme: Scheme
    /// γ of a focal loss (Lin et al. 2017) in place of the cross-entropy; nil: the cross-entropy.
    var focalGamma: Double?

    init<Key: CodingKey>(_ c: KeyedDecodingContainer<Key>, weighting: Key, beta: Key, outsideWeight: Key, scheme: Key, focalGamma: Key) throws {
        self.weighting = try c.decode(weighting, or: .none)
        self.beta = try c.decode(beta, or: 0.999, "a number in (0, 1)") { (b: Double) in b > 0 && b < 1 }
        self.outsideWeight = try c.decode(outsideWeight, or: 0.3, Valid.rate, Valid.isRate)
        self.scheme = try c.decode(scheme, or: .conlleval)
        self.focalGamma = try c.decodeIfPresent(focalGamma, "a number, 0 or more") { (g: Double) in g >= 0 }
    }

    var classWeighting: ClassWeighting {
        switch weighting {
        case .none: .none
        case .inverse: .inverseFrequency
        case .sqrtInverse: .sqrtInverseFrequency
        case .effectiveNumber: .effectiveNumber(beta: beta)
        case .outside: .downweightOutside(weight: outsideWeight)
        }
    }

    /// The task over `labels`, its weights from the targets of `train` (as the loss will see them), read by `crf` if given.
    func task(labels: [String], train: [EncodedExample], crf: CRFLayer? = nil) -> TokenClassificationTask {
        var counts = [Int](repeating: 0, count: labels.count)
        for example in train { for t in example.tagging!.targets where t != TokenLabeler.ignored { counts[Int(t)] += 1 } }
        let weights = weighting == .none ? nil : classWeighting.weights(counts: counts, outside: labels.firstIndex(of: "O"))
        return TokenClassificationTask(labeler: TokenLabeler(labels: labels), classWeights: weights,
                                       scheme: scheme == .strictIOB2 ? .strictIOB2 : .conlleval, focalGamma: focalGamma, crf: crf)
    }
}

/// Trains a token classifier on prepared examples with the spec's groups, phases and selection on validation entity
/// F1, and scores the best epoch on test.
enum TaggingPipeline {
    static func execute(model: TextClassifier, task: TokenClassificationTask, data: TaggingData, examples: (train: [EncodedExample], valid: [EncodedExample], test: [EncodedExample]),
                        train: TrainSection, run: RunSection, vocabulary: Int, maxLength: Int?, context: RunContext, start: Date) throws -> RunOutcome {
        let seed = UInt64(run.seed)
        let (trainer, groups) = try train.classifierTrainer(model, trainExamples: examples.train.count, classes: data.labels.count, seed: seed, batchSize: 32, selectBy: .entityF1)
        trainer.tokenTask = task
        trainer.maxLength = maxLength
        context.observer?.note("train \(examples.train.count), valid \(examples.valid.count), test \(examples.test.count) sentences; \(data.labels.count) labels; "
                               + "\(data.repairs) I- tags continuing no entity read as starting one; class weights "
                               + (task.classWeights.map { zip(data.labels, $0).map { String(format: "%@ %.3g", $0, $1) }.joined(separator: ", ") } ?? "none")
                               + "; groups " + groups.map(\.name).joined(separator: ", "))
        let fit = try trainer.fit(train: examples.train, valid: examples.valid, resume: context.resume) { context.observer?.epochEnded($0) }
        var result = RunOutcome(fit: fit, trainExamples: examples.train.count, vocabulary: vocabulary, coverage: nil) { trainer.evaluate(examples.test) }
        result.extras = ["bio_repairs": Double(data.repairs), "parameters": Double(model.parameterCount),
                         "training_seconds": fit.epochs.reduce(0) { $0 + $1.seconds }]
        result.seconds = Date().timeIntervalSince(start) + fit.earlierSeconds
        return result
    }
}

extension DataSection {
    /// The run's tagged dataset is installed, or its CoNLL file exists and reads.
    func taggingProblems(_ data: DataStore) -> [String] {
        switch source.value {
        case let .installed(id, _): return installedProblems(id, at: source.location, field: "data.datasets", data: data)
        case let .file(file, _):
            do { _ = try UserFiles.conll(path: file.path) } catch { return ["\(source.location): data.datasets: \(error)"] }
            return []
        }
    }
}

import Datasets
import Models
import Specs
import Training

/// `model:` of a Doc2Vec run or stage (Le & Mikolov 2014), gensim's names where they differ only in spelling.
public struct Doc2VecModel: ModelSection {
    enum Mode: String, ConfigChoice { case dbow, dmMean = "dm-mean", dmConcat = "dm-concat" }
    var fields = Doc2VecConfig()

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, mode, trainWords = "train_words", dimension, window, negative, sample, minCount = "min_count", alpha
        case minAlpha = "min_alpha", epochs, threads
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        _ = try c.decodeIfPresent(String.self, forKey: .kind)
        if let mode = try c.decodeIfPresent(Mode.self, forKey: .mode) { fields.mode = Doc2VecConfig.Mode(rawValue: mode.rawValue)! }
        fields.trainWords = try c.decode(.trainWords, or: fields.trainWords)
        fields.dimension = try c.decode(.dimension, or: fields.dimension, Valid.positive, Valid.atLeast1)
        fields.window = try c.decode(.window, or: fields.window, Valid.positive, Valid.atLeast1)
        fields.negative = try c.decode(.negative, or: fields.negative, Valid.positive, Valid.atLeast1)
        fields.sample = try c.decode(.sample, or: fields.sample, Valid.nonNegative, Valid.isNonNegative)
        fields.minCount = try c.decode(.minCount, or: fields.minCount, Valid.positive, Valid.atLeast1)
        fields.alpha = try c.decode(.alpha, or: fields.alpha, Valid.rate, Valid.isRate)
        fields.minAlpha = try c.decode(.minAlpha, or: fields.minAlpha, Valid.rate, Valid.isRate)
        fields.epochs = try c.decode(.epochs, or: fields.epochs, Valid.positive, Valid.atLeast1)
        fields.threads = try c.decode(.threads, or: 1, Valid.positive, Valid.atLeast1)
    }

    /// The model's configuration with the run's seed.
    func config(seed: Int) -> Doc2VecConfig {
        var d = fields
        d.seed = UInt64(seed)
        return d
    }
}

/// `generic:`: the installed corpora of the generic session.
struct GenericCorpus: Decodable {
    var corpus: Located<[String]>

    func documents(tokenizer: Tokenizer, store: DataStore) throws -> [[String]] {
        guard !corpus.value.isEmpty else { throw corpus.error("name the generic corpus (installed corpus ids)") }
        return try corpus.value.flatMap { try store.documents($0) }.map(tokenizer.tokenize)
    }

    func problems(_ data: DataStore) -> [String] {
        corpus.value.flatMap { installedProblems($0, at: corpus.location, field: "generic.corpus", data: data) }
    }
}

/// The domain dataset of a Doc2Vec run: tokens, label ids and names, and the run's split.
struct Domain {
    let tokens: [[String]]
    let labels: [Int32]
    let names: [String]
    let split: Split

    init(_ data: DataSection, run: RunSection, store: DataStore) throws {
        let examples = try data.examples(store)
        names = Array(Set(examples.map(\.label))).sorted()
        let ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        let tokenizer = data.tokenizer
        tokens = examples.map { tokenizer.tokenize($0.text) }
        labels = examples.map { ids[$0.label]! }
        split = data.split(labels: examples.map(\.label), run: run)
    }
}

import Datasets
import Specs

/// `data:` of a run's configuration: its one dataset (expansion gives each run one), the split, the
/// tokenizer and length limits.
struct DataSection: Decodable {
    /// An installed dataset (with its own fold count, e.g. Kim's 10-fold CV on MR) or a user file.
    enum Source: Decodable {
        case installed(id: String, folds: Int?)
        case file(TextFileSource, name: String?)

        enum CodingKeys: String, CodingKey { case id, folds, file, format, text, label, encoding, name, trainingSizes = "training_sizes" }

        init(from decoder: any Decoder) throws {
            if let id = try? decoder.singleValueContainer().decode(String.self) { self = .installed(id: id, folds: nil); return }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let id = try c.decodeIfPresent(String.self, forKey: .id) {
                c.allow(.trainingSizes)  // the expansion's (a dataset's own sizes); a run's entry no longer has them
                self = .installed(id: id, folds: try c.decodeIfPresent(.folds, "at least 2", { (k: Int) in k >= 2 }))
                return
            }
            let format = try c.decodeIfPresent(FileFormat.self, forKey: .format)
            self = .file(TextFileSource(path: try c.decode(String.self, forKey: .file), format: format.flatMap { .init(rawValue: $0.rawValue) },
                                        text: try c.decode(.text, or: "text"), label: try c.decode(.label, or: "label"),
                                        encoding: try c.decode(.encoding, or: "utf-8")),
                         name: try c.decodeIfPresent(String.self, forKey: .name))
        }

        var installedID: String? { if case let .installed(id, _) = self { return id }; return nil }
    }

    enum FileFormat: String, ConfigChoice { case csv, tsv, jsonl, conll }

    struct SplitFields: Decodable {
        var seed: UInt64?
        var valid: Double?
        var test: Double?
        var folds: Int?
        enum CodingKeys: String, CodingKey { case seed, valid, test, folds }

        /// Fractions that leave a training set; at least two folds.
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
            valid = try c.decodeIfPresent(.valid, Valid.fraction, Valid.isFraction)
            test = try c.decodeIfPresent(.test, Valid.fraction, Valid.isFraction)
            folds = try c.decodeIfPresent(.folds, "at least 2", { (k: Int) in k >= 2 })
            if (valid ?? 0.1) + (test ?? 0.1) >= 1 {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                    "valid \(valid ?? 0.1) + test \(test ?? 0.1) leave no training set: their sum must stay below 1"))
            }
        }

        /// Seed 0 and hold-out fractions 0.1 / 0.1 unless set (also for a section left out); `folds` for k-fold CV.
        static func spec(_ fields: SplitFields?, folds: Int?) -> SplitSpec {
            SplitSpec(seed: fields?.seed ?? 0, valid: fields?.valid ?? 0.1, test: fields?.test ?? 0.1, folds: folds)
        }
    }

    struct TokenizerFields: Decodable {
        var lowercase: Bool?
        var twitter: Bool?
        var pretokenized: Bool?

        /// Lowercased, no Twitter rules, not pretokenized unless set (also for a section left out).
        static func tokenizer(_ fields: TokenizerFields?) -> Tokenizer {
            Tokenizer(lowercase: fields?.lowercase ?? true, twitter: fields?.twitter ?? false, pretokenized: fields?.pretokenized ?? false)
        }
    }

    var datasets: [Located<Source>]
    var split: Located<SplitFields>?
    var tokenizerFields: TokenizerFields?
    var maxLength: Int?
    var minCount: Int?

    enum CodingKeys: String, CodingKey { case datasets, split, tokenizer, maxLength = "max_length", minCount = "min_count" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        datasets = try c.decode([Located<Source>].self, forKey: .datasets)
        split = try c.decodeIfPresent(Located<SplitFields>.self, forKey: .split)
        tokenizerFields = try c.decodeIfPresent(TokenizerFields.self, forKey: .tokenizer)
        maxLength = try c.decodeIfPresent(.maxLength, Valid.positive, Valid.atLeast1)
        minCount = try c.decodeIfPresent(.minCount, Valid.positive, Valid.atLeast1)
    }

    /// The run's dataset.
    var source: Located<Source> { datasets[0] }

    /// Hold-out fractions 0.1 / 0.1 and seed 0 unless set; folds from the dataset or the split.
    var splitSpec: SplitSpec {
        var folds = split?.value.folds
        if case let .installed(_, own?) = source.value { folds = own }
        return SplitFields.spec(split?.value, folds: folds)
    }

    var tokenizer: Tokenizer {
        TokenizerFields.tokenizer(tokenizerFields)
    }

    /// The labelled examples of the run's dataset (installed, or a user file); a classifier needs two classes at least.
    func examples(_ store: DataStore) throws -> [LabeledText] {
        switch source.value {
        case let .installed(id, _): return try store.examples(id)
        case let .file(file, _):
            let examples = try UserFiles.examples(file)
            let classes = Set(examples.map(\.label))
            guard classes.count >= 2 else {
                throw DataError.malformed(file: file.path, line: nil,
                                          reason: "every example has the label '\(classes.first ?? "")': a classifier needs two classes at least")
            }
            return examples
        }
    }

    /// The run's split: its fold of k-fold CV or the hold-out split, the training part subsampled (nested)
    /// to the run's training-set size.
    func split(labels: [String], run: RunSection) -> Split {
        let spec = splitSpec
        var split = run.fold.map { Splitter.fold($0, labels: labels, spec: spec) } ?? Splitter.holdout(labels: labels, spec: spec)
        if let n = run.trainingExamples { split.train = Splitter.trainingSubset(split.train, labels: labels, size: n, seed: spec.seed) }
        return split
    }
}

/// The data part of a run's configuration alone, for planning.
struct RunData: Decodable, OpenConfig {
    var run: RunSection
    var data: DataSection

    /// How many examples the whole training split of a run's dataset and fold holds.
    static func trainingSplitSize(_ config: ConfigNode, data store: DataStore) throws -> Int {
        var c = try ConfigDecoder().decode(RunData.self, from: config)
        c.run.trainingSize = "all"
        let examples = try c.data.examples(store)
        return c.data.split(labels: examples.map(\.label), run: c.run).train.count
    }
}

import Foundation

/// What a run or a stage reports when it ends, as the results database stores it (one JSON per run):
/// status, metrics by split and name, further named results (`extras`) and sizes; a stage adds its kind,
/// summary figures and artifact digest. Every layer reads results through this one type.
public struct RunOutcome: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case finished, diverged, failed }
    public var status: Status?
    public var bestEpoch: Int?
    public var epochs: Int?
    /// Metrics of the chosen (best) epoch on validation, and on test.
    public var valid: SplitMetrics?
    public var test: SplitMetrics?
    public var trainExamples: Int?
    public var vocabulary: Int?
    /// Pretrained-vector coverage of the vocabulary: typesCovered, types, tokensCovered, tokens.
    public var coverage: [String: Int]?
    /// Wall-clock seconds; for a resumed run or stage, plus what its earlier attempts did of the work resumed from.
    public var seconds: Double?
    public var error: String?
    /// Further named results (word-similarity ρ, forgetting ratio, …).
    public var extras: [String: Double]?
    /// A stage's kind, summary figures and the digest of the artifact it made.
    public var kind: String?
    public var summary: [String: Double]?
    public var artifactSHA256: String?

    public init(status: Status? = nil, bestEpoch: Int? = nil, epochs: Int? = nil, valid: SplitMetrics? = nil, test: SplitMetrics? = nil,
                trainExamples: Int? = nil, vocabulary: Int? = nil, coverage: [String: Int]? = nil, seconds: Double? = nil,
                error: String? = nil, extras: [String: Double]? = nil, kind: String? = nil, summary: [String: Double]? = nil) {
        self.status = status; self.bestEpoch = bestEpoch; self.epochs = epochs; self.valid = valid; self.test = test
        self.trainExamples = trainExamples; self.vocabulary = vocabulary; self.coverage = coverage; self.seconds = seconds
        self.error = error; self.extras = extras; self.kind = kind; self.summary = summary
    }

    /// Decodes a stored result; a result that does not decode is an error naming `run`.
    public init(json: String, run: String) throws {
        do {
            self = try JSONDecoder().decode(RunOutcome.self, from: Data(json.utf8))
        } catch {
            throw UndecodableOutcome(run: run, reason: "\(error)")
        }
    }

    /// The JSON stored for it: sorted keys, so the same outcome gives the same bytes.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The metrics of a split by its name (`valid`, `test`).
    public func split(_ name: String) -> SplitMetrics? {
        switch name {
        case "valid": valid
        case "test": test
        default: nil
        }
    }

    /// A result by name: `split.metric` (`test.accuracy`, `valid.loss`, `test.entity_f1`), or an extra by its name.
    public func value(_ name: String) -> Double? {
        if let dot = name.firstIndex(of: "."), let metrics = split(String(name[..<dot])) {
            return metrics[String(name[name.index(after: dot)...])]
        }
        return extras?[name]
    }
}

/// Metrics of one split by name. Names read in snake_case; results store classification's macro-F1
/// as `macroF1`, which `macro_f1` finds.
public struct SplitMetrics: Codable, Equatable, Sendable {
    public var values: [String: Double]

    public init(_ values: [String: Double]) { self.values = values }

    public init(from decoder: any Decoder) throws { values = try [String: Double](from: decoder) }
    public func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }

    public subscript(name: String) -> Double? { values[name] ?? values[Self.camelCase(name)] }

    /// Examples scored (absent in results recorded before it was kept).
    public var count: Int? { values["count"].map { Int($0) } }

    static func camelCase(_ name: String) -> String {
        let parts = name.split(separator: "_")
        return parts.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
    }
}

/// A run whose stored result is not a `RunOutcome`: never left out of a report in silence.
public struct UndecodableOutcome: Error, CustomStringConvertible {
    public let run: String
    public let reason: String
    public var description: String { "the result of \(run) does not decode: \(reason)" }
}

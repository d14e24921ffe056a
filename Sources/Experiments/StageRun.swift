import Datasets
import Foundation
import Models
import Specs
import Training

/// Executes a stage run: makes its artifact in `folder` (created empty by the caller, then moved
/// into place under the stage's key once this returns).
public enum StageRun {
    /// The sub-folder of a stage's work folder that survives a killed attempt, for stages that
    /// checkpoint as they go (language-model training resumes after its last finished epoch).
    public static let resumeFolder = "resume"
    /// The summary entry of a stage resumed from an interrupted attempt: the seconds its earlier attempts spent
    /// on the work resumed from (counted in the stage's `seconds`).
    public static let earlierSecondsKey = "earlier_attempts_seconds"

    /// What a stage reports; stored as the stage run's result.
    public struct Result: Codable, Sendable {
        public var kind: String
        /// Wall-clock seconds, with those of earlier attempts on the epochs it resumed from.
        public var seconds: Double
        public var summary: [String: Double]
        /// The artifact's `ArtifactBundle.digest`, set once it is in place: a stage made again (its artifact
        /// stayed on a gone machine) made the same model when this is equal.
        public var artifactSHA256: String?
    }

    public static func execute(_ config: ConfigNode, into folder: URL, data: DataStore, artifacts: [String: URL] = [:],
                               observer: RunObserver?) throws -> Result {
        let start = Date()
        let c = RunConfig(tree: config)
        var summary: [String: Double] = [:]
        switch try c.string("kind") {
        case "glove":
            // Pennington et al. 2014 on installed corpora; the artifact is the vectors in our format.
            var glove = GloVeConfig()
            glove.dimension = try c.int("dimension", default: glove.dimension)
            glove.window = try c.int("window", default: glove.window)
            glove.xMax = Float(try c.double("x_max", default: Double(glove.xMax)))
            glove.alpha = Float(try c.double("alpha", default: Double(glove.alpha)))
            glove.learningRate = Float(try c.double("learning_rate", default: Double(glove.learningRate)))
            glove.iterations = try c.int("iterations", default: glove.iterations)
            glove.minCount = try c.int("min_count", default: glove.minCount)
            glove.seed = UInt64(try c.int("seed", default: 1))
            let corpus = c.node("corpus")?.sequence?.compactMap(\.scalar) ?? []
            guard !corpus.isEmpty else { throw SpecError(location: config.location, path: "corpus", message: "a glove stage needs installed corpus ids") }
            let documents = try corpus.flatMap { try data.documents($0) }
            let result = GloVePipeline(config: glove, log: { observer?.note($0.trimmingCharacters(in: .whitespaces)) }).run(documents: documents)
            try result.vectors.write(to: folder)
            summary = ["tokens": Double(result.tokens), "vocabulary": Double(result.vectors.count),
                       "cooccurrences": Double(result.cooccurrences), "final_cost": result.costs.last ?? .nan]
        case "lm-pretrain":
            summary = try LanguageModelStages.pretrain(c, into: folder, store: data, observer: observer)
        case "lm-finetune":
            summary = try LanguageModelStages.finetune(c, into: folder, store: data, artifacts: artifacts, observer: observer)
        case "doc2vec-generic":
            summary = try Doc2VecRun.executeGenericStage(c, into: folder, store: data, observer: observer)
        case "trivial":
            // The scheduler tests' stage: a marker file, an optional delay, an optional failure.
            if let delay = c.node("delay_ms")?.scalar.flatMap(Double.init) { Thread.sleep(forTimeInterval: delay / 1000) }
            if c.bool("fail", default: false) { throw StageFailure(message: "the stage was told to fail") }
            try Data(config.canonicalJSON).write(to: folder.appendingPathComponent("config.json"))
        case let kind:
            throw SpecError(location: config.location, path: "kind", message: "unknown stage kind '\(kind)'")
        }
        summary = summary.filter { $0.key != earlierSecondsKey || $0.value > 0 }
        return Result(kind: try c.string("kind"), seconds: Date().timeIntervalSince(start) + (summary[earlierSecondsKey] ?? 0), summary: summary)
    }
}

struct StageFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

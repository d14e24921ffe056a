import Datasets
import Foundation
import Models
import Specs
import Training

/// Typed reading of one run's resolved configuration (a `PlannedRun.config`), with the defaults a
/// spec may leave out. Field errors name the spec location.
struct RunConfig {
    let tree: ConfigNode

    func string(_ path: String, default value: String? = nil) throws -> String {
        if let s = tree.node(at: split(path))?.scalar { return s }
        if let value { return value }
        throw SpecError(location: tree.location, path: path, message: "missing")
    }

    func int(_ path: String, default value: Int? = nil) throws -> Int {
        guard let node = tree.node(at: split(path)) else {
            if let value { return value }
            throw SpecError(location: tree.location, path: path, message: "missing")
        }
        guard let s = node.scalar, let v = Int(s) else { throw SpecError(location: node.location, path: path, message: "expected an integer") }
        return v
    }

    func double(_ path: String, default value: Double? = nil) throws -> Double {
        guard let node = tree.node(at: split(path)) else {
            if let value { return value }
            throw SpecError(location: tree.location, path: path, message: "missing")
        }
        guard let s = node.scalar, let v = Double(s) else { throw SpecError(location: node.location, path: path, message: "expected a number") }
        return v
    }

    func bool(_ path: String, default value: Bool) -> Bool { tree.node(at: split(path))?.scalar.map { $0 == "true" } ?? value }
    func node(_ path: String) -> ConfigNode? { tree.node(at: split(path)) }
    private func split(_ path: String) -> [String] { path.split(separator: ".").map(String.init) }

    // MARK: Sections

    var dataset: ConfigNode { node("data.datasets")!.sequence![0] }

    var splitSpec: SplitSpec {
        get throws {
            SplitSpec(seed: UInt64(try int("data.split.seed", default: 0)), valid: try double("data.split.valid", default: 0.1),
                      test: try double("data.split.test", default: 0.1),
                      folds: dataset["folds"]?.scalar.flatMap(Int.init) ?? (try? int("data.split.folds")))
        }
    }

    /// The labelled examples of the run's dataset (installed, or a user file).
    func examples(_ store: DataStore) throws -> [LabeledText] {
        let source = dataset
        if let id = source.scalar ?? source["id"]?.scalar { return try store.examples(id) }
        return try UserFiles.examples(TextFileSource(path: try string("data.datasets.0.file"), text: source["text"]?.scalar ?? "text",
                                                     label: source["label"]?.scalar ?? "label", encoding: source["encoding"]?.scalar ?? "utf-8"))
    }

    /// The run's split: its fold of k-fold CV or the hold-out split, the training part subsampled
    /// (nested) to the run's training-set size.
    func split(labels: [String]) throws -> Split {
        let spec = try splitSpec
        var split = node("run.fold")?.scalar.flatMap(Int.init).map { Splitter.fold($0, labels: labels, spec: spec) }
            ?? Splitter.holdout(labels: labels, spec: spec)
        if let size = node("run.training_size")?.scalar, let n = Int(size) {
            split.train = Splitter.trainingSubset(split.train, labels: labels, size: n, seed: spec.seed)
        }
        return split
    }

    var tokenizer: Tokenizer {
        Tokenizer(lowercase: bool("data.tokenizer.lowercase", default: true), twitter: bool("data.tokenizer.twitter", default: false),
                  pretokenized: bool("data.tokenizer.pretokenized", default: false))
    }

    func optimizer(_ name: String, at path: String) throws -> OptimizerKind {
        switch name {
        case "sgd": return .sgd(momentum: Float(try double("\(path).momentum", default: 0)))
        case "nesterov": return .sgd(momentum: Float(try double("\(path).momentum", default: 0.9)), nesterov: true)
        case "asgd": return .asgd()
        case "adam": return .adam()
        case "adamw": return .adamW()
        case "adagrad": return .adagrad()
        case "adadelta": return .adadelta(rho: Float(try double("\(path).rho", default: 0.95)), epsilon: Float(try double("\(path).epsilon", default: 1e-6)))
        default: throw SpecError(location: tree.location, path: path, message: "unknown optimizer '\(name)'")
        }
    }

    /// Parameter groups in spec order; a spec without groups trains everything as one group.
    var groups: [GroupConfig] {
        get throws {
            let defaultOptimizer = try string("train.optimizer", default: "adam")
            let defaultRate = Float(try double("train.learning_rate", default: 1e-3))
            guard let pairs = node("train.groups")?.mapping, !pairs.isEmpty else {
                return [GroupConfig(name: "all", patterns: ["*"], optimizer: try optimizer(defaultOptimizer, at: "train"), learningRate: defaultRate)]
            }
            return try pairs.map { name, group in
                let path = "train.groups.\(name)"
                let kind = group["optimizer"]?.scalar ?? defaultOptimizer
                return GroupConfig(
                    name: name, patterns: group["patterns"]?.sequence?.compactMap(\.scalar) ?? ["*"],
                    optimizer: try optimizer(kind, at: group["optimizer"] == nil ? "train" : path),
                    learningRate: Float(try double("\(path).learning_rate", default: Double(defaultRate))),
                    weightDecay: Float(try double("\(path).weight_decay", default: 0)),
                    frozen: bool("\(path).frozen", default: false),
                    maxRowNorm: group["max_row_norm"]?.scalar.flatMap(Float.init))
            }
        }
    }

    /// Phases with `rate_factors` turned into absolute rates; groups frozen in the group list stay frozen.
    func phases(groups: [GroupConfig]) throws -> [Phase] {
        let alwaysFrozen = groups.filter(\.frozen).map(\.name)
        guard let list = node("train.phases")?.sequence else {
            return [Phase(epochs: try int("train.epochs", default: 10), frozen: alwaysFrozen)]
        }
        return try list.enumerated().map { index, phase in
            let path = "train.phases.\(index)"
            var rates: [String: Float] = [:]
            for (name, factor) in phase["rate_factors"]?.mapping ?? [] {
                guard let base = groups.first(where: { $0.name == name }) else {
                    throw SpecError(location: factor.location, path: "\(path).rate_factors.\(name)", message: "no parameter group '\(name)' (groups: \(groups.map(\.name).joined(separator: ", ")))")
                }
                rates[name] = base.learningRate * Float(factor.scalar.flatMap(Double.init) ?? 1)
            }
            let frozen = phase["frozen"]?.sequence?.compactMap(\.scalar) ?? []
            for name in frozen where !groups.contains(where: { $0.name == name }) {
                throw SpecError(location: phase.location, path: "\(path).frozen", message: "no parameter group '\(name)' (groups: \(groups.map(\.name).joined(separator: ", ")))")
            }
            return Phase(epochs: try int("\(path).epochs"), frozen: Array(Set(frozen + alwaysFrozen)).sorted(), learningRates: rates,
                         resetMoments: phase["reset_moments"]?.scalar == "true")
        }
    }
}

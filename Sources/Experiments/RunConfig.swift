import Autodiff
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
                      folds: node("data.datasets.0.folds")?.scalar.flatMap(Int.init) ?? (try? int("data.split.folds")))
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

    func optimizer(_ name: String, at path: String) throws -> OptimizerKind { try optimizer(name, at: [path]) }

    /// The optimizer `name` with its hyper-parameters, each read from the first of `paths` that sets
    /// it (a group's own, then the training defaults), PyTorch's defaults otherwise (Kim's ρ 0.95).
    func optimizer(_ name: String, at paths: [String]) throws -> OptimizerKind {
        func value(_ key: String, default fallback: Double) throws -> Float {
            Float(try double("\(firstPath(setting: key, in: paths) ?? paths[0]).\(key)", default: fallback))
        }
        switch name {
        case "sgd": return .sgd(momentum: try value("momentum", default: 0))
        case "nesterov": return .sgd(momentum: try value("momentum", default: 0.9), nesterov: true)
        case "asgd": return .asgd()
        case "adam", "adamw":
            let (beta1, beta2) = try betas(at: paths)
            let epsilon = try value("epsilon", default: 1e-8)
            return name == "adam" ? .adam(beta1: beta1, beta2: beta2, epsilon: epsilon) : .adamW(beta1: beta1, beta2: beta2, epsilon: epsilon)
        case "adagrad": return .adagrad()
        case "adadelta": return .adadelta(rho: try value("rho", default: 0.95), epsilon: try value("epsilon", default: 1e-6))
        default: throw SpecError(location: tree.location, path: paths[0], message: "unknown optimizer '\(name)'")
        }
    }

    /// The first of `paths` under which `key` is set.
    func firstPath(setting key: String, in paths: [String]) -> String? { paths.first { node("\($0).\(key)") != nil } }

    /// Adam's (β1, β2) from the first of `paths` that sets `betas` (PyTorch's 0.9, 0.999 when none does).
    func betas(at paths: [String]) throws -> (Float, Float) {
        guard let path = firstPath(setting: "betas", in: paths), let node = node("\(path).betas") else { return (0.9, 0.999) }
        let values = node.sequence?.compactMap { $0.scalar.flatMap(Float.init) } ?? []
        guard values.count == 2, values.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw SpecError(location: node.location, path: "\(path).betas", message: "expected two numbers in [0, 1), as [0.9, 0.999]")
        }
        return (values[0], values[1])
    }

    /// A learning-rate schedule node (`constant`, or `{slanted_triangular: {cut_fraction, ratio}}`, …);
    /// `totalSteps` sizes the schedules that need the run's length.
    func schedule(_ node: ConfigNode?, at path: String, totalSteps: Int) throws -> Schedule {
        guard let node else { return .constant }
        if node.scalar == "constant" { return .constant }
        guard let (kind, fields) = node.mapping?.first else {
            throw SpecError(location: node.location, path: path, message: "expected constant or a schedule mapping")
        }
        func number(_ key: String, _ fallback: Double) -> Double { fields[key]?.scalar.flatMap(Double.init) ?? fallback }
        switch kind {
        case "slanted_triangular":
            return .slantedTriangular(totalSteps: totalSteps, cutFraction: Float(number("cut_fraction", 0.1)), ratio: Float(number("ratio", 32)))
        case "linear_warmup":
            return .linearWarmupDecay(warmupSteps: Int(number("warmup_steps", 0)), totalSteps: totalSteps, finalFraction: Float(number("final_fraction", 0)))
        case "exponential": return .exponential(gamma: Float(number("gamma", 1)))
        case "step": return .step(stepSize: Int(number("step_size", 1)), gamma: Float(number("gamma", 1)))
        case "one_cycle":
            return .oneCycle(totalSteps: totalSteps, pctStart: Float(number("pct_start", 0.3)), divFactor: Float(number("div_factor", 25)),
                             finalDivFactor: Float(number("final_div_factor", 1e4)))
        default: throw SpecError(location: node.location, path: path, message: "unknown schedule '\(kind)'")
        }
    }

    /// Parameter groups with their schedules (sized to `totalSteps`) and, with `train.discriminative`
    /// ({factor, order: groups bottom → top}), each lower group's rate the one above it ÷ factor
    /// (Howard & Ruder 2018, eq. 2).
    func groups(totalSteps: Int) throws -> [GroupConfig] {
        var groups = try self.groups
        let defaultSchedule = node("train.schedule")
        for i in groups.indices {
            let path = "train.groups.\(groups[i].name).schedule"
            groups[i].schedule = try schedule(node(path) ?? defaultSchedule, at: node(path) == nil ? "train.schedule" : path, totalSteps: totalSteps)
        }
        if let d = node("train.discriminative") {
            let factor = Float(try double("train.discriminative.factor", default: 2.6))
            let order = d["order"]?.sequence?.compactMap(\.scalar) ?? []
            guard let top = order.last, let topRate = groups.first(where: { $0.name == top })?.learningRate else {
                throw SpecError(location: d.location, path: "train.discriminative.order", message: "name the parameter groups from the bottom to the top")
            }
            for (depth, name) in order.reversed().enumerated() {
                guard let i = groups.firstIndex(where: { $0.name == name }) else {
                    throw SpecError(location: d.location, path: "train.discriminative.order", message: "no parameter group '\(name)' (groups: \(groups.map(\.name).joined(separator: ", ")))")
                }
                groups[i].learningRate = topRate / pow(factor, Float(depth))
            }
        }
        return groups
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
                    optimizer: try optimizer(kind, at: [path, "train"]),
                    learningRate: Float(try double("\(path).learning_rate", default: Double(defaultRate))),
                    weightDecay: Float(try double("\(path).weight_decay", default: 0)),
                    frozen: bool("\(path).frozen", default: false),
                    maxRowNorm: group["max_row_norm"]?.scalar.flatMap(Float.init),
                    clipNorm: group["clip_norm"]?.scalar.flatMap(Float.init))
            }
        }
    }

    /// Checks that `groups` fit `parameters` (every pattern matches one, every parameter is in exactly
    /// one group) and that the phases name real groups; errors point at the spec line of the group.
    func checkGroups(against parameters: [Parameter], groups: [GroupConfig]) throws {
        do {
            _ = try GroupAssignment.assign(parameters, to: groups)
        } catch let error as GroupAssignmentError {
            let path = ["train.groups", error.group].compactMap { $0 }.joined(separator: ".")
            throw SpecError(location: (node(path) ?? node("train.groups"))?.location ?? tree.location, path: path, message: error.description)
        }
        _ = try phases(groups: groups)
    }

    /// Phases with `rate_factors` turned into absolute rates; groups frozen in the group list stay frozen.
    /// Without `train.phases`, `train.unfreezing` ({kind: gradual/chain-thaw/last-layer/full/siatl,
    /// order: groups bottom → top}) builds them for `train.epochs`.
    func phases(groups: [GroupConfig]) throws -> [Phase] {
        let alwaysFrozen = groups.filter(\.frozen).map(\.name)
        if node("train.phases") == nil, let u = node("train.unfreezing") {
            let order = u["order"]?.sequence?.compactMap(\.scalar) ?? []
            for name in order where !groups.contains(where: { $0.name == name }) {
                throw SpecError(location: u.location, path: "train.unfreezing.order", message: "no parameter group '\(name)' (groups: \(groups.map(\.name).joined(separator: ", ")))")
            }
            let epochs = try int("train.epochs", default: 10)
            let built: [Phase]
            switch try string("train.unfreezing.kind") {
            case "gradual": built = Unfreezing.gradual(order, epochs: epochs)
            case "chain-thaw": built = Unfreezing.chainThaw(order, epochs: epochs)
            case "last-layer": built = Unfreezing.lastLayer(order, epochs: epochs)
            case "full": built = Unfreezing.full(epochs: epochs)
            case "siatl":
                guard order.count >= 3 else { throw SpecError(location: u.location, path: "train.unfreezing.order", message: "siatl unfreezing names the embedding group, the pretrained groups and the new layers' group, in that order") }
                built = Unfreezing.siatl(order, epochs: epochs)
            case let kind: throw SpecError(location: u.location, path: "train.unfreezing.kind", message: "unknown unfreezing '\(kind)'")
            }
            return built.map { Phase(epochs: $0.epochs, frozen: Array(Set($0.frozen + alwaysFrozen)).sorted()) }
        }
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

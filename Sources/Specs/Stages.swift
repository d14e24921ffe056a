import Foundation

/// A stage a run depends on ("pretrain once, fine-tune many"): it runs once per distinct
/// configuration, and its product (vectors, a checkpoint) is an artifact keyed by `key`, the hash of
/// that configuration and of the stages it depends on. Every run, in this experiment or a later one,
/// whose configuration leads to the same key reuses the artifact.
public struct PlannedStage: Sendable, Equatable {
    public let name: String
    public let kind: String
    /// The stage's resolved configuration: its spec node, `run.artifacts` for the stages it uses, and
    /// the run-config paths named in `inputs` (`run-data`: the run's `data` section and coordinates).
    public let config: ConfigNode
    /// SHA-256 of `config`'s canonical JSON minus the stage's name: the artifact's identity.
    public let key: String
    /// Keys of the stages this one uses.
    public let needs: [String]
}

/// Resolves the `stages:` a run refers to. A configuration refers to stage NAME by a scalar value
/// `stage:NAME` anywhere in it (e.g. `embeddings.vectors: stage:corpus-glove`); stages may refer to
/// stages in turn.
public enum StagePlanner {
    public static let prefix = "stage:"
    /// What `inputs: run-data` stands for: the run's data section and its coordinates.
    static let runData = ["data", "run.dataset", "run.fold", "run.training_size", "run.data_sha256"]

    /// The stages `config` refers to, dependencies first, and the config with `run.artifacts`
    /// (name → key) added for the stages it uses directly.
    public static func resolve(_ config: ConfigNode) throws -> (config: ConfigNode, stages: [PlannedStage]) {
        let declared = config["stages"] ?? ConfigNode(.mapping([]), at: config.location)
        var planned: [String: PlannedStage] = [:]
        var order: [PlannedStage] = []

        func plan(_ name: String, referencedAt location: SourceLocation, chain: [String]) throws -> PlannedStage {
            if let done = planned[name] { return done }
            guard !chain.contains(name) else {
                throw SpecError(location: location, path: "stages.\(name)", message: "stages refer to each other in a circle: \((chain + [name]).joined(separator: " → "))")
            }
            guard let node = declared[name] else {
                let known = declared.mapping?.map(\.key) ?? []
                let hint = closest(name, among: known).map { "; did you mean '\($0)'?" } ?? ""
                throw SpecError(location: location, path: "stages", message: "refers to stage '\(name)', which is not defined\(hint)")
            }
            var resolved = node.removing(["inputs"])
            // `inputs`: the run-config paths the stage depends on, copied in (so they are part of its key).
            let inputs = node["inputs"].map { $0.sequence?.compactMap(\.scalar) ?? [$0.scalar ?? ""] } ?? []
            for input in inputs.flatMap({ $0 == "run-data" ? runData : [$0] }) {
                let path = input.split(separator: ".").map(String.init)
                if let value = config.node(at: path) { resolved = resolved.setting(path, to: value) }
            }
            var uses: [(key: String, node: ConfigNode)] = []
            for (reference, at) in references(in: node) where !uses.contains(where: { $0.key == reference }) {
                let dependency = try plan(reference, referencedAt: at, chain: chain + [name])
                uses.append((reference, ConfigNode(.scalar(dependency.key, quoted: true), at: at)))
            }
            if !uses.isEmpty { resolved = resolved.setting(["run", "artifacts"], to: ConfigNode(.mapping(uses), at: node.location)) }
            let kind = node["kind"]?.scalar ?? ""
            let stage = PlannedStage(name: name, kind: kind, config: resolved, key: resolved.digest,
                                     needs: uses.compactMap { $0.node.scalar })
            planned[name] = stage
            order.append(stage)
            return stage
        }

        var direct: [(key: String, node: ConfigNode)] = []
        for (reference, at) in references(in: config.removing(["stages"])) where !direct.contains(where: { $0.key == reference }) {
            let stage = try plan(reference, referencedAt: at, chain: [])
            direct.append((reference, ConfigNode(.scalar(stage.key, quoted: true), at: at)))
        }
        guard !direct.isEmpty else { return (config, []) }
        return (config.setting(["run", "artifacts"], to: ConfigNode(.mapping(direct), at: config.location)), order)
    }

    /// `stage:NAME` scalars below `node`, in document order, with where they are written.
    static func references(in node: ConfigNode) -> [(String, SourceLocation)] {
        switch node.value {
        case let .scalar(s, _): return s.hasPrefix(prefix) ? [(String(s.dropFirst(prefix.count)), node.location)] : []
        case let .sequence(items): return items.flatMap(references)
        case let .mapping(pairs): return pairs.flatMap { references(in: $0.node) }
        }
    }
}

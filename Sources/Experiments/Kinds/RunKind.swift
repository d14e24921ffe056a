import Datasets
import Suggestions
import Tracking
import Foundation
import Outcomes
import Specs

/// A kind of run (`model.kind` in a spec): its typed configuration, the checks `validate` makes before
/// anything runs, and how it runs. Adding a kind is one file with a type conforming to this and one
/// line in `RunKinds.standard`.
public protocol RunKind: SendableMetatype {
    associatedtype Config: Decodable & SendableMetatype
    /// The kind's `model:` fields.
    associatedtype Model: ModelSection
    /// The `model.kind` that selects it.
    static var id: String { get }
    /// Problems found without running (data not installed, groups that match no parameter), each with
    /// the spec location; `config` decoded from `node`.
    static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String]
    static func execute(_ config: Config, context: RunContext) throws -> RunOutcome
}

extension RunKind {
    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] { [] }
}

/// A kind's `model:` section; its coding keys are the fields it has (`kind` among them).
public protocol ModelSection: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension ModelSection {
    static var fields: [String] { CodingKeys.allCases.map(\.stringValue) }
}

/// What a run has while it runs: installed data, the folders of the stages it uses (by stage name), where
/// it saves and finds per-epoch state, and who records its progress.
public struct RunContext {
    public let data: DataStore
    public let artifacts: [String: URL]
    public let observer: RunObserver?
    public let resume: URL?
    /// The resolved configuration as planned.
    public let config: ConfigNode?

    public init(data: DataStore, artifacts: [String: URL] = [:], observer: RunObserver? = nil, resume: URL? = nil, config: ConfigNode? = nil) {
        self.data = data; self.artifacts = artifacts; self.observer = observer; self.resume = resume; self.config = config
    }

    /// The folder of the stage a `stage:NAME` value names.
    func artifact(_ reference: Located<String>, of kind: String) throws -> URL {
        let value = reference.value
        guard value.hasPrefix(StagePlanner.prefix), let folder = artifacts[String(value.dropFirst(StagePlanner.prefix.count))] else {
            throw reference.error("expected stage:NAME of a \(kind) stage")
        }
        return folder
    }
}

/// A run kind with its configuration type erased, as the registry holds it.
public struct RegisteredRunKind: Sendable {
    public let id: String
    /// The fields its `model:` section has.
    public let modelFields: Set<String>
    let decode: @Sendable (ConfigNode) throws -> Any
    let check: @Sendable (Any, ConfigNode, DataStore) -> [String]
    let execute: @Sendable (Any, RunContext) throws -> RunOutcome

    public init<Kind: RunKind>(_ kind: Kind.Type) {
        id = Kind.id
        modelFields = Set(Kind.Model.fields)
        decode = { node in try ConfigDecoder(subject: "model kind '\(Kind.id)'").decode(Kind.Config.self, from: node) }
        check = { config, node, data in Kind.check(config as! Kind.Config, node: node, data: data) }
        execute = { config, context in try Kind.execute(config as! Kind.Config, context: context) }
    }
}

/// The run and stage kinds a spec may name.
public struct RunKinds: Sendable {
    public var runs: [RegisteredRunKind]
    public var stages: [RegisteredStageKind]

    public init(runs: [RegisteredRunKind], stages: [RegisteredStageKind]) { self.runs = runs; self.stages = stages }

    /// Every kind TransferLab has.
    public static let standard = RunKinds(
        runs: [RegisteredRunKind(KimCNNRun.self), RegisteredRunKind(BiLSTMMaxRun.self), RegisteredRunKind(Doc2VecRun.self),
               RegisteredRunKind(ULMFiTRun.self), RegisteredRunKind(SiATLRun.self), RegisteredRunKind(LMProbeRun.self), RegisteredRunKind(TfidfLogisticRun.self),
               RegisteredRunKind(NBSVMRun.self), RegisteredRunKind(BertClassifierRun.self), RegisteredRunKind(BertTaggerRun.self),
               RegisteredRunKind(BiLSTMTaggerRun.self), RegisteredRunKind(TagBaselineRun.self), RegisteredRunKind(EncoderProbeRun.self),
               RegisteredRunKind(TrivialRun.self)],
        stages: [RegisteredStageKind(GloVeStage.self), RegisteredStageKind(Doc2VecGenericStage.self), RegisteredStageKind(LMPretrainStage.self),
                 RegisteredStageKind(LMFinetuneStage.self), RegisteredStageKind(TrivialStage.self)])

    /// The run kind a run's configuration names in `model.kind`.
    public func run(for config: ConfigNode) throws -> RegisteredRunKind {
        try lookup(config.node(at: ["model", "kind"]), in: runs.map(\.id), path: "model.kind", at: config.location)
            .flatMap { id in runs.first { $0.id == id } }!
    }

    /// The run kind a run's configuration names and the configuration decoded as that kind's; a field of
    /// another kind in `model:` is named as such.
    public func decodeRun(_ config: ConfigNode) throws -> (kind: RegisteredRunKind, config: Any) {
        let kind = try run(for: config)
        func annotated(_ error: SpecError) -> SpecError {
            let key = String(error.path.dropFirst("model.".count))
            guard error.path.hasPrefix("model."), !key.contains("."), error.message.hasPrefix("unknown key") else { return error }
            let owners = runs.filter { $0.id != kind.id && $0.modelFields.contains(key) }.map(\.id)
            guard !owners.isEmpty else { return error }
            return SpecError(location: error.location, path: error.path, message: error.message
                             + "; '\(key)' is a field of \(owners.joined(separator: ", ")) (a spec's `models:` sets fields for one kind only)")
        }
        do {
            return (kind, try kind.decode(config))
        } catch let error as SpecError {
            throw annotated(error)
        } catch let errors as SpecErrors {
            throw SpecErrors(errors: errors.errors.map(annotated))
        }
    }

    /// The keys of a recorded configuration's `model:` that its kind does not have but another kind does:
    /// what a sweep of `model.kind` over a shared model section left in before `models:` existed.
    public func foreignModelKeys(_ model: [String: Any]) -> Set<String> {
        guard let id = model["kind"] as? String, let kind = runs.first(where: { $0.id == id }) else { return [] }
        let others = runs.filter { $0.id != id }.reduce(into: Set<String>()) { $0.formUnion($1.modelFields) }
        return Set(model.keys).subtracting(kind.modelFields).intersection(others)
    }

    /// What recorded configurations lose to read as planning makes them now: the fields of another kind in
    /// `model:` (for `Tracking.ResultsStore`, which keeps the old hashes as aliases).
    public var rewrites: [ConfigRewrite] {
        let kinds = self
        return [ConfigRewrite(name: "model fields of another kind") { config in
            guard var model = config["model"] as? [String: Any] else { return false }
            let foreign = kinds.foreignModelKeys(model)
            guard !foreign.isEmpty else { return false }
            for key in foreign { model[key] = nil }
            config["model"] = model
            return true
        }]
    }

    /// The stage kind a stage's configuration names in `kind`.
    public func stage(for config: ConfigNode) throws -> RegisteredStageKind {
        try lookup(config["kind"], in: stages.map(\.id), path: "kind", at: config.location).flatMap { id in stages.first { $0.id == id } }!
    }

    private func lookup(_ node: ConfigNode?, in ids: [String], path: String, at location: SourceLocation) throws -> String? {
        guard let node, let id = node.scalar else {
            throw SpecError(location: location, path: path, message: "missing (kinds: \(ids.joined(separator: ", ")))")
        }
        guard ids.contains(id) else {
            let hint = Suggestions.closest(to: id, among: ids, maxDistance: max(2, id.count / 3)).map { "; did you mean '\($0)'?" } ?? ""
            throw SpecError(location: node.location, path: path, message: "unknown kind '\(id)'\(hint) (kinds: \(ids.joined(separator: ", ")))")
        }
        return id
    }
}

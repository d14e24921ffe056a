import Datasets
import Foundation
import Specs

/// A kind of stage (`stages.NAME.kind`): a step whose product, an artifact folder, runs share by key.
/// Adding a kind is one file with a type conforming to this and one line in `RunKinds.standard`.
public protocol StageKind: SendableMetatype {
    associatedtype Config: Decodable & SendableMetatype
    static var id: String { get }
    /// Problems found without running (corpora not installed), each with the spec location.
    static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String]
    /// Makes the artifact in `folder` and returns its summary figures.
    static func execute(_ config: Config, into folder: URL, context: RunContext) throws -> [String: Double]
}

extension StageKind {
    public static func check(_ config: Config, node: ConfigNode, data: DataStore) -> [String] { [] }
}

/// A stage kind with its configuration type erased, as the registry holds it.
public struct RegisteredStageKind: Sendable {
    public let id: String
    /// Decodes a stage configuration written at `path` of the spec (`stages.NAME`).
    let decode: @Sendable (ConfigNode, [String]) throws -> Any
    let check: @Sendable (Any, ConfigNode, DataStore) -> [String]
    let execute: @Sendable (Any, URL, RunContext) throws -> [String: Double]

    public init<Kind: StageKind>(_ kind: Kind.Type) {
        id = Kind.id
        decode = { node, path in try ConfigDecoder(subject: "stage kind '\(Kind.id)'").decode(Kind.Config.self, from: node, path: path) }
        check = { config, node, data in Kind.check(config as! Kind.Config, node: node, data: data) }
        execute = { config, folder, context in try Kind.execute(config as! Kind.Config, into: folder, context: context) }
    }
}

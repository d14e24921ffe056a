import Foundation

/// The coordinator's folders on the cluster's shared filesystem: `manifests/` (the tasks of each submitted array,
/// JSON), `shards/` (each task's run archive, `<manifest>_<index>.runs.jsonl`, written whole then renamed into place)
/// and `logs/` (each task's output).
public struct ClusterFolders: Sendable {
    public let root: URL
    public init(root: URL) { self.root = root }

    public var manifests: URL { root.appendingPathComponent("manifests") }
    public var shards: URL { root.appendingPathComponent("shards") }
    public var logs: URL { root.appendingPathComponent("logs") }

    public func manifest(_ name: String) -> URL { manifests.appendingPathComponent("\(name).json") }
    public func shard(_ name: String, index: Int) -> URL { shards.appendingPathComponent("\(name)_\(index).runs.jsonl") }

    public func create() throws {
        for folder in [manifests, shards, logs] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
    }
}

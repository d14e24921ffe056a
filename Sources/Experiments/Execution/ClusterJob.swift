import Datasets
import Foundation
import Tracking

/// One task of a cluster array: runs its manifest's run in a database of its own on the node's local disk
/// (SQLite's WAL does not work over a network filesystem), its artifacts and resume state in the shared artifacts
/// folder, then writes the run's archive as the task's shard, which the coordinator imports.
public enum ClusterJob {
    /// Runs task `index` of the manifest `name`; `scratch` is a node-local folder for the task's database.
    public static func run(folders: ClusterFolders, manifest name: String, index: Int, artifacts: URL, scratch: URL,
                           data: DataStore, environment: RunEnvironment, kinds: RunKinds = .standard) throws {
        let tasks = try JSONDecoder().decode([ClusterTask].self, from: Data(contentsOf: folders.manifest(name)))
        guard tasks.indices.contains(index) else {
            throw SlurmCommands.Failure(description: "\(folders.manifest(name).path): no task \(index) (it holds \(tasks.count))")
        }
        let task = tasks[index]
        let fm = FileManager.default
        let folder = scratch.appendingPathComponent("tlab-\(name)_\(index)")
        try? fm.removeItem(at: folder)  // an earlier attempt of this very task on this node
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: folder) }
        let store = try ResultsStore(path: folder.appendingPathComponent("task.sqlite").path, artifacts: artifacts)
        try store.seed(task: task)
        _ = try Worker.loop(store: store, experiment: task.experiment.id, data: data, environment: environment, kinds: kinds)
        let archive = try store.archive(experiment: task.experiment.id)
        let shard = folders.shard(name, index: index)
        let partial = shard.appendingPathExtension("partial")
        try archive.write(to: partial)
        _ = try? fm.removeItem(at: shard)
        try fm.moveItem(at: partial, to: shard)  // whole or absent: the coordinator never reads half a shard
        let ended = try store.run(task.run.id!)
        print("task \(name)_\(index): run \(task.run.id!) \(task.run.hash) \(ended?.status.rawValue ?? "missing") on \(environment.host), shard written")
    }
}

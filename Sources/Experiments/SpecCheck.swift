import Datasets
import Foundation
import Specs

/// What a spec's runs would trip over at run time, found before anything runs: datasets and vectors
/// that are not installed, user files that do not exist, parameter-group patterns that match no
/// parameter of the model, phases naming unknown groups. Each problem names the spec location.
public enum SpecCheck {
    public static func problems(in runs: [PlannedRun], data: DataStore) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        func report(_ message: String) { if seen.insert(message).inserted { problems.append(message) } }
        func requireInstalled(_ id: String, at node: ConfigNode, field: String) {
            do {
                _ = try DatasetCatalog.entry(id)
                if !data.isInstalled(id) { report("\(node.location): \(field): \(DataError.notInstalled(id))") }
            } catch {
                report("\(node.location): \(field): \(error)")
            }
        }
        var checkedModels: Set<Data> = []
        var armsByProblem: [String: [String]] = [:]
        for run in runs {
            let config = run.config
            if let source = config.node(at: ["data", "datasets", "0"]) {
                if let id = source.scalar ?? source["id"]?.scalar {
                    requireInstalled(id, at: source, field: "data.datasets")
                } else if let file = source["file"]?.scalar, !FileManager.default.fileExists(atPath: file) {
                    report("\(source.location): data.datasets: no file '\(file)' (paths are relative to the current folder)")
                }
            }
            for stage in run.stages {
                for corpus in stage.config["corpus"]?.sequence ?? [] {
                    if let id = corpus.scalar { requireInstalled(id, at: corpus, field: "stages.\(stage.name).corpus") }
                }
            }
            let kind = config.node(at: ["model", "kind"])?.scalar ?? ""
            guard kind != "trivial" else { continue }
            if kind == "doc2vec" {
                for path in [["generic", "corpus"], ["evaluation", "similarity"]] {
                    for node in config.node(at: path)?.sequence ?? [] {
                        if let id = node.scalar { requireInstalled(id, at: node, field: path.joined(separator: ".")) }
                    }
                }
                for stage in run.stages {
                    for node in stage.config.node(at: ["generic", "corpus"])?.sequence ?? [] {
                        if let id = node.scalar { requireInstalled(id, at: node, field: "generic.corpus") }
                    }
                }
                continue
            }
            for stage in run.stages {
                for node in stage.config.node(at: ["language_model", "pretrain", "corpus"])?.sequence ?? [] {
                    if let id = node.scalar { requireInstalled(id, at: node, field: "language_model.pretrain.corpus") }
                }
            }
            let vectors = config.node(at: ["embeddings", "vectors"])
            if !["ulmfit", "siatl"].contains(kind), let id = vectors?.scalar ?? Optional("glove-6b-50d"), !id.hasPrefix(StagePlanner.prefix) {
                requireInstalled(id, at: vectors ?? config, field: "embeddings.vectors")
            }
            let shape = ConfigNode(.mapping([("model", config["model"]), ("embeddings", config["embeddings"]), ("train", config["train"])]
                .compactMap { key, node in node.map { (key, $0) } }), at: config.location)
            guard checkedModels.insert(shape.canonicalJSON).inserted else { continue }
            do {
                if ["ulmfit", "siatl"].contains(kind) { try TransferRun.checkGroups(config) } else { try ClassificationRun.checkGroups(config) }
            } catch {
                let message = "\(error)"
                if !armsByProblem.keys.contains(message) { report(message) }
                armsByProblem[message, default: []].append(run.arm)
            }
        }
        // A model problem is listed once, with the arms whose runs have it.
        return problems.map { message in
            guard let arms = armsByProblem[message] else { return message }
            var unique: [String] = []
            for arm in arms where !unique.contains(arm) { unique.append(arm) }
            return "\(message) (arm\(unique.count > 1 ? "s" : "") \(unique.joined(separator: ", ")))"
        }
    }
}

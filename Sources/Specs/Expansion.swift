import Digests
import Foundation

/// One run of an experiment: its coordinates and fully resolved configuration.
public struct PlannedRun: Sendable {
    public let arm: String
    public let dataset: String
    public let seed: Int
    public let fold: Int?
    public let trainingSize: String?
    /// Sweep axis path → value (as written), excluding the seed.
    public let sweep: [String: String]
    /// The configuration this run trains with: the spec minus experiment-level keys and the experiment's
    /// prose, with the arm, sweep values and run coordinates applied.
    public let config: ConfigNode
    /// SHA-256 of the canonical JSON of `config`: equal configurations, equal hashes.
    public let hash: String
    /// The hash this run had while run configurations carried the experiment's prose (as the spec words it
    /// now), which states and bundles saved then are named by; nil for a spec without prose.
    public let legacyHash: String?
    /// The stages whose artifacts this run uses, dependencies first (see `StagePlanner`).
    public let stages: [PlannedStage]
}

/// Expands a spec into runs: arms × datasets × training sizes × folds × sweep values × seeds.
public enum Expansion {
    /// The most runs a spec may expand to unless a command allows more (`--max-runs`).
    public static let defaultMaxRuns = 100_000
    /// The most values one sweep generator may make.
    static let maxGenerated = 10_000

    /// The runs of `spec`; a spec expanding to more than `maxRuns` is an error giving the product, found before any
    /// run is built.
    public static func runs(_ spec: LoadedSpec, maxRuns: Int = defaultMaxRuns) throws -> [PlannedRun] {
        try checkSize(spec, maxRuns: maxRuns)
        return try expand(spec)
    }

    /// Counts the runs each arm expands to (datasets × sizes × folds × sweep values × seeds) without building them.
    static func checkSize(_ spec: LoadedSpec, maxRuns: Int) throws {
        let tree = spec.tree
        let arms: [(String, ConfigNode?)] = (tree["arms"]?.mapping).map { $0.map { ($0.key, $0.node) } } ?? [("default", nil)]
        var total = 0.0
        var products: [String] = []
        for (arm, overlay) in arms {
            let sweep = axes(of: tree, arm: overlay)
            let data = (overlay?["data"]).map { (tree["data"] ?? ConfigNode(.mapping([]), at: tree.location)).merging($0) } ?? tree["data"]
            let folds = Double(data?.node(at: ["split", "folds"])?.scalar.flatMap(Int.init) ?? 1)
            let datasets = (data?["datasets"]?.sequence ?? []).reduce(0.0) { $0 + Double($1["folds"]?.scalar.flatMap(Int.init) ?? Int(folds)) }
            var factors = [("datasets × folds", datasets), ("training sizes", Double(data?["training_sizes"]?.sequence?.count ?? 1))]
            for (key, node) in sweep { factors.append(("sweep.\(key)", Double(try count(of: node, path: "sweep.\(key)")))) }
            let product = factors.reduce(1.0) { $0 * max($1.1, 1) }
            total += product
            products.append("\(arm): " + factors.map { "\(Int($0.1)) \($0.0)" }.joined(separator: " × "))
        }
        guard total <= Double(maxRuns) else {
            throw SpecError(location: tree.location, path: "sweep", message: "expands to \(total >= 1e15 ? String(format: "%.3g", total) : String(Int(total))) runs, "
                            + "more than the \(maxRuns) allowed (--max-runs): " + products.joined(separator: "; "))
        }
    }

    /// The sweep axes of an arm: the spec's, with those its own `sweep` adds or replaces.
    static func axes(of tree: ConfigNode, arm overlay: ConfigNode?) -> [(key: String, node: ConfigNode)] {
        var sweep = tree["sweep"]?.mapping ?? []
        for (key, node) in overlay?["sweep"]?.mapping ?? [] {
            if let i = sweep.firstIndex(where: { $0.key == key }) { sweep[i].node = node } else { sweep.append((key, node)) }
        }
        return sweep
    }

    /// How many values a sweep axis has, without making them.
    static func count(of node: ConfigNode, path: String) throws -> Int {
        if let list = node.sequence { return list.count }
        return try values(of: node, path: path).count
    }

    static func expand(_ spec: LoadedSpec) throws -> [PlannedRun] {
        var digests: [String: String?] = [:]
        /// SHA-256 of a user file (once per path); nil when it cannot be read (validate says so).
        func fileDigest(_ path: String) -> String? {
            if let known = digests[path] { return known }
            let digest = try? SHA256Hex.of(fileAt: URL(fileURLWithPath: path))
            digests[path] = digest
            return digest
        }
        let tree = spec.tree
        let arms: [(String, ConfigNode?)] = (tree["arms"]?.mapping).map { $0.map { ($0.key, $0.node) } } ?? [("default", nil)]
        var base = tree.removing(SpecSchema.experimentLevelKeys)
        let prose = tree["experiment"]?.mapping?.filter { SpecSchema.experimentProseKeys.contains($0.key) } ?? []
        if let experiment = base["experiment"] { base = base.setting(["experiment"], to: experiment.removing(SpecSchema.experimentProseKeys)) }
        var runs: [PlannedRun] = []
        /// The run of `arm` on one dataset, training-set size, fold, sweep combination and seed.
        func plan(_ arm: String, _ armed: ConfigNode, presets: ConfigNode, atSize: [ConfigNode] = [], dataset datasetNode: ConfigNode, size: String?,
                  fold: Int?, combo: [(path: [String], value: ConfigNode)], seed seedNode: ConfigNode) throws -> PlannedRun {
            let dataset = datasetName(datasetNode)
            // The run's data section names its own dataset; its size is `run.training_size`, so the
            // list of sizes is not part of its configuration (nor of its stages' keys).
            var config = armed.setting(["data", "datasets"], to: ConfigNode(.sequence([datasetNode]), at: datasetNode.location))
            if let data = config["data"] { config = config.setting(["data"], to: data.removing(["training_sizes"])) }
            // The fields of its size (`at_training_size`, the spec's then the arm's), under the values its sweep sets.
            for overlays in atSize { if let fields = overlays[size ?? "all"], fields.mapping != nil { config = config.merging(fields) } }
            for (path, value) in combo { config = config.setting(path, to: value) }
            if let model = config["model"], let kind = model["kind"]?.scalar, let preset = presets[kind] {
                config = config.setting(["model"], to: ConfigNode(preset.value, at: model.location).merging(model))
            }
            let loc = tree.location
            func scalar(_ s: String) -> ConfigNode { ConfigNode(.scalar(s, quoted: false), at: loc) }
            var run: [(key: String, node: ConfigNode)] = [("arm", ConfigNode(.scalar(arm, quoted: true), at: loc)),
                                                           ("dataset", ConfigNode(.scalar(dataset, quoted: true), at: loc)),
                                                           ("seed", seedNode)]
            if let fold { run.append(("fold", scalar(String(fold)))) }
            // A user file's content is part of the run's identity: an edited file plans new runs.
            if let digest = datasetNode["file"]?.scalar.flatMap(fileDigest) { run.append(("data_sha256", ConfigNode(.scalar(digest, quoted: true), at: loc))) }
            if let size { run.append(("training_size", scalar(size))) }
            config = config.setting(["run"], to: ConfigNode(.mapping(run), at: loc))
            let stages: [PlannedStage]
            (config, stages) = try StagePlanner.resolve(config)
            return PlannedRun(arm: arm, dataset: dataset, seed: Int(seedNode.scalar ?? "0") ?? 0, fold: fold, trainingSize: size,
                              sweep: Dictionary(uniqueKeysWithValues: combo.map { ($0.path.joined(separator: "."), $0.value.scalar ?? "…") }),
                              config: config, hash: config.digest,
                              legacyHash: prose.isEmpty ? nil : prose.reduce(config) { $0.setting(["experiment", $1.key], to: $1.node) }.digest,
                              stages: stages)
        }
        /// The folds of a dataset: its own count, else the split's.
        func folds(_ datasetNode: ConfigNode, _ armed: ConfigNode) -> [Int?] {
            let count = datasetNode["folds"]?.scalar.flatMap(Int.init) ?? armed.node(at: ["data", "split", "folds"])?.scalar.flatMap(Int.init)
            return count.map { Array(0..<$0) } ?? [nil]
        }
        var coordinates: [(sizes: [String?], seeds: [ConfigNode])] = []
        for (arm, overlay) in arms {
            // An arm's own `sweep` adds axes (or replaces the spec's values of an axis) for that arm only.
            let sweep = axes(of: tree, arm: overlay)
            var axes: [(path: [String], values: [ConfigNode])] = []
            var seeds: [ConfigNode] = [ConfigNode(.scalar("0", quoted: false), at: tree.location)]
            for (key, node) in sweep {
                let values = try values(of: node, path: "sweep.\(key)")
                if key == "seed" { seeds = values; continue }
                let path = key.split(separator: ".").map(String.init)
                guard SpecSchema.spec.field(at: path) != nil else {
                    throw SpecError(location: node.location, path: "sweep.\(key)", message: "sweeps a field that does not exist")
                }
                axes.append((path, values))
            }
            var combinations: [[(path: [String], value: ConfigNode)]] = [[]]
            for axis in axes {
                combinations = combinations.flatMap { combo in axis.values.map { combo + [(axis.path, $0)] } }
            }
            // An arm may also narrow the data: its own datasets or training sizes (e.g. ablations at
            // one training size).
            try checkNarrows(arm, overlay?["data"], base: base["data"])
            let armed = overlay.map { base.merging($0.removing(["sweep", "models", "at_training_size"])) } ?? base
            let atSize = [tree["at_training_size"], overlay?["at_training_size"]].compactMap { $0 }
            // `models:` (kind → fields): the fields of the kind a run ends up with, under what it sets itself.
            let presets = [tree["models"], overlay?["models"]].compactMap { $0 }.reduce(ConfigNode(.mapping([]), at: tree.location)) { $0.merging($1) }
            let sizes: [String?] = Self.trainingSizes(armed.node(at: ["data", "training_sizes"])) ?? [nil]
            var seen = sizes
            for datasetNode in armed.node(at: ["data", "datasets"])?.sequence ?? [] {
                let (plain, own) = Self.ownSizes(datasetNode)
                for size in own ?? sizes {
                    if !seen.contains(size) { seen.append(size) }
                    for fold in folds(plain, armed) { for combo in combinations { for seedNode in seeds {
                        runs.append(try plan(arm, armed, presets: presets, atSize: atSize, dataset: plain, size: size, fold: fold, combo: combo, seed: seedNode))
                    } } }
                }
            }
            coordinates.append((seen, seeds))
        }
        // `baselines:` (kind → fields): each kind run on every dataset, size and fold any arm has, with the spec's data
        // and nothing else of it. A baseline's fit depends on the data alone (the split and the training subset follow the
        // split's seed, not the run's), so it runs once, with the first seed of the arms.
        for (kind, fields) in tree["baselines"]?.mapping ?? [] {
            if arms.contains(where: { $0.0 == kind }) {
                throw SpecError(location: fields.location, path: "baselines.\(kind)", message: "an arm is named '\(kind)' too: a baseline runs as an arm of its kind's name")
            }
            let model = ConfigNode(.mapping([("kind", ConfigNode(.scalar(kind, quoted: false), at: fields.location))]), at: fields.location)
                .merging(fields.mapping == nil ? ConfigNode(.mapping([]), at: fields.location) : fields)
            let armed = ConfigNode(.mapping([base["experiment"].map { ("experiment", $0) }, base["data"].map { ("data", $0) }, ("model", model)]
                .compactMap { $0 }), at: tree.location)
            var sizes: [String?] = [], seeds: [ConfigNode] = []
            for arm in coordinates {
                for size in arm.sizes where !sizes.contains(size) { sizes.append(size) }
                if seeds.isEmpty, let first = arm.seeds.first { seeds = [first] }
            }
            let empty = ConfigNode(.mapping([]), at: tree.location)
            for datasetNode in armed.node(at: ["data", "datasets"])?.sequence ?? [] {
                let (plain, own) = Self.ownSizes(datasetNode)
                for size in own ?? sizes { for fold in folds(plain, armed) { for seedNode in seeds {
                    runs.append(try plan(kind, armed, presets: empty, dataset: plain, size: size, fold: fold, combo: [], seed: seedNode))
                } } }
            }
        }
        return runs
    }

    /// The name a dataset entry's runs carry: its id, or a user file's derived name.
    static func datasetName(_ node: ConfigNode) -> String {
        node.scalar ?? node["id"]?.scalar ?? node["name"]?.scalar ?? node["file"]?.scalar.map(SafeName.derived(fromFile:)) ?? "file"
    }

    /// Refuses an arm's `data` that names a dataset or training-set size the experiment's `data` lacks: an arm narrows
    /// the data, never widens it (an arm inherited through `extends` keeps its parent's datasets; a profile narrows it
    /// again or removes it with `arm: ~`).
    static func checkNarrows(_ arm: String, _ data: ConfigNode?, base: ConfigNode?) throws {
        guard let data else { return }
        let datasets = (base?["datasets"]?.sequence ?? []).map { ownSizes($0) }
        let names = datasets.map { datasetName($0.plain) }
        let sizes = trainingSizes(base?["training_sizes"])
        func refuse(_ node: ConfigNode, _ field: String, _ extra: [String], _ known: [String]) -> SpecError {
            SpecError(location: node.location, path: "arms.\(arm).data.\(field)",
                      message: "names \(extra.joined(separator: ", ")), which the experiment's data.\(field) (\(known.joined(separator: ", "))) "
                        + "does not have: an arm's data may only narrow the experiment's (a profile removes an inherited arm with `\(arm): ~`)")
        }
        if let list = data["datasets"], let entries = list.sequence {
            let armed = entries.map { (entry: $0, name: datasetName(ownSizes($0).plain), own: ownSizes($0).own) }
            let extra = armed.map(\.name).filter { !names.contains($0) }
            guard extra.isEmpty else { throw refuse(list, "datasets", extra, names) }
            for (entry, name, own) in armed {
                let allowed = names.firstIndex(of: name).flatMap { datasets[$0].own } ?? sizes
                if let own, let allowed, case let extra = own.filter({ !allowed.contains($0) }), !extra.isEmpty {
                    throw refuse(entry, "datasets.\(name).training_sizes", extra.map { $0 ?? "all" }, allowed.map { $0 ?? "all" })
                }
            }
        }
        if let list = data["training_sizes"], let own = trainingSizes(list), let sizes, case let extra = own.filter({ !sizes.contains($0) }), !extra.isEmpty {
            throw refuse(list, "training_sizes", extra.map { $0 ?? "all" }, sizes.map { $0 ?? "all" })
        }
    }

    /// A `training_sizes` list as run coordinates (a null entry is `all`).
    static func trainingSizes(_ node: ConfigNode?) -> [String?]? { node?.sequence.map { list in list.map { $0.scalar ?? "all" } } }

    /// A dataset entry's own `training_sizes` (which replace the arm's for it) and the entry without them, as its runs'
    /// configurations hold it: its id alone when nothing else is left, as a plain entry reads.
    static func ownSizes(_ node: ConfigNode) -> (plain: ConfigNode, own: [String?]?) {
        guard let own = trainingSizes(node["training_sizes"]) else { return (node, nil) }
        let rest = node.removing(["training_sizes"])
        if let pairs = rest.mapping, pairs.count == 1, pairs[0].key == "id" { return (pairs[0].node, own) }
        return (rest, own)
    }

    /// The values of a sweep axis: a list, or a generator (log_space, linear_space, range; generated
    /// numbers are rounded to 6 significant digits).
    static func values(of node: ConfigNode, path: String) throws -> [ConfigNode] {
        if let list = node.sequence {
            guard !list.isEmpty else { throw SpecError(location: node.location, path: path, message: "an empty sweep runs nothing") }
            return list
        }
        func number(_ n: ConfigNode?, _ key: String) throws -> Double {
            guard let s = n?[key]?.scalar, let v = Double(s), v.isFinite else {
                throw SpecError(location: n?.location ?? node.location, path: "\(path).\(key)", message: "expected a number")
            }
            return v
        }
        /// An integer within ±10⁹ (so that no conversion can trap).
        func integer(_ n: ConfigNode?, _ key: String) throws -> Int {
            guard let s = n?[key]?.scalar, let v = Int(s), abs(v) <= 1_000_000_000 else {
                throw SpecError(location: n?.location ?? node.location, path: "\(path).\(key)", message: "expected an integer between −10⁹ and 10⁹")
            }
            return v
        }
        func counted(_ g: ConfigNode) throws -> Int {
            let count = try integer(g, "count")
            guard count >= 1, count <= maxGenerated else {
                throw SpecError(location: g.location, path: "\(path).count", message: "expected a count from 1 to \(maxGenerated), found \(count)")
            }
            return count
        }
        func make(_ xs: [Double], integer: Bool = false) -> [ConfigNode] {
            xs.map { ConfigNode(.scalar(integer ? String(Int($0)) : formatted($0), quoted: false), at: node.location) }
        }
        if let g = node["log_space"] {
            let (from, to, count) = (try number(g, "from"), try number(g, "to"), try counted(g))
            guard from > 0, to > 0 else { throw SpecError(location: g.location, path: path, message: "log_space needs positive bounds") }
            return make((0..<count).map { count == 1 ? from : exp(log(from) + (log(to) - log(from)) * Double($0) / Double(count - 1)) })
        }
        if let g = node["linear_space"] {
            let (from, to, count) = (try number(g, "from"), try number(g, "to"), try counted(g))
            return make((0..<count).map { count == 1 ? from : from + (to - from) * Double($0) / Double(count - 1) })
        }
        if let g = node["range"] {
            let (from, to) = (try integer(g, "from"), try integer(g, "to"))
            guard to >= from else { throw SpecError(location: g.location, path: path, message: "an empty range runs nothing") }
            guard to - from < maxGenerated else {
                throw SpecError(location: g.location, path: path, message: "a range of \(to - from + 1) values; at most \(maxGenerated)")
            }
            return make((from...to).map(Double.init), integer: true)
        }
        throw SpecError(location: node.location, path: path, message: "expected a list or a generator (log_space, linear_space, range)")
    }

    /// Generated values rounded to 6 significant digits (0.1, not 0.09999999999999999), so they read
    /// as written by hand and hash the same everywhere.
    static func formatted(_ x: Double) -> String { String(format: "%.6g", x) }
}

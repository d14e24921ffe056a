import Foundation

/// A spec with `extends:` resolved, a profile and command-line overrides applied, and validated.
public struct LoadedSpec: Sendable {
    public let file: String
    public let tree: ConfigNode
    public let profile: String?
    public let overrides: [String]

    public var id: String { tree.node(at: ["experiment", "id"])?.scalar ?? "" }
    /// `plan.seconds_per_run`: the spec's own price of a run, for runs nothing has measured yet.
    public var secondsPerRun: Double? { tree.node(at: ["plan", "seconds_per_run"])?.scalar.flatMap(Double.init) }
}

public enum SpecLoader {
    /// Loads `path`; `overrides` are `dotted.path=value` with a YAML value (`train.epochs=3`,
    /// `sweep.seed=[1,2]`). Throws every error found, each with file, line and field path.
    public static func load(_ path: String, profile: String? = nil, overrides: [String] = []) throws -> LoadedSpec {
        var tree = try loadExtending(path, chain: [], from: nil)
        var errors = SpecSchema.spec.validate(tree, requireFields: false)
        for (name, arm) in tree["arms"]?.mapping ?? [] {
            errors += SpecSchema.spec.validate(arm, path: ["arms", name], requireFields: false)
        }
        for (name, overlay) in tree["profiles"]?.mapping ?? [] {
            errors += SpecSchema.spec.validate(overlay, path: ["profiles", name], requireFields: false)
        }
        guard errors.isEmpty else { throw SpecErrors(errors: errors) }
        if let profile {
            guard let overlay = tree["profiles"]?[profile] else {
                let known = tree["profiles"]?.mapping?.map(\.key) ?? []
                throw SpecError(location: tree.location, path: "profiles", message: "no profile '\(profile)' (profiles: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            tree = tree.merging(overlay)
        }
        for override in overrides {
            guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
                throw SpecError(location: .commandLine(override), path: "", message: "expected dotted.path=value")
            }
            let path = override[..<equals].split(separator: ".").map(String.init)
            let location = SourceLocation.commandLine(override)
            guard SpecSchema.spec.field(at: path) != nil || path.first == "sweep" || path.first == "arms" else {
                let parent = Array(path.dropLast())
                var hint = ""
                if case let .object(fields, _)? = SpecSchema.spec.field(at: parent), let c = closest(path.last!, among: Array(fields.keys)) {
                    hint = "; did you mean '\((parent + [c]).joined(separator: "."))'?"
                }
                throw SpecError(location: location, path: path.joined(separator: "."), message: "no such field\(hint)")
            }
            var value = try ConfigNode.parse(yaml: String(override[override.index(after: equals)...]), file: location.file)
            value = relocated(value, to: location)
            tree = tree.setting(path, to: value)
        }
        var final = SpecSchema.spec.validate(tree, requireFields: true)
        final += reportReferences(in: tree)
        final += selectionProblems(in: tree)
        final += sizeOverlayProblems(in: tree)
        final += unsafeNames(in: tree, profile: profile)
        guard final.isEmpty else { throw SpecErrors(errors: final) }
        return LoadedSpec(file: path, tree: tree.removing(["profiles"]), profile: profile, overrides: overrides)
    }

    /// The experiment id, the profile and the datasets' names become file names: only safe ones (`SafeName`).
    static func unsafeNames(in tree: ConfigNode, profile: String?) -> [SpecError] {
        var errors: [SpecError] = []
        let rule = "letters, digits, '.', '_' and '-' only, not starting with '.'"
        if let id = tree.node(at: ["experiment", "id"]), let name = id.scalar, !SafeName.isSafe(name) {
            errors.append(SpecError(location: id.location, path: "experiment.id", message: "'\(name)' cannot name files: \(rule)"))
        }
        if let profile, !SafeName.isSafe(profile) {
            errors.append(SpecError(location: .commandLine("--profile \(profile)"), path: "profiles", message: "'\(profile)' cannot name files: \(rule)"))
        }
        for (i, node) in (tree.node(at: ["data", "datasets"])?.sequence ?? []).enumerated() {
            let named = node.scalar.map { (node, $0) } ?? (node["id"] ?? node["name"]).flatMap { n in n.scalar.map { (n, $0) } }
            if let (at, name) = named, !SafeName.isSafe(name) {
                errors.append(SpecError(location: at.location, path: "data.datasets.\(i)", message: "'\(name)' cannot name files: \(rule)"))
            }
        }
        return errors
    }

    /// The report's baselines, tables and claims must name arms the spec defines, and its claims and
    /// plots metrics it reports.
    static func reportReferences(in tree: ConfigNode) -> [SpecError] {
        let arms = tree["arms"]?.mapping?.map(\.key) ?? ["default"]
        var errors: [SpecError] = []
        func check(_ node: ConfigNode?, _ path: String) {
            guard let node, let name = node.scalar, !arms.contains(name) else { return }
            let hint = closest(name, among: arms).map { "; did you mean '\($0)'?" } ?? ""
            errors.append(SpecError(location: node.location, path: path, message: "no arm '\(name)' (arms: \(arms.joined(separator: ", ")))\(hint)"))
        }
        check(tree.node(at: ["report", "baseline"]), "report.baseline")
        for (i, table) in (tree.node(at: ["report", "tables"])?.sequence ?? []).enumerated() {
            for (j, arm) in (table["arms"]?.sequence ?? []).enumerated() { check(arm, "report.tables.\(i).arms.\(j)") }
            check(table["baseline"], "report.tables.\(i).baseline")
        }
        for (i, arm) in (tree.node(at: ["report", "compare_with", "arms"])?.sequence ?? []).enumerated() { check(arm, "report.compare_with.arms.\(i)") }
        let metrics = [tree.node(at: ["report", "metric"])?.scalar ?? "accuracy"]
            + (tree.node(at: ["report", "extra_metrics"])?.sequence?.compactMap(\.scalar) ?? [])
        func checkMetric(_ node: ConfigNode?, _ path: String) {
            guard let node, let name = node.scalar, !metrics.contains(name) else { return }
            errors.append(SpecError(location: node.location, path: path,
                                    message: "expected the report metric or one of report.extra_metrics (\(metrics.joined(separator: ", "))), not '\(name)'"))
        }
        for (i, claim) in (tree.node(at: ["report", "claims"])?.sequence ?? []).enumerated() {
            check(claim["arm"], "report.claims.\(i).arm")
            check(claim["baseline"], "report.claims.\(i).baseline")
            checkMetric(claim["metric"], "report.claims.\(i).metric")
            if claim["expect"]?.scalar != "some-seeds-fail", claim["baseline"] == nil {
                errors.append(SpecError(location: claim.location, path: "report.claims.\(i)",
                                        message: "missing required key 'baseline' (only a `some-seeds-fail` claim has none)"))
            }
            if claim["expect"]?.scalar == "within", claim["tolerance"] == nil {
                errors.append(SpecError(location: claim.location, path: "report.claims.\(i).tolerance",
                                        message: "a claim expecting `within` needs a `tolerance` (in points of the metric)"))
            }
        }
        for (i, plot) in (tree.node(at: ["report", "scatter"])?.sequence ?? []).enumerated() {
            checkMetric(plot["x"], "report.scatter.\(i).x")
            checkMetric(plot["y"], "report.scatter.\(i).y")
        }
        return errors
    }

    /// `at_training_size` (the spec's and each arm's) names training sizes the spec runs, and holds fields of a run's
    /// configuration, checked as the spec's own: nothing that plans runs (arms, sweeps, sizes) or names the experiment.
    static func sizeOverlayProblems(in tree: ConfigNode) -> [SpecError] {
        var sizes: Set<String> = []
        func collect(_ data: ConfigNode?) {
            for size in Expansion.trainingSizes(data?["training_sizes"]) ?? [] { sizes.insert(size ?? "all") }
            for entry in data?["datasets"]?.sequence ?? [] {
                for size in Expansion.trainingSizes(entry["training_sizes"]) ?? [] { sizes.insert(size ?? "all") }
            }
        }
        collect(tree["data"])
        let arms = tree["arms"]?.mapping ?? []
        for (_, arm) in arms { collect(arm["data"]) }
        var errors: [SpecError] = []
        let owners = [([String](), tree["at_training_size"])] + arms.map { (["arms", $0.key], $0.node["at_training_size"]) }
        for (owner, overlays) in owners {
            for (size, overlay) in overlays?.mapping ?? [] {
                let path = owner + ["at_training_size", size]
                if !sizes.contains(size) {
                    let known = sizes.sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
                    errors.append(SpecError(location: overlay.location, path: path.joined(separator: "."),
                                            message: "no run is at training size '\(size)' (the spec's sizes: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"))
                }
                for (key, node) in overlay.mapping ?? [] where SpecSchema.experimentLevelKeys.contains(key) || key == "experiment" {
                    errors.append(SpecError(location: node.location, path: (path + [key]).joined(separator: "."),
                                            message: "plans runs or names the experiment: not a field a run at one size can change"))
                }
                if let node = overlay.node(at: ["data", "training_sizes"]) {
                    errors.append(SpecError(location: node.location, path: (path + ["data", "training_sizes"]).joined(separator: "."),
                                            message: "a run at one size cannot change the sizes"))
                }
                errors += SpecSchema.spec.validate(overlay, path: path, requireFields: false)
            }
        }
        return errors
    }

    /// `selection.tune_seeds` is a count of seeds, 1 or more, and needs axes to choose (`selection.over`).
    static func selectionProblems(in tree: ConfigNode) -> [SpecError] {
        guard let node = tree.node(at: ["selection", "tune_seeds"]) else { return [] }
        guard let n = node.scalar.flatMap(Int.init), n >= 1 else {
            return [SpecError(location: node.location, path: "selection.tune_seeds", message: "expected a number of seeds, 1 or more, not '\(node.scalar ?? "")'")]
        }
        guard tree.node(at: ["selection", "over"]) != nil else {
            return [SpecError(location: node.location, path: "selection.tune_seeds", message: "tuning seeds choose the axes of `selection.over`, which the spec does not name")]
        }
        return []
    }

    /// `path`, with what it extends merged under it; `from` is the `extends` key that named it (errors point there).
    private static func loadExtending(_ path: String, chain: [String], from extends: ConfigNode?) throws -> ConfigNode {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let here = extends?.location ?? SourceLocation(file: path, line: 0, column: 0)
        guard !chain.contains(url.path) else {
            throw SpecError(location: here, path: "extends", message: "circular extends: \((chain + [url.path]).joined(separator: " → "))")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue,
              let data = FileManager.default.contents(atPath: url.path) else {
            throw SpecError(location: here, path: extends == nil ? "" : "extends",
                            message: "cannot read '\(path)': " + (isFolder.boolValue ? "it is a folder" : "no such file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(location: SourceLocation(file: path, line: 0, column: 0), path: "",
                            message: "not UTF-8: the bytes at offset \(firstInvalidUTF8(data)) do not decode")
        }
        let node = try ConfigNode.parse(yaml: text, file: path)
        guard node.mapping != nil else {
            throw SpecError(location: node.location, path: "", message: "a spec must be a mapping of keys")
        }
        guard let base = node["extends"] else { return node }
        guard let relative = base.scalar else {
            throw SpecError(location: base.location, path: "extends", message: "expected a file path")
        }
        let basePath = relative.hasPrefix("/") ? relative : url.deletingLastPathComponent().appendingPathComponent(relative).path
        return try loadExtending(basePath, chain: chain + [url.path], from: base).removing(["extends"]).merging(node.removing(["extends"]))
    }

    /// The byte offset of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(_ data: Data) -> Int {
        var decoder = UTF8(), bytes = data.makeIterator(), offset = 0
        while case let .scalarValue(scalar) = decoder.decode(&bytes) { offset += UTF8.width(scalar) }
        return offset
    }

    private static func relocated(_ node: ConfigNode, to location: SourceLocation) -> ConfigNode {
        switch node.value {
        case .scalar: return ConfigNode(node.value, at: location)
        case let .sequence(items): return ConfigNode(.sequence(items.map { relocated($0, to: location) }), at: location)
        case let .mapping(pairs): return ConfigNode(.mapping(pairs.map { ($0.key, relocated($0.node, to: location)) }), at: location)
        }
    }
}

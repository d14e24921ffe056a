import Foundation

/// Which of an experiment's runs a scheduler and its workers take (`tlab run --only K=V,… --skip K=V,…`):
/// e.g. one long cell given a session's cores and two BLAS threads while the rest waits for another
/// scheduler. Keys: `arm`, `dataset`, `size` (training-set size, `all` for the whole split), `seed`,
/// `fold`. A run is taken when it matches every `only` term (one of a term's values) and not every
/// `skip` term; a stage run is taken when a taken run needs its artifact (directly or through
/// another stage). Runs are registered as always: the filter only chooses among them.
public struct RunFilter: Sendable, Equatable {
    public enum Key: String, CaseIterable, Sendable { case arm, dataset, size, seed, fold }

    public var only: [Key: Set<String>]
    public var skip: [Key: Set<String>]

    public init(only: [Key: Set<String>] = [:], skip: [Key: Set<String>] = [:]) { self.only = only; self.skip = skip }

    public struct Failure: Error, CustomStringConvertible, Equatable { public let description: String }

    /// Parses `K=V[,V…]` terms of the option `option` (named in errors); a key given twice is an error.
    public static func terms(_ texts: [String], option: String) throws -> [Key: Set<String>] {
        var out: [Key: Set<String>] = [:]
        for text in texts {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let keys = Key.allCases.map(\.rawValue).joined(separator: ", ")
            guard parts.count == 2, let key = Key(rawValue: parts[0]) else {
                throw Failure(description: "\(option) '\(text)': expected KEY=VALUE[,VALUE…] with KEY one of \(keys)")
            }
            let values = Set(parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            guard !values.isEmpty else { throw Failure(description: "\(option) '\(text)': no value") }
            guard out[key] == nil else { throw Failure(description: "\(option): '\(key.rawValue)' given twice (list its values after one '=', comma-separated)") }
            out[key] = values
        }
        return out
    }

    public var isEmpty: Bool { only.isEmpty && skip.isEmpty }

    /// The options that give a worker process the same filter.
    public var arguments: [String] {
        func render(_ terms: [Key: Set<String>], _ option: String) -> [String] {
            terms.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { [option, "\($0.key.rawValue)=" + $0.value.sorted().joined(separator: ",")] }
        }
        return render(only, "--only") + render(skip, "--skip")
    }

    static func value(_ key: Key, of run: RunRecord) -> String {
        switch key {
        case .arm: run.arm
        case .dataset: run.dataset
        case .size: run.trainingSize ?? "all"
        case .seed: String(run.seed)
        case .fold: run.fold.map(String.init) ?? "-"
        }
    }

    /// Whether a (non-stage) run is taken.
    public func accepts(_ run: RunRecord) -> Bool {
        let matchesOnly = only.allSatisfy { $0.value.contains(Self.value($0.key, of: run)) }
        let matchesSkip = !skip.isEmpty && skip.allSatisfy { $0.value.contains(Self.value($0.key, of: run)) }
        return matchesOnly && !matchesSkip
    }

    /// The runs of `runs` taken: the accepted ones and the stage runs whose artifacts they need — a
    /// stage that has to run (again) only when an accepted run that has not ended needs it. A stage
    /// queued again for other runs (its artifact stayed on a gone machine) is not the selection's
    /// because one of its ended runs once used it: no worker of the selection would take it
    /// (`ResultsStore.claim` selects among open runs), and a scheduler counting it would wait forever.
    public func selection(of runs: [RunRecord]) -> [RunRecord] {
        if isEmpty { return runs }
        let taken = runs.filter { !$0.isStage && accepts($0) }
        let stages = runs.filter(\.isStage)
        /// The stage runs among `among` whose artifacts `needs` name, and those they need in turn.
        func closure(_ needs: [String], among: [RunRecord]) -> [RunRecord] {
            var needed = Set(needs)
            while true {
                let more = among.filter { needed.contains($0.hash) }.flatMap(\.neededArtifacts).filter { !needed.contains($0) }
                if more.isEmpty { return among.filter { needed.contains($0.hash) } }
                needed.formUnion(more)
            }
        }
        let open = closure(taken.filter { !$0.status.hasEnded }.flatMap(\.neededArtifacts), among: stages)
        let made = closure(taken.filter(\.status.hasEnded).flatMap(\.neededArtifacts), among: stages.filter(\.status.hasEnded))
        let openHashes = Set(open.map(\.hash))
        return taken + open + made.filter { !openHashes.contains($0.hash) }
    }
}

import Datasets
import Foundation
import Specs

/// What a spec's runs would trip over at run time, found before anything runs: a configuration its kind
/// cannot decode (unknown kinds and fields, wrong types), datasets, vectors and corpora that are not
/// installed, user files that do not exist, parameter-group patterns that match no parameter of the
/// model, phases naming unknown groups. Each problem names the spec location.
public enum SpecCheck {
    public static func problems(in runs: [PlannedRun], data: DataStore, kinds: RunKinds = .standard) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        var armsByProblem: [String: [String]] = [:]
        func report(_ message: String, arm: String?) {
            if seen.insert(message).inserted { problems.append(message) }
            if let arm { armsByProblem[message, default: []].append(arm) }
        }
        func messages(_ error: any Error) -> [String] {
            (error as? SpecErrors)?.errors.map(\.description) ?? ["\(error)"]
        }
        // Runs that differ only in coordinates and sweep values the kinds check alike are checked once.
        var checked: Set<Data> = []
        var checkedStages: Set<String> = []
        for run in runs {
            for stage in run.stages where checkedStages.insert(stage.key).inserted {
                do {
                    let kind = try kinds.stage(for: stage.config)
                    kind.check(try kind.decode(stage.config, ["stages", stage.name]), stage.config, data).forEach { report($0, arm: nil) }
                } catch {
                    messages(error).forEach { report($0, arm: nil) }
                }
            }
            let shape = run.config.removing(["run"]).setting(["run", "seed"], to: ConfigNode(.scalar("0", quoted: false), at: run.config.location))
            guard checked.insert(shape.canonicalJSON).inserted else { continue }
            do {
                let (kind, typed) = try kinds.decodeRun(run.config)
                kind.check(typed, run.config, data).forEach { report($0, arm: run.arm) }
            } catch {
                messages(error).forEach { report($0, arm: run.arm) }
            }
        }
        // A problem is listed once, with the arms whose runs have it unless every arm's do.
        let allArms = Set(runs.map(\.arm))
        return problems.map { message in
            guard let arms = armsByProblem[message], Set(arms) != allArms else { return message }
            var unique: [String] = []
            for arm in arms where !unique.contains(arm) { unique.append(arm) }
            return "\(message) (arm\(unique.count > 1 ? "s" : "") \(unique.joined(separator: ", ")))"
        }
    }
}

import Foundation
import Specs

/// Claims a spec states before its runs (`report.claims`: a paper's, a maintainer's, folklore),
/// checked on the chosen runs of every dataset and setting where both arms have runs paired by
/// seed, fold and training-set size (two-sided paired test at 5%: `Notebook.pairedTest`, which leaves out
/// pairs whose runs met different instances of a stage made more than once); a claim of equivalence within a
/// tolerance by two one-sided tests at 5%.
struct ClaimCheck {
    struct Claim {
        let text: String
        let source: String?
        let arm: String
        let baseline: String
        let expectation: Expectation
        /// An extra metric (`report.extra_metrics`); nil for the report metric.
        let extra: String?
        /// Also claimed: the margin is largest at the smallest training-set size.
        let largestAtSmallestSize: Bool
        /// The training-set size the claim is about (`training_size`); nil: every size.
        let trainingSize: String?
    }

    /// What a claim expects of the arm against its baseline.
    enum Expectation: Equatable {
        case higher, lower
        /// Within ±tolerance (in the metric's unit: a fraction for a test metric).
        case within(Double)
        /// Some of the arm's chosen seeds end at chance level (Mosbach et al. 2021's failed fine-tuning runs); no baseline.
        case someSeedsFail
    }

    enum Outcome: String {
        case holds = "holds"
        case sameDirection = "as claimed, not significant"
        case opposite = "opposite, not significant"
        case contradicted = "contradicted (significant)"
    }

    /// One dataset and setting where both arms were run.
    struct Setting {
        let dataset: String
        let group: String
        let test: Statistics.PairedTest?
        /// Pairs left out of the test: their two runs met different instances of a stage made more
        /// than once (two language models, not one, behind the difference).
        let mixedPairs: Int
        /// The paired differences (arm − baseline) the test was made on, or would be with two of them.
        let differences: [Double]
        /// Why it is not a fair test of the claim (`Validity`); empty when it is.
        let unfair: [String]
    }

    let claims: [Claim]
    let table: ComparisonTable
    let metricName: String
    /// The paired test of a cell against its baseline's on a metric (nil: the report metric), and the
    /// pairs it left out (`Notebook.pairedTest`).
    let test: (Cell, Cell, String?) -> (test: Statistics.PairedTest?, leftOut: Int, differences: [Double])
    /// Whether a metric is a rate of a split (in points) rather than an extra result on its own scale.
    let isRate: (String) -> Bool
    let validity: Validity

    init(tree: ConfigNode, table: ComparisonTable, metricName: String,
         test: @escaping (Cell, Cell, String?) -> (test: Statistics.PairedTest?, leftOut: Int, differences: [Double]),
         isRate: @escaping (String) -> Bool, validity: Validity) {
        let reportMetric = tree.node(at: ["report", "metric"])?.scalar ?? "accuracy"
        claims = (tree.node(at: ["report", "claims"])?.sequence ?? []).map { node in
            let metric = node["metric"]?.scalar
            let extra = metric == reportMetric ? nil : metric
            let expectation: Expectation = switch node["expect"]?.scalar {
            case "higher": .higher
            case "within": .within((node["tolerance"]?.scalar.flatMap(Double.init) ?? 0) / (extra.map(isRate) ?? true ? 100 : 1))
            case "some-seeds-fail": .someSeedsFail
            default: .lower
            }
            return Claim(text: node["claim"]?.scalar ?? "", source: node["source"]?.scalar, arm: node["arm"]?.scalar ?? "",
                         baseline: node["baseline"]?.scalar ?? "", expectation: expectation,
                         extra: extra, largestAtSmallestSize: node["margin"]?.scalar != nil, trainingSize: node["training_size"]?.scalar)
        }
        self.table = table
        self.metricName = metricName
        self.test = test
        self.isRate = isRate
        self.validity = validity
    }

    static func outcome(_ t: Statistics.PairedTest, _ expectation: Expectation) -> Outcome {
        if case let .within(margin) = expectation {
            let inside = abs(t.meanDifference) < margin
            if t.equivalenceP(margin: margin) < 0.05 { return .holds }
            if t.nonEquivalenceP(margin: margin) < 0.05 { return .contradicted }
            return inside ? .sameDirection : .opposite
        }
        let asClaimed = expectation == .higher ? t.meanDifference > 0 : t.meanDifference < 0  // (a some-seeds-fail claim has no test)
        switch (asClaimed, t.p < 0.05) {
        case (true, true): return .holds
        case (true, false): return .sameDirection
        case (false, false): return .opposite
        case (false, true): return .contradicted
        }
    }

    /// Every dataset and setting where both arms of the claim have a cell, tested over the pairs whose
    /// runs met the same instances of the stages they used.
    func settings(of claim: Claim) -> [Setting] {
        table.cells.filter { $0.arm == claim.arm }.compactMap { cell in
            guard let base = table.cells.first(where: { $0.arm == claim.baseline && $0.dataset == cell.dataset && $0.group == cell.group }) else { return nil }
            let (paired, leftOut, differences) = test(cell, base, claim.extra)
            return Setting(dataset: cell.dataset, group: cell.group, test: paired, mixedPairs: leftOut, differences: differences,
                           unfair: paired == nil ? [] : validity.reasons(cell, against: base, pairs: differences.count))
        }.sorted { ($0.dataset, ComparisonTable.sizeOrder($0.group), $0.group) < ($1.dataset, ComparisonTable.sizeOrder($1.group), $1.group) }
    }

    /// A signed difference in the claim's unit: points of a test metric (the report's or another), or
    /// the extra metric's own scale.
    func signed(_ x: Double, _ claim: Claim) -> String {
        if let extra = claim.extra, !isRate(extra) { return (x >= 0 ? "+" : "") + Notebook.formatExtra(x) }
        return String(format: "%+.1f", 100 * x)
    }

    /// A paired difference with its test: value, p and n (for an equivalence claim, the p of the two one-sided tests).
    func difference(_ t: Statistics.PairedTest, _ claim: Claim) -> String {
        if case let .within(margin) = claim.expectation {
            return "\(signed(t.meanDifference, claim)) (equivalence \(Notebook.formatP(t.equivalenceP(margin: margin))), \(t.sampleSize))"
        }
        return "\(signed(t.meanDifference, claim)) (\(Notebook.formatP(t.p)), \(t.sampleSize))"
    }

    /// A setting's outcome as the claim's table reads it; an equivalence claim's middle ground names the tolerance.
    static func label(_ outcome: Outcome, equivalence: Bool) -> String {
        switch (outcome, equivalence) {
        case (.sameDirection, true): "inside the tolerance, equivalence not shown"
        case (.opposite, true): "outside the tolerance, not significant"
        default: outcome.rawValue
        }
    }

    /// "higher than `full`", "within ±1.0 of `full`".
    func expected(_ claim: Claim) -> String {
        switch claim.expectation {
        case .higher: "higher than `\(claim.baseline)`"
        case .lower: "lower than `\(claim.baseline)`"
        case let .within(margin): "within ±\(signed(margin, claim).dropFirst()) of `\(claim.baseline)`"
        case .someSeedsFail: "with some chosen seeds at chance level"
        }
    }

    /// One sentence of the outcomes over settings.
    /// `equivalence`: the claim is of equivalence within a tolerance, whose middle ground is neither shown nor ruled out.
    static func summary(_ outcomes: [Outcome], untestable: Int, unfair: Int = 0, equivalence: Bool = false) -> String {
        let m = outcomes.count
        let count = { (o: Outcome) in outcomes.filter { $0 == o }.count }
        let (held, contradicted) = (count(.holds), count(.contradicted))
        let untested = untestable > 0 ? "; \(untestable) more \(untestable == 1 ? "setting has" : "settings have") fewer than two paired runs yet" : ""
        if m == 0 && unfair > 0 {
            return "**not a fair test** " + (unfair == 1 ? "in the one setting tested" : "in any of the \(unfair) settings tested") + " (why, below)" + untested
        }
        let pending = (unfair > 0 ? (m == 1 ? " — the only fair test" : " — among the \(m) fair tests") + " of \(m + unfair) settings tested; \(unfair) \(unfair == 1 ? "is" : "are") not a fair test (why, below)" : "") + untested
        let every = m == 1 ? "the one setting" : m == 2 ? "both settings" : "all \(m) settings"
        if m == 0 {
            return untestable == 0 ? "not testable yet: no dataset has runs of both arms"
                : "not testable yet: none of the \(untestable) settings with runs of both arms has two of them paired by seed"
        }
        if held == m { return "**held** in \(every)\(pending)" }
        if contradicted == m { return "**contradicted** in \(every)\(pending)" }
        let split = equivalence ? "the mean difference inside the tolerance in \(count(.sameDirection)), outside it in \(count(.opposite))"
            : "the claimed direction in \(count(.sameDirection)), the opposite in \(count(.opposite))"
        if held == 0 && contradicted == 0 {
            return "**inconclusive**: " + (equivalence ? "equivalence neither shown nor ruled out" : "no significant difference")
                + (m == 1 ? " in the one setting" : " in any of \(m) settings") + " (\(split))\(pending)"
        }
        let rest = (equivalence ? "neither shown nor ruled out" : "not significant") + " in \(m - held - contradicted) (\(split))"
        if contradicted == 0 { return "**held where significant**: held in \(held) of \(m) settings, contradicted in none, \(rest)\(pending)" }
        if held == 0 { return "**contradicted where significant**: contradicted in \(contradicted) of \(m) settings, held in none, \(rest)\(pending)" }
        return "**mixed**: held in \(held), contradicted in \(contradicted), \(rest) of \(m) settings\(pending)"
    }

    /// The section's markdown; empty when the spec states no claims.
    func render() -> String {
        guard !claims.isEmpty else { return "" }
        var md = "## Claims checked against our runs\n\n"
        md += "Each claim was written into the spec before the runs. It is checked on the runs the tables below choose "
            + "(selection on validation), in every dataset and setting where both arms have runs paired by seed, fold and "
            + "training-set size: two-sided paired t-test at 5% (under k-fold CV the corrected resampled t-test over folds, as under *What was compared*)."
        if claims.contains(where: { if case .within = $0.expectation { true } else { false } }) {
            md += " A claim of equivalence within a tolerance holds where two one-sided tests at 5% put the difference inside it (Schuirmann 1987: "
                + "the 90% interval inside ±tolerance), and is contradicted where the interval lies wholly outside."
        }
        md += "\n\n"
        md += "Before its verdict, each setting is checked; one that fails a check is **not a fair test** of the claim, says why with the numbers, "
            + "and counts neither for nor against it. The checks, on both arms' chosen runs: " + Validity.described.joined(separator: "; ") + ".\n"
        if validity.baselines.isEmpty {
            md += "\n**No bag-of-words floor**: this spec names no `baselines:`, so the checks against the floor and chance level were not made.\n"
        }
        for (i, claim) in claims.enumerated() {
            if claim.expectation == .someSeedsFail { md += failedSeeds(claim, number: i + 1); continue }
            let metric = claim.extra.map { isRate($0) ? Notebook.splitLabel($0) : "`\($0)`" } ?? "test \(metricName)"
            let all = settings(of: claim)
            let tested = all.compactMap { s in s.test.map { (s, Self.outcome($0, claim.expectation)) } }
            let fair = tested.filter { $0.0.unfair.isEmpty }
            let equivalence = if case .within = claim.expectation { true } else { false }
            md += "\n**\(i + 1). \(claim.text)**" + (claim.source.map { " (\($0))" } ?? "") + ": `\(claim.arm)` "
                + expected(claim) + " on \(metric) — "
                + Self.summary(fair.map(\.1), untestable: all.count - tested.count, unfair: tested.count - fair.count, equivalence: equivalence) + ".\n\n"
            if !tested.isEmpty {
                md += "| dataset | setting | \(claim.arm) − \(claim.baseline) | outcome |\n|---|---|---|---|\n"
                for (s, outcome) in tested {
                    let verdict = s.unfair.isEmpty ? Self.label(outcome, equivalence: equivalence) : "**not a fair test**: " + s.unfair.joined(separator: "; ")
                    md += "| \(s.dataset) | \(s.group.isEmpty ? "–" : s.group) | \(difference(s.test!, claim))\(s.mixedPairs > 0 ? " †" : "") | \(verdict) |\n"
                }
            }
            // Settings with a single pair so far: its sign, untested (an interim notebook's hint, not a result).
            let single = all.filter { $0.test == nil && $0.differences.count == 1 }
            if !single.isEmpty {
                md += "\n\(tested.isEmpty ? "" : "Not testable yet: ")\(single.count) setting\(single.count == 1 ? " has" : "s have") one paired seed so far — "
                    + "the difference of that one pair, with no test (a direction, not a result):\n\n"
                md += "| dataset | setting | \(claim.arm) − \(claim.baseline) (one seed) | direction |\n|---|---|---|---|\n"
                for s in single {
                    let d = s.differences[0]
                    let direction = switch claim.expectation {
                    case let .within(margin): abs(d) < margin ? "inside the tolerance" : "outside the tolerance"
                    case .higher, .lower, .someSeedsFail: d == 0 ? "none" : (d > 0) == (claim.expectation == .higher) ? "as claimed" : "opposite"
                    }
                    md += "| \(s.dataset) | \(s.group.isEmpty ? "–" : s.group) | \(signed(d, claim))\(s.mixedPairs > 0 ? " †" : "") | \(direction) |\n"
                }
            }
            let mixed = all.filter { $0.mixedPairs > 0 }
            if !mixed.isEmpty {
                let marked = tested.contains { $0.0.mixedPairs > 0 } ? "† " : ""
                md += "\n\(marked)\(mixed.map(\.mixedPairs).reduce(0, +)) pairs in \(mixed.count) \(mixed.count == 1 ? "setting are" : "settings are") left out of the test: "
                    + "their two runs met different instances of a stage made more than once (see *Provenance*), so two models, not one, "
                    + "stand behind their difference.\n"
            }
            if claim.largestAtSmallestSize { md += marginBySize(claim, tested.map(\.0)) }
        }
        return md + "\n"
    }

    /// A claim that some seeds fail: per dataset and setting of the arm (at the claim's training-set size), its chosen
    /// runs whose test accuracy is at chance level — within `Validity.chanceMargin` of the test split's majority-class rate,
    /// as the baselines record it (Mosbach et al. 2021 count a run failed when it does not beat the majority class).
    func failedSeeds(_ claim: Claim, number: Int) -> String {
        var md = "\n**\(number). \(claim.text)**" + (claim.source.map { " (\($0))" } ?? "") + ": `\(claim.arm)` " + expected(claim)
            + (claim.trainingSize.map { " at training-set size \($0)" } ?? "") + " (test accuracy within "
            + "\(Int(Validity.chanceMargin * 100)) points of the majority-class rate) — "
        let cells = table.cells.filter { $0.arm == claim.arm && (claim.trainingSize == nil || ComparisonTable.trainingSize(of: $0.group) == claim.trainingSize) }
        var rows = "", held = 0, judged = 0, unknown = 0
        for cell in cells.sorted(by: { ($0.dataset, ComparisonTable.sizeOrder($0.group)) < ($1.dataset, ComparisonTable.sizeOrder($1.group)) }) {
            let accuracies = cell.runIDs.compactMap { validity.outcomes[$0]?.test?["accuracy"] }
            guard !accuracies.isEmpty else { continue }
            guard let majority = validity.floor(dataset: cell.dataset, group: cell.group)?.majority else { unknown += 1; continue }
            let failed = accuracies.filter { $0 <= majority + Validity.chanceMargin }
            judged += 1
            if !failed.isEmpty { held += 1 }
            let setting = cell.group.isEmpty ? "–" : cell.group
            let listed = failed.isEmpty ? "" : " (" + failed.map { String(format: "%.1f", 100 * $0) }.joined(separator: ", ") + ")"
            let outcome = failed.isEmpty ? "not seen" : "held"
            rows += "| \(cell.dataset) | \(setting) | " + String(format: "%.1f", 100 * majority) + " | \(failed.count) of \(accuracies.count)\(listed) | \(outcome) |\n"
        }
        if judged == 0 {
            md += unknown > 0 ? "**not testable**: no baseline recorded the test split's majority-class rate.\n" : "**not testable yet**: no runs.\n"
            return md
        }
        md += held > 0 ? "**held** in \(held) of \(judged) settings" : "**not seen** in any of \(judged) settings"
        md += (unknown > 0 ? " (\(unknown) without a majority-class rate)" : "") + ".\n\n"
        return md + "| dataset | setting | majority class (%) | seeds at chance (their test accuracy, %) | outcome |\n|---|---|---|---|---|\n" + rows
    }

    /// The margin claimed largest at the smallest training-set size: per dataset and setting, the
    /// mean paired margin at each size, and whether the smallest size has the largest one (in the
    /// claimed direction, and in that direction at all).
    func marginBySize(_ claim: Claim, _ tested: [Setting]) -> String {
        let curves = Dictionary(grouping: tested.filter { ComparisonTable.trainingSize(of: $0.group) != nil }) {
            [$0.dataset, ComparisonTable.settingWithoutSize($0.group)]
        }.filter { $0.value.count >= 2 }
        guard !curves.isEmpty else { return "\nMargin by training-set size: not testable yet (no dataset has paired runs at two sizes).\n" }
        var md = "\nMargin by training-set size (mean paired difference, \(claim.arm) − \(claim.baseline)); claimed largest at the smallest size:\n\n"
        md += "| dataset | setting | margin by size | largest at the smallest size |\n|---|---|---|---|\n"
        var held = 0
        for key in curves.keys.sorted(by: { $0.joined(separator: "\u{1}") < $1.joined(separator: "\u{1}") }) {
            let points = curves[key]!.sorted { ComparisonTable.sizeOrder($0.group) < ComparisonTable.sizeOrder($1.group) }
            let signed = points.map { (claim.expectation == .lower ? -1 : 1) * $0.test!.meanDifference }
            let largest = signed[0] > 0 && signed.dropFirst().allSatisfy { $0 < signed[0] }
            if largest { held += 1 }
            let steps = points.map { p in
                "\(ComparisonTable.trainingSize(of: p.group)!): " + self.signed(p.test!.meanDifference, claim) + (p.test!.p < 0.05 ? "*" : "")
            }
            md += "| \(key[0]) | \(key[1].isEmpty ? "–" : key[1]) | \(steps.joined(separator: " · ")) | \(largest ? "yes" : "no") |\n"
        }
        md += "\n(* significant at 5%.) The margin is largest at the smallest size in \(held) of \(curves.count) "
            + (curves.count == 1 ? "curve" : "curves") + ".\n"
        return md
    }
}

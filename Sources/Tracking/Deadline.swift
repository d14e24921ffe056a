import Foundation

/// A time by which a scheduler's runs should have ended (`tlab run --until`): a working session's end,
/// after which its processes die and whatever ran unsaved is lost. A run starts only when the longest
/// of the most alike ended runs (`RunPrices` with `.longest`), less what a state it resumes from holds,
/// says it ends in time — with the stage runs it waits for, priced alike among ended stages of their name (none ended:
/// nothing says it will not end in time). Prices are
/// one-thread seconds (see `RunPrices`), a bound whatever threads the workers have. Runs left
/// out stay queued for the next scheduler; a run already running is never stopped.
///
/// `Deadline.admitted` decides for the scheduler (how many workers to keep) and for each worker (what
/// it may claim) alike.
public struct Deadline: Sendable, Equatable {
    public let date: Date

    public init(_ date: Date) { self.date = date }

    public struct Failure: Error, CustomStringConvertible, Equatable { public let description: String }

    /// `+90m`, `+2h` or `+45` (minutes from `now`), or an ISO 8601 date and time (`2026-12-03T08:05:00Z`).
    public init(parsing text: String, now: Date = Date()) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        let failure = Failure(description: "--until '\(text)': expected +MINUTES, +Nm, +Nh or an ISO 8601 time such as 2026-12-03T08:05:00Z")
        if t.hasPrefix("+") {
            let body = t.dropFirst()
            let (number, unit): (Substring, Double) = body.hasSuffix("h") ? (body.dropLast(), 3600)
                : body.hasSuffix("m") ? (body.dropLast(), 60) : (body, 60)
            guard let amount = Double(number), amount >= 0, amount.isFinite else { throw failure }
            self.init(now.addingTimeInterval(amount * unit))
        } else if let date = ISO8601DateFormatter().date(from: t) {
            self.init(date)
        } else {
            throw failure
        }
    }

    /// The option that gives a worker process the same deadline.
    public var arguments: [String] { ["--until", ISO8601DateFormatter().string(from: date)] }

    /// `admitted` with the longest of the most alike ended runs of `all` (every run of the experiment:
    /// ended ones price, `open` ones are admitted or not) as prices.
    public func admitted(_ open: [RunRecord], all: [RunRecord], epochSeconds: [Int64: Double],
                         earlier: [Int64: [ResultsStore.EarlierResult]], trained: [Int64: Double] = [:], now: Date = Date()) -> Set<Int64> {
        admitted(open, runs: RunPrices(runs: all, epochSeconds: epochSeconds, earlier: earlier, of: .runs, statistic: .longest),
                 stages: RunPrices(runs: all, epochSeconds: epochSeconds, earlier: earlier, of: .stages, statistic: .longest),
                 trained: trained, now: now)
    }

    /// The ids of the queued runs among `open` (a scheduler's selection of open runs: queued, running) that
    /// may start at `now`: a run when its price plus that of every stage it still waits for (queued, or
    /// running for its price less the time it has run) fits the time left; a stage when a run it lets start
    /// does. Where nothing of a kind has ended yet (no `runs` or no `stages` prices), its runs cost nothing:
    /// nothing says they will not end in time. A run that resumes from a saved state costs its price less the
    /// seconds of training the state holds (`trained`, by run id), as a running run its price less the longer
    /// of those and the time it has run.
    public func admitted(_ open: [RunRecord], runs: RunPrices?, stages stagePrices: RunPrices?, trained: [Int64: Double] = [:],
                         now: Date = Date()) -> Set<Int64> {
        let queued = open.filter { $0.status == .queued }
        let left = date.timeIntervalSince(now)
        let stages = Dictionary(open.filter(\.isStage).map { ($0.hash, $0) }) { a, _ in a }
        func price(_ r: RunRecord) -> Double {
            // A stage is priced by ended stages of its own name alone: a language model's pretraining says nothing
            // of how long its fine-tuning takes.
            if r.isStage && stagePrices?.hasMeasured(arm: r.arm) != true { return 0 }
            guard let p = (r.isStage ? stagePrices : runs)?.seconds(of: r) else { return 0 }
            let done = r.id.flatMap { trained[$0] } ?? 0
            guard r.status == .running, let started = r.startedAt else { return max(p - done, 0) }
            return max(p - max(now.timeIntervalSince(started), done), 0)
        }
        /// The open stage runs `run` waits for, directly or through another stage.
        func awaited(_ run: RunRecord) -> [RunRecord] {
            var found: [String: RunRecord] = [:], next = run.neededArtifacts
            while let hash = next.popLast() {
                guard found[hash] == nil, let stage = stages[hash] else { continue }
                found[hash] = stage
                next += stage.neededArtifacts
            }
            return Array(found.values)
        }
        var admitted = Set<Int64>()
        for run in queued where !run.isStage {
            let waits = awaited(run)
            guard price(run) + waits.reduce(0, { $0 + price($1) }) <= left else { continue }
            admitted.insert(run.id!)
            admitted.formUnion(waits.filter { $0.status == .queued }.compactMap(\.id))
        }
        return admitted
    }
}

extension ResultsStore {
    /// The ids of `experiment`'s queued runs of `filter`'s selection (among the runs `planned` names, or all)
    /// that `deadline` lets start now, priced by every ended run of the experiment, less what their saved states hold.
    public func admitted(by deadline: Deadline, experiment: String, filter: RunFilter, planned: Set<String>? = nil) throws -> Set<Int64> {
        let all = try runs(experiment: experiment)
        let open = filter.selection(of: all.filter { !$0.status.hasEnded && (planned?.contains($0.hash) ?? true) })
        return deadline.admitted(open, all: all, epochSeconds: try epochSeconds(experiment: experiment),
                                 earlier: try earlierResults(experiment: experiment), trained: savedTraining(of: open))
    }
}

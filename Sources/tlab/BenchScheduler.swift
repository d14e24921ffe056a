import ArgumentParser
import Foundation
import Tracking

extension Tlab.Bench {
    /// The scheduler's own cost per run: `tlab plan` and `tlab run` of a sweep of trivial runs (no
    /// training; each records one metric and a result), through the real worker processes and database.
    struct SchedulerBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scheduler", abstract: "Per-run scheduler overhead: plan and run a sweep of trivial runs in worker processes.")
        @Option(help: "Trivial runs in the sweep.") var runs = 1000
        @Option(help: "Worker processes.") var workers = 2
        @Option(help: "Each run's own duration in milliseconds (0: the overhead alone).") var delayMs = 0

        func run() throws {
            let fm = FileManager.default
            let folder = fm.temporaryDirectory.appendingPathComponent("tlab-bench-scheduler-\(UUID().uuidString)")
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? fm.removeItem(at: folder) }
            let csv = folder.appendingPathComponent("tiny.csv"), spec = folder.appendingPathComponent("trivial.yaml")
            let db = folder.appendingPathComponent("bench.sqlite").path
            try Data("text,label\nfine,pos\nbad,neg\n".utf8).write(to: csv)
            try Data("""
            experiment: {id: scheduler-bench}
            data: {datasets: [{file: \(csv.path)}]}
            model: {kind: trivial, delay_ms: \(delayMs)}
            sweep: {seed: {range: {from: 1, to: \(runs)}}}
            """.utf8).write(to: spec)
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            func timed(_ arguments: [String]) throws -> Double {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                let start = Date()
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else { throw ValidationError("tlab \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
                return Date().timeIntervalSince(start)
            }
            print("# \(runs) trivial runs, \(workers) worker processes, \(delayMs) ms of work each")
            let plan = try timed(["plan", spec.path])
            let first = try timed(["run", spec.path, "--db", db, "--workers", String(workers)])
            let again = try timed(["run", spec.path, "--db", db, "--workers", String(workers)])
            let store = try ResultsStore(path: db)
            let counts = try store.statusCounts(experiment: "scheduler-bench")
            let claimedTwice = try store.runs(experiment: "scheduler-bench").filter { $0.attempts != 1 }.count
            let work = Double(runs * delayMs) / 1000 / Double(workers)
            print(String(format: "tlab plan:                 %.2f s (%.2f ms per run)", plan, 1000 * plan / Double(runs)))
            print(String(format: "tlab run:                  %.2f s wall for %d runs (%d finished)", first, runs, counts[.finished] ?? 0))
            print(String(format: "scheduler overhead:        %.2f ms per run (wall − the runs' own work ÷ workers, over runs)", 1000 * (first - work) / Double(runs)))
            print(String(format: "tlab run again (all done): %.2f s; runs claimed more than once: %d", again, claimedTwice))
        }
    }
}

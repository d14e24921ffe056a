import Foundation
import XCTest

/// The scheduler end to end through the `tlab` binary this test run built: trivial runs, a killed
/// worker and a killed scheduler, and a resume that finishes every run exactly once.
final class SchedulerTests: XCTestCase {
    var folder: URL!
    /// The debug binary `swift test` builds, or the release one `setup.sh` builds.
    var tlab: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let debug = root.appendingPathComponent(".build/debug/tlab").path
        return FileManager.default.isExecutableFile(atPath: debug) ? debug : root.appendingPathComponent(".build/release/tlab").path
    }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlab-sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: tlab) else {
            throw XCTSkip("no tlab binary: run `swift build` (or setup.sh) first")
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    @discardableResult
    func tlab(_ args: [String], wait: Bool = true) throws -> (Process, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tlab)
        p.arguments = args
        p.currentDirectoryURL = folder
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        guard wait else { return (p, "") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p, String(decoding: data, as: UTF8.self))
    }

    func testResumeAfterKillingSchedulerAndWorkers() throws {
        let spec = folder.appendingPathComponent("trivial.yaml")
        try Data("text,label\nfine,pos\n".utf8).write(to: folder.appendingPathComponent("tiny.csv"))
        try Data("""
        experiment: {id: trivial}
        data: {datasets: [{file: tiny.csv}]}
        model: {kind: trivial, delay_ms: 10}
        sweep: {seed: {range: {from: 1, to: 300}}}
        """.utf8).write(to: spec)
        let db = folder.appendingPathComponent("r.sqlite").path
        // Start, then kill -9 the scheduler and its workers part-way.
        let (scheduler, _) = try tlab(["run", spec.path, "--db", db, "--workers", "2"], wait: false)
        Thread.sleep(forTimeInterval: 1.0)
        kill(scheduler.processIdentifier, SIGKILL)
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-9", "-f", "worker --experiment trivial --db \(db)"]
        try pkill.run(); pkill.waitUntilExit()
        let (_, status) = try tlab(["status", "--db", db])
        // Killed part-way: some runs finished, some never started, one or two left `running` by dead workers.
        let finished = Int(status.components(separatedBy: "finished ").last!.prefix { $0.isNumber })!
        XCTAssertGreaterThan(finished, 0, status)
        XCTAssertLessThan(finished, 300, status)
        // Resume: every run finishes exactly once.
        let (resumed, output) = try tlab(["run", spec.path, "--db", db, "--workers", "2"])
        XCTAssertEqual(resumed.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("300 runs planned, 0 new"), output)
        XCTAssertTrue(output.contains("300 finished, 0 diverged, 0 failed"), output)
        let (_, listing) = try tlab(["runs", "trivial", "--db", db])
        XCTAssertEqual(listing.split(separator: "\n").filter { $0.contains("finished") }.count, 300)
        // Each trivial run wrote exactly one metric: none lost, none duplicated.
        let (_, show) = try tlab(["show", "1", "--db", db])
        XCTAssertEqual(show.split(separator: "\n").filter { $0.hasPrefix("epoch 0:") }.count, 1, show)
        // A second resume runs nothing.
        let (_, again) = try tlab(["run", spec.path, "--db", db])
        XCTAssertTrue(again.contains("done in") && again.contains("300 finished"), again)
    }
}

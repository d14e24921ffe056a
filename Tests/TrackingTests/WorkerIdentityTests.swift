import Foundation
import Tracking
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A worker is alive only while its process runs: not once it is a zombie (killed, not yet reaped), and not a later
/// process that was given the same pid.
final class WorkerIdentityTests: XCTestCase {
    func testAZombieOrAReusedPidIsNotTheWorker() throws {
        let me = WorkerIdentity.current()
        XCTAssertNotNil(me.started)
        XCTAssertTrue(me.isAlive)
        XCTAssertFalse(WorkerIdentity(pid: me.pid, started: me.started! + 1).isAlive, "another process with this pid")
        XCTAssertTrue(WorkerIdentity(host: "elsewhere", pid: 1 << 30).isAlive, "only its own host can tell")

        // A child that exits and is not reaped stays a zombie: a signal still reaches it, but it works no more.
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        XCTAssertEqual(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ), 0)
        let child = WorkerIdentity(pid: Int(pid), started: ProcessState.startTime(of: Int(pid)))
        let deadline = Date().addingTimeInterval(5)
        while child.isAlive && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(kill(pid, 0), 0, "a zombie answers a signal")
        XCTAssertFalse(child.isAlive)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertFalse(child.isAlive)
    }
}

/// A database that cannot be opened is named in the error.
final class DatabaseFileErrorTests: XCTestCase {
    func testTheErrorNamesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-database-\(UUID().uuidString).sqlite").path
        try Data("this is no SQLite file, but it is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ResultsStore(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("results database \(path): "), "\($0)")
        }
    }
}

/// Commands that only read open the database read-only: nothing migrated, moved or written, and a write fails.
final class ReadOnlyStoreTests: XCTestCase {
    func testAReadOnlyStoreReadsAndWritesNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tlab-readonly-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("r.sqlite").path
        do {
            let store = try ResultsStore(path: path)
            try store.register(experiment: ExperimentRecord(id: "e", specFile: "e.yaml", description: "", createdAt: Date()),
                               runs: [RunRecord(experimentId: "e", hash: "h", arm: "a", dataset: "d", seed: 1, fold: nil, trainingSize: nil,
                                                sweepJSON: "{}", configJSON: "{}")])
        }
        try FileManager.default.removeItem(atPath: path + "-migration.lock")
        let reader = try ResultsStore(readingOnly: path)
        XCTAssertEqual(try reader.runs(experiment: "e").map(\.hash), ["h"])
        XCTAssertThrowsError(try reader.record(event: EventRecord(runId: 1, kind: "note", message: "x")), "a read-only store writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-migration.lock"))
        XCTAssertThrowsError(try ResultsStore(readingOnly: folder.appendingPathComponent("none.sqlite").path)) {
            XCTAssertTrue("\($0)".contains("none.sqlite: no such file"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("none.sqlite").path))
    }
}

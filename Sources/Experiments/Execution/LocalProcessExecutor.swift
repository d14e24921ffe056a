import Foundation
import Tracking
#if canImport(Glibc)
import Glibc
#endif

/// Workers as child processes of the scheduler on this machine.
public final class LocalProcessExecutor: Executor {
    private var workers: [(process: Process, identity: WorkerIdentity)] = []

    public init() {}

    public func start(_ command: [String], environment: [String: String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
        let pid = Int(process.processIdentifier)
        workers.append((process, WorkerIdentity(pid: pid, started: ProcessState.startTime(of: pid))))
    }

    public var running: Int { workers.filter { $0.process.isRunning }.count }

    public func ended() -> [WorkerIdentity] {
        let gone = workers.filter { !$0.process.isRunning }
        workers.removeAll { !$0.process.isRunning }
        return gone.map(\.identity)
    }

    public func stopAll() -> [WorkerIdentity] {
        workers.forEach { $0.process.terminate() }
        workers.forEach { $0.process.waitUntilExit() }
        defer { workers = [] }
        return workers.map(\.identity)
    }

    public func kill(_ worker: WorkerIdentity) {
        Glibc.kill(pid_t(worker.pid), SIGKILL)
        workers.first { $0.identity.pid == worker.pid }?.process.waitUntilExit()
        workers.removeAll { $0.identity.pid == worker.pid }
    }

    public func isAlive(_ worker: WorkerIdentity) -> Bool { worker.isAlive }
}

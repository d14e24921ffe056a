import Foundation

/// Who holds a running run: the host, the process id and the process's start time (clock ticks after boot, from
/// /proc), so that a pid the system gave to a later process is not taken for the worker; later a cluster job id.
public struct WorkerIdentity: Codable, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var pid: Int
    /// nil where /proc is not readable (or for runs recorded before it was kept).
    public var started: UInt64?

    public init(host: String = ProcessInfo.processInfo.hostName, pid: Int, started: UInt64? = nil) {
        self.host = host; self.pid = pid; self.started = started
    }

    /// This process.
    public static func current() -> WorkerIdentity {
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        return WorkerIdentity(pid: pid, started: ProcessState.read(pid)?.started)
    }

    /// Whether the process still runs on this host: it exists, is not a zombie (killed, not yet reaped) and started
    /// when the recorded one did. A worker of another host is taken as alive (only its own host can tell).
    public var isAlive: Bool {
        guard host == ProcessInfo.processInfo.hostName else { return true }
        guard let state = ProcessState.read(pid) else { return kill(pid_t(pid), 0) == 0 && ProcessState.unreadable }
        return state.state != "Z" && state.state != "X" && (started == nil || state.started == started)
    }

    public var description: String { "\(host):\(pid)" + (started.map { "@\($0)" } ?? "") }
}

/// A process's state letter and start time, from /proc/PID/stat (fields 3 and 22).
public struct ProcessState {
    /// When process `pid` started (clock ticks after boot), where /proc tells.
    public static func startTime(of pid: Int) -> UInt64? { read(pid)?.started }

    let state: Character
    let started: UInt64

    static func read(_ pid: Int) -> ProcessState? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After the command name (in parentheses, which may hold spaces): state is the first field, start time the 20th.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let started = UInt64(fields[19]) else { return nil }
        return ProcessState(state: state, started: started)
    }

    /// No /proc on this system (macOS): a process that answers a signal is taken as alive.
    static var unreadable: Bool { !FileManager.default.fileExists(atPath: "/proc/self/stat") }
}

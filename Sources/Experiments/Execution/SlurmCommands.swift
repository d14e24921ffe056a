import Foundation

/// Slurm's own commands, as the coordinator drives them: `sbatch` to submit an array, `squeue` to see its tasks,
/// `scontrol show job` to learn how an ended task ended (no accounting needed), `scancel` to stop them.
public struct SlurmCommands: Sendable {
    /// A task of an array that Slurm lists (pending, running, completing …).
    public struct QueuedTask: Equatable, Sendable {
        public var job: UInt64
        public var index: Int
        public var state: String
        public var node: String
    }

    /// A Slurm command that failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Folder of the Slurm binaries (nil: found on PATH).
    public var binaries: String?
    public init(binaries: String? = nil) { self.binaries = binaries }

    /// Submits `sbatch ARGUMENTS --wrap COMMAND` with `environment` added; returns the array's job id.
    public func submit(_ arguments: [String], command: [String], environment: [String: String]) throws -> UInt64 {
        let wrap = command.map(Self.shellQuoted).joined(separator: " ")
        let out = try run("sbatch", ["--parsable"] + arguments + ["--wrap", "exec " + wrap], environment: environment)
        guard let id = out.split(separator: ";").first.flatMap({ UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            throw Failure(description: "sbatch answered '\(out.trimmingCharacters(in: .whitespacesAndNewlines))', not a job id")
        }
        return id
    }

    /// The tasks Slurm still lists of the arrays named `names`, by name.
    public func queued(names: [String]) throws -> [String: [QueuedTask]] {
        guard !names.isEmpty else { return [:] }
        let out = try run("squeue", ["-h", "-r", "-n", names.joined(separator: ","), "-o", "%j|%A|%K|%T|%N"])
        var tasks: [String: [QueuedTask]] = [:]
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 5, let job = UInt64(f[1]), let index = Int(f[2]) else { continue }
            tasks[f[0], default: []].append(QueuedTask(job: job, index: index, state: f[3], node: f[4]))
        }
        return tasks
    }

    /// How an array task ended and on which node: from `scontrol` while the controller remembers it (`MinJobAge`), else
    /// from accounting (`sacct`) where a site keeps it; nil when neither knows. (Only the reason a run records depends on it.)
    public func ended(job: UInt64, index: Int) -> (state: String, node: String)? {
        guard let out = try? run("scontrol", ["show", "job", "-o", "\(job)_\(index)"]) else {
            let accounted = (try? run("sacct", ["-n", "-P", "-X", "-j", "\(job)_\(index)", "-o", "State,NodeList"]))?
                .split(separator: "\n").first?.split(separator: "|", omittingEmptySubsequences: false)
            guard let fields = accounted, let state = fields.first, !state.isEmpty else { return nil }
            return (String(state.split(separator: " ").first ?? state), fields.count > 1 ? String(fields[1]) : "?")
        }
        func field(_ name: String) -> String? {
            out.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        guard let state = field("JobState") else { return nil }
        return (state, field("NodeList") ?? "?")
    }

    /// Cancels the arrays named `names` (every task, pending or running).
    public func cancel(names: [String]) throws {
        guard !names.isEmpty else { return }
        _ = try run("scancel", ["-n", names.joined(separator: ",")])
    }

    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaries.map { "\($0)/\(tool)" } ?? "/usr/bin/env")
        process.arguments = (binaries == nil ? [tool] : []) + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                          + String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `word` quoted for the shell `sbatch --wrap` writes.
    static func shellQuoted(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) } ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

import Foundation

/// The `tlab` binary this test run built, run as a child process in `folder`: the debug binary
/// `swift test` builds, or the release one `setup.sh` builds.
struct TlabProcess {
    static var path: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let debug = root.appendingPathComponent(".build/debug/tlab").path
        return FileManager.default.isExecutableFile(atPath: debug) ? debug : root.appendingPathComponent(".build/release/tlab").path
    }

    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    let folder: URL

    /// Runs `tlab args`; with `wait`, returns once it exits, with its standard output and error.
    @discardableResult
    func callAsFunction(_ args: [String], wait: Bool = true) throws -> (Process, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.path)
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
}

extension TlabProcess {
    /// Runs `tlab args` (give absolute paths: it runs in this process's folder) to its end and returns its exit status, output and
    /// peak resident memory (KiB, from wait4).
    func measured(_ args: [String]) throws -> (status: Int32, output: String, maxResidentKiB: Int) {
        let log = folder.appendingPathComponent("tlab-\(UUID().uuidString).log").path
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([Self.path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        // The child's own peak, as tlab reports it: wait4's ru_maxrss would count this test process's resident set,
        // which a posix_spawn'd child has recorded as its own at exec.
        let environment = (ProcessInfo.processInfo.environment.merging(["TLAB_PEAK_MEMORY": "1"]) { $1 }).map { strdup("\($0)=\($1)") } + [nil]
        defer { environment.forEach { free($0) } }
        guard posix_spawn(&pid, Self.path, &actions, nil, argv, environment) == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        var output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: log)
        let exited = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let report = output.split(separator: "\n").last { $0.hasPrefix("tlab peak memory: ") }
        let peak = report.flatMap { Int($0.dropFirst("tlab peak memory: ".count).split(separator: " ").first ?? "") } ?? Int.max
        if let report { output = output.replacingOccurrences(of: report + "\n", with: "") }
        return (exited, output, peak)
    }
}

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

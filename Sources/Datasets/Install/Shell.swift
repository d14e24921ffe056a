import Foundation

/// Runs external tools the installer relies on (pip, apt-get, unzip, tar, dpkg-deb, python).
enum Shell {
    /// Runs `arguments[0]` found on PATH; throws with its stderr tail on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: errData.suffix(1500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DataError.commandFailed(command: arguments.joined(separator: " "), detail: detail.isEmpty ? "exit \(process.terminationStatus)" : detail)
        }
        return String(decoding: outData, as: UTF8.self)
    }
}

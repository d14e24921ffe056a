import ArgumentParser
import BuildInfo
import Datasets
import Experiments
import Foundation
import Numerics
import Reports
import Specs
import Tracking

/// The revision a run or notebook records: the one this binary was built from (`BuildInfo`), or,
/// for a build outside git, the spec's repository at the time.
enum Provenance {
    static func revision(specDirectory: String) -> String { revision(otherwise: GitRevision.current(in: specDirectory)) }

    /// The build's revision, or `fallback` for a build outside git.
    static func revision(otherwise fallback: @autoclosure () -> String) -> String {
        BuildInfo.revision != "unknown" ? BuildInfo.revision : fallback()
    }

    /// A note when the spec's repository is not at the revision this binary was built from: runs
    /// then record the build's revision, and the spec as it is now.
    static func mismatchNote(specDirectory: String) -> String? {
        let repository = GitRevision.current(in: specDirectory)
        guard BuildInfo.revision != "unknown", repository != "unknown", repository != BuildInfo.revision else { return nil }
        return "note: this tlab was built at \(BuildInfo.revision), the spec's repository is at \(repository); runs record the build's revision"
    }
}

enum GitRevision {
    /// HEAD's commit of the repository holding `directory` (the spec's), with "-dirty" when its work
    /// tree has uncommitted changes outside `notebooks-md/`; "unknown" outside git.
    static func current(in directory: String) -> String {
        func git(_ args: [String]) -> String? {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "-C", directory] + args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return nil }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
        guard let head = git(["rev-parse", "HEAD"]) else { return "unknown" }
        // Generated notebooks are outputs, not code: regenerating one must not mark the next as dirty.
        let changes = git(["status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)notebooks-md"])
        return (changes?.isEmpty ?? true) ? head : head + "-dirty"
    }
}

enum Versions {
    static var json: String {
        var values = ["tlab": "0.1.0", "numerics": "\(NumericsVersion.current)", "openblas": BLAS.config, "os": ProcessInfo.processInfo.operatingSystemVersionString, "swift": swiftVersion]
        // (kernels tlab chose where OpenBLAS fell back to generic ones: `BLASCoreChoice`)
        if let fallback = BLASCoreChoice.fallback { values["openblas_fallback"] = fallback }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
    static var swiftVersion: String {
        #if swift(>=6.3)
        return "6.3+"
        #else
        return "<6.3"
        #endif
    }
}

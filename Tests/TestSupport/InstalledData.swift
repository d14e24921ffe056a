import Foundation

/// The folder `setup.sh` installs data into: `$TLAB_DATA`, else the repository's `data/`. Tests that compare
/// against a reference on real data or a real checkpoint read it from there (CI installs it first).
public func installedDataRoot() -> URL {
    if let path = ProcessInfo.processInfo.environment["TLAB_DATA"], !path.isEmpty { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data")
}

import Foundation
import Numerics

/// A folder of per-epoch training state that a killed run resumes from. Each save is written to a
/// sibling folder and then swapped in, so a kill mid-write leaves the previous epoch's state whole.
/// Each state is marked with the numerics version of the build that saved it (`NumericsVersion`).
public enum ResumeState {
    static let marker = "numerics"

    /// Writes the state through `body` (which fills the folder it is given), then replaces `folder` with it.
    public static func save(to folder: URL, _ body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let next = folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent).next")
        try? fm.removeItem(at: next)
        try fm.createDirectory(at: next, withIntermediateDirectories: true)
        try body(next)
        try Data("\(NumericsVersion.current)".utf8).write(to: next.appendingPathComponent(marker))
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: next, to: folder)
    }

    /// The numerics version of the state in `folder`: 1 for a state saved before states were marked; nil without a state.
    public static func numerics(of folder: URL) -> Int? {
        guard FileManager.default.fileExists(atPath: folder.path) else { return nil }
        guard let text = try? String(contentsOf: folder.appendingPathComponent(marker), encoding: .utf8) else { return 1 }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1
    }

    /// Whether `folder` holds a state this build may resume from: one saved with its numerics. A run
    /// resumed from another version's state would mix two arithmetics; it starts over instead.
    public static func isResumable(_ folder: URL) -> Bool { numerics(of: folder) == NumericsVersion.current }
}

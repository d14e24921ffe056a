import Foundation

/// A folder of per-epoch training state that a killed run resumes from. Each save is written to a
/// sibling folder and then swapped in, so a kill mid-write leaves the previous epoch's state whole.
public enum ResumeState {
    /// Writes the state through `body` (which fills the folder it is given), then replaces `folder` with it.
    public static func save(to folder: URL, _ body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let next = folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent).next")
        try? fm.removeItem(at: next)
        try fm.createDirectory(at: next, withIntermediateDirectories: true)
        try body(next)
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: next, to: folder)
    }
}

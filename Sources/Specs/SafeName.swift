import Foundation

/// Names that become file names (experiment ids, profiles, dataset names): letters, digits, `.`, `_` and `-`, not
/// starting with a dot, so that no name writes outside its folder.
public enum SafeName {
    static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

    public static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100 && !name.hasPrefix(".") && name.allSatisfy(allowed.contains)
    }

    /// A user file's dataset name from its file name: `reviews/my data.csv` → `my_data`.
    public static func derived(fromFile path: String) -> String {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let cleaned = String(stem.map { allowed.contains($0) ? $0 : "_" }.drop { $0 == "." })
        return cleaned.isEmpty ? "file" : String(cleaned.prefix(100))
    }
}

/// Errors a user can cause with data: each names the file (and line) or dataset involved.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case unknownDataset(String, suggestion: String?)
    case notInstallable(String)
    case notInstalled(String)
    case malformed(file: String, line: Int?, reason: String)
    case checksumMismatch(file: String, expected: String, actual: String)
    case sizeMismatch(file: String, expected: Int, actual: Int)
    case fetchFailed(package: String, detail: String)
    case commandFailed(command: String, detail: String)

    public var description: String {
        switch self {
        case let .unknownDataset(id, suggestion):
            return "unknown dataset '\(id)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (`tlab data list --all` lists every id)"
        case let .notInstallable(id):
            return "dataset '\(id)' is not installable on these machines (no registry here serves it). Supply it as a file: a CSV/TSV/JSONL with text and label columns (`data: {file: path.csv, text: text, label: label}`), a plain-text corpus, or a CoNLL file"
        case let .notInstalled(id):
            return "dataset '\(id)' is not installed; run `tlab data install \(id)`"
        case let .malformed(file, line, reason):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case let .checksumMismatch(file, expected, actual):
            return "\(file): SHA-256 \(actual) does not match the manifest's \(expected); the file was removed from the cache"
        case let .sizeMismatch(file, expected, actual):
            return "\(file): \(actual) bytes, the manifest says \(expected); the file was removed from the cache"
        case let .fetchFailed(package, detail):
            return "could not fetch \(package): \(detail)"
        case let .commandFailed(command, detail):
            return "`\(command)` failed: \(detail)"
        }
    }
}

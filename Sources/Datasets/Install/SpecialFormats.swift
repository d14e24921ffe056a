import Foundation

/// The source formats read at set-up time through PyPI libraries (pyarrow for parquet, rdata for R
/// lazy-load databases, onnx for an exported encoder), in a venv of pinned versions inside the cache.
struct SpecialFormats {
    let cache: URL
    let log: (String) -> Void

    static let requirements = ["pyarrow==26.0.1", "rdata==1.1.0", "onnx==1.23.2"]

    private var venv: URL { cache.appendingPathComponent("venv") }
    private var python: String { venv.appendingPathComponent("bin/python").path }

    /// The venv with `requirements` installed; the marker lists them, so a venv made for fewer gets the rest.
    private func ensureVenv() throws {
        let marker = venv.appendingPathComponent(".complete")
        let wanted = Self.requirements.joined(separator: "\n")
        if let made = try? String(contentsOf: marker, encoding: .utf8), made == wanted { return }
        if !FileManager.default.fileExists(atPath: python) {
            log("  creating the conversion venv (\(Self.requirements.joined(separator: ", ")))")
            try? FileManager.default.removeItem(at: venv)
            try Shell.run(["python3", "-m", "venv", venv.path])
        } else {
            log("  adding to the conversion venv: \(Self.requirements.joined(separator: ", "))")
        }
        try Shell.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + Self.requirements)
        try Data(wanted.utf8).write(to: marker)
    }

    private func script() throws -> String {
        guard let url = Bundle.module.url(forResource: "convert_special", withExtension: "py") else {
            throw DataError.commandFailed(command: "convert_special.py", detail: "resource missing from the build")
        }
        return url.path
    }

    func parquetColumn(_ file: URL, column: String, to output: URL) throws {
        try ensureVenv()
        try Shell.run([python, try script(), "parquet-column", file.path, column, output.path])
    }

    /// The weights of an ONNX-exported BERT encoder as safetensors under Hugging Face's names.
    func onnxBert(_ file: URL, prefix: String, to output: URL) throws {
        try ensureVenv()
        try Shell.run([python, try script(), "onnx-bert", file.path, prefix, output.path])
    }

    /// Every character vector of `<stem>.rdx/.rdb`, by object name, one element per entry.
    func rLazyLoad(stem: URL, scratch: URL) throws -> [String: [String]] {
        try ensureVenv()
        try Shell.run([python, try script(), "r-lazyload", stem.path, scratch.path])
        defer { try? FileManager.default.removeItem(at: scratch) }
        var result: [String: [String]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: scratch.path) where file.hasSuffix(".txt") {
            result[String(file.dropLast(4))] = try NormalizedFormat.lines(scratch.appendingPathComponent(file))
        }
        return result
    }
}

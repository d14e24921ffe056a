import Foundation
import Numerics
#if canImport(Glibc)
import Glibc
#endif

/// A word-vector table: words and a row-major [count, dimension] float32 matrix.
///
/// Installed vectors are memory-mapped from the normalised `vectors.f32`, so opening the 400k×50
/// GloVe set costs a word-list read and no parse of the numbers.
public final class WordVectors: @unchecked Sendable {
    public let words: [String]
    public let dimension: Int
    public let index: [String: Int32]
    private let base: UnsafePointer<Float>
    private let release: () -> Void

    /// Vectors held in memory (from a text file, or built by training).
    public init(words: [String], values: [Float], dimension: Int) {
        precondition(values.count == words.count * dimension, "\(values.count) values for \(words.count)×\(dimension)")
        self.words = words
        self.dimension = dimension
        index = WordVectors.makeIndex(words)
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(values.count, 1))
        values.withUnsafeBufferPointer { storage.update(from: $0.baseAddress!, count: values.count) }
        base = UnsafePointer(storage)
        release = { storage.deallocate() }
    }

    /// Maps `vectors.f32` of an installed folder; `words.txt` gives the rows.
    public init(mappingFolder folder: URL) throws {
        let wordsURL = folder.appendingPathComponent(NormalizedFormat.words)
        words = try NormalizedFormat.lines(wordsURL)
        let path = folder.appendingPathComponent(NormalizedFormat.vectors).path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataError.malformed(file: path, line: nil, reason: "cannot open") }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let bytes = Int(info.st_size)
        guard !words.isEmpty, bytes % (4 * words.count) == 0 else {
            throw DataError.malformed(file: path, line: nil, reason: "\(bytes) bytes is not a whole number of rows for \(words.count) words")
        }
        dimension = bytes / 4 / words.count
        guard let mapped = mmap(nil, bytes, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw DataError.malformed(file: path, line: nil, reason: "cannot memory-map")
        }
        base = UnsafePointer(mapped.assumingMemoryBound(to: Float.self))
        release = { munmap(mapped, bytes) }
        index = WordVectors.makeIndex(words)
    }

    deinit { release() }

    public var count: Int { words.count }

    /// The vector of row `i` (valid while this object lives).
    public func row(_ i: Int) -> UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: base + i * dimension, count: dimension) }

    public func vector(_ word: String) -> [Float]? { index[word].map { Array(row(Int($0))) } }

    /// All rows as one tensor [count, dimension] (a copy).
    public func matrix(rows limit: Int? = nil) -> Tensor {
        let n = Swift.min(limit ?? count, count)
        let t = Tensor(zeros: [n, dimension])
        t.data.update(from: base, count: n * dimension)
        return t
    }

    /// Writes `words.txt` and `vectors.f32` (the normalised format) into `folder`.
    public func write(to folder: URL) throws {
        try NormalizedFormat.writeVectors(words: words, values: UnsafeBufferPointer(start: base, count: count * dimension), to: folder)
    }

    /// Mean and variance over every coordinate of every vector.
    public func moments() -> (mean: Double, variance: Double) {
        var sum = 0.0, squares = 0.0
        let total = count * dimension
        for i in 0..<total { let v = Double(base[i]); sum += v; squares += v * v }
        let mean = sum / Double(Swift.max(total, 1))
        return (mean, squares / Double(Swift.max(total, 1)) - mean * mean)
    }

    private static func makeIndex(_ words: [String]) -> [String: Int32] {
        var index = [String: Int32](minimumCapacity: words.count)
        for (i, w) in words.enumerated() where index[w] == nil { index[w] = Int32(i) }
        return index
    }
}

/// Readers for vector files users bring: GloVe text, word2vec text (with a `count dim` header) and
/// word2vec binary. Errors name the file and line.
public enum VectorFileReader {
    public enum Format: String, Codable, Sendable { case glove, word2vecText = "word2vec-text", word2vecBinary = "word2vec-binary" }

    public static func read(_ url: URL, format: Format) throws -> WordVectors {
        let data = try Data(contentsOf: url)
        switch format {
        case .word2vecBinary: return try readBinary(data, file: url.path)
        case .glove, .word2vecText: return try readText(data, file: url.path, header: format == .word2vecText)
        }
    }

    static func readText(_ data: Data, file: String, header: Bool) throws -> WordVectors {
        var lineOf: [String: Int] = [:]  // each word's line, for a word given twice
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.malformed(file: file, line: CSVReader.firstBadLine(data, encoding: .utf8), reason: "not valid UTF-8")
        }
        var words: [String] = [], values: [Float] = []
        var dimension: Int? = nil, declaredCount: Int? = nil
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.isEmpty { continue }
            if header && n == 0 {
                guard fields.count == 2, let c = Int(fields[0]), let d = Int(fields[1]), c >= 0, d > 0 else {
                    throw DataError.malformed(file: file, line: 1, reason: "expected a `count dimension` header, found '\(line.prefix(40))'")
                }
                declaredCount = c; dimension = d
                continue
            }
            let d = dimension ?? fields.count - 1
            dimension = d
            guard fields.count - 1 == d else {
                throw DataError.malformed(file: file, line: n + 1, reason: "\(fields.count - 1) values, expected \(d) (a short or long row)")
            }
            for (k, f) in fields.dropFirst().enumerated() {
                guard let v = Float(f), v.isFinite else {
                    throw DataError.malformed(file: file, line: n + 1, reason: "value \(k + 1) '\(f)' is not a finite number")
                }
                values.append(v)
            }
            let word = String(fields[0])
            if let first = lineOf[word] {
                throw DataError.malformed(file: file, line: n + 1, reason: "the word '\(word)' again (first on line \(first))")
            }
            lineOf[word] = n + 1
            words.append(word)
        }
        if let declaredCount, declaredCount != words.count {
            throw DataError.malformed(file: file, line: 1, reason: "header declares \(declaredCount) vectors, the file has \(words.count)")
        }
        guard let dimension, !words.isEmpty else { throw DataError.malformed(file: file, line: nil, reason: "no vectors") }
        return WordVectors(words: words, values: values, dimension: dimension)
    }

    static func readBinary(_ data: Data, file: String) throws -> WordVectors {
        guard let newline = data.firstIndex(of: 0x0A),
              let headerText = String(data: data[data.startIndex..<newline], encoding: .utf8) else {
            throw DataError.malformed(file: file, line: 1, reason: "missing `count dimension` header")
        }
        let parts = headerText.split(separator: " ")
        guard parts.count == 2, let count = Int(parts[0]), let dimension = Int(parts[1]), count >= 0, dimension > 0 else {
            throw DataError.malformed(file: file, line: 1, reason: "expected a `count dimension` header, found '\(headerText.prefix(40))'")
        }
        var words: [String] = [], values = [Float](repeating: 0, count: count * dimension), seen: Set<String> = []
        var offset = data.index(after: newline)
        for i in 0..<count {
            while offset < data.endIndex, data[offset] == 0x0A || data[offset] == 0x20 { offset += 1 }
            guard let space = data[offset...].firstIndex(of: 0x20) else {
                throw DataError.malformed(file: file, line: nil, reason: "vector \(i + 1): file ends inside a word")
            }
            guard let word = String(data: data[offset..<space], encoding: .utf8) else {
                throw DataError.malformed(file: file, line: nil, reason: "vector \(i + 1): word bytes are not valid UTF-8")
            }
            let start = data.index(after: space)
            guard data.distance(from: start, to: data.endIndex) >= 4 * dimension else {
                throw DataError.malformed(file: file, line: nil, reason: "vector \(i + 1) ('\(word)'): file ends after \(data.distance(from: start, to: data.endIndex)) bytes of \(4 * dimension)")
            }
            _ = values.withUnsafeMutableBytes { dst in
                data[start..<(start + 4 * dimension)].copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: dst[(4 * i * dimension)...]))
            }
            guard values[(i * dimension)..<((i + 1) * dimension)].allSatisfy(\.isFinite) else {
                throw DataError.malformed(file: file, line: nil, reason: "vector \(i + 1) ('\(word)') holds a value that is not finite")
            }
            guard seen.insert(word).inserted else { throw DataError.malformed(file: file, line: nil, reason: "vector \(i + 1): the word '\(word)' again") }
            words.append(word)
            offset = start + 4 * dimension
        }
        return WordVectors(words: words, values: values, dimension: dimension)
    }
}

import Foundation
import Numerics

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian tensors. The file is memory-mapped;
/// F32 tensors are read, others (e.g. BERT's I64 `position_ids` buffer) are listed but not converted.
public struct SafeTensors {
    public struct Entry: Equatable, Sendable {
        public let dtype: String
        public let shape: [Int]
        public let range: Range<Int>   // byte offsets into the data section
    }

    public let url: URL
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public init(_ url: URL) throws {
        func fail(_ reason: String) -> DataError { .malformed(file: url.path, line: nil, reason: reason) }
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        guard data.count >= 8 else { throw fail("shorter than a safetensors header") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard headerLength > 0, 8 + headerLength <= data.count else { throw fail("header length \(headerLength) exceeds the file") }
        guard let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataSize = data.count - 8 - headerLength
        for (name, value) in header {
            if name == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw fail("tensor '\(name)': expected dtype, shape and data_offsets within the file")
            }
            let width = Self.width(dtype)
            if let width, shape.reduce(1, *) * width != offsets[1] - offsets[0] {
                throw fail("tensor '\(name)': \(offsets[1] - offsets[0]) bytes for \(dtype) \(shape)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.url = url; self.data = data; self.dataStart = 8 + headerLength
        self.entries = entries; self.metadata = metadata
    }

    static func width(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": return 8
        case "F32", "I32", "U32": return 4
        case "F16", "BF16", "I16", "U16": return 2
        case "I8", "U8", "BOOL": return 1
        default: return nil
        }
    }

    public var names: [String] { entries.keys.sorted() }

    /// The F32 tensor `name` as a new tensor.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw DataError.malformed(file: url.path, line: nil, reason: "no tensor '\(name)'")
        }
        guard entry.dtype == "F32" else {
            throw DataError.malformed(file: url.path, line: nil, reason: "tensor '\(name)' is \(entry.dtype), not F32")
        }
        let tensor = Tensor(uninitialized: entry.shape)
        data.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(tensor.data).copyMemory(from: raw.baseAddress!.advanced(by: dataStart + entry.range.lowerBound),
                                                            byteCount: entry.range.count)
        }
        return tensor
    }
}

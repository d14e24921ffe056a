import Foundation

/// Reads a 2-D float32 `.npy` file (NumPy format versions 1–3) into row-major order.
public enum NumpyArray {
    public static func readFloat32Matrix(_ url: URL) throws -> (values: [Float], rows: Int, columns: Int) {
        let data = try Data(contentsOf: url)
        func fail(_ reason: String) -> DataError { .malformed(file: url.path, line: nil, reason: reason) }
        guard data.count > 10, data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else { throw fail("not a .npy file") }
        let major = data[6]
        let headerLength = major == 1 ? Int(data[8]) | Int(data[9]) << 8
            : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let headerStart = major == 1 ? 10 : 12
        guard let header = String(data: data[headerStart..<(headerStart + headerLength)], encoding: .ascii) else { throw fail("unreadable header") }
        guard header.contains("'descr': '<f4'") else { throw fail("dtype is not little-endian float32: \(header)") }
        let fortran = header.contains("'fortran_order': True")
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape in header")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw fail("shape \(dims) is not 2-D") }
        let (rows, columns) = (dims[0], dims[1])
        let start = headerStart + headerLength
        guard data.count - start == rows * columns * 4 else { throw fail("\(data.count - start) data bytes for \(rows)×\(columns) float32") }
        var values = [Float](repeating: 0, count: rows * columns)
        data.withUnsafeBytes { raw in
            let src = raw.baseAddress!.advanced(by: start)
            if fortran {
                // Column-major: element (i, j) is float j·rows + i.
                for j in 0..<columns {
                    for i in 0..<rows { values[i * columns + j] = src.loadUnaligned(fromByteOffset: 4 * (j * rows + i), as: Float.self) }
                }
            } else {
                values.withUnsafeMutableBytes { dst in dst.copyMemory(from: UnsafeRawBufferPointer(start: src, count: rows * columns * 4)) }
            }
        }
        return (values, rows, columns)
    }
}

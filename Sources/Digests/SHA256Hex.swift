import Crypto
import Foundation

/// SHA-256 as the lowercase hex text TransferLab names and checks things by: run hashes (`RunIdentity`),
/// spec digests (`ConfigNode.digest`), artifact and resume bundles, downloaded data packages.
public enum SHA256Hex {
    /// Of `data`.
    public static func of(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Of the file at `url`, read in pieces of 4 MiB (a checkpoint or a data package need not fit in memory twice).
    public static func of(fileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try handle.read(upToCount: 1 << 22), !piece.isEmpty { hasher.update(data: piece) }
        return hex(hasher.finalize())
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ digest: SHA256.Digest) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(2 * SHA256.Digest.byteCount)
        for byte in digest { text.append(digits[Int(byte >> 4)]); text.append(digits[Int(byte & 0x0f)]) }
        return String(decoding: text, as: UTF8.self)
    }
}

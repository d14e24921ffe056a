import Datasets
import Digests
import Foundation
import TestSupport
import XCTest

/// The cache trusts only verified files: a size or checksum mismatch is an error naming the file,
/// and the bad file is removed so nothing corrupted stays behind.
final class PackageCacheTests: XCTestCase {
    func testMismatchingFilesAreRejectedAndRemoved() throws {
        let root = try temporaryFolder("tlab-cache")
        let content = Data("hello package".utf8)
        let digest = SHA256Hex.of(content)
        XCTAssertEqual(SHA256Hex.of(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let cache = PackageCache(root: root, log: { _ in })
        let file = root.appendingPathComponent("p.whl")

        try content.write(to: file)
        try cache.verify(file, against: SourcePackage(.pypi, "p", "1", file: "p.whl", size: content.count, sha256: digest))
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))

        XCTAssertThrowsError(try cache.verify(file, against: SourcePackage(.pypi, "p", "1", file: "p.whl", size: content.count, sha256: String(repeating: "0", count: 64)))) {
            XCTAssertTrue("\($0)".contains("p.whl: SHA-256 \(digest) does not match"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path), "a mismatching file is removed")

        try content.write(to: file)
        XCTAssertThrowsError(try cache.verify(file, against: SourcePackage(.pypi, "p", "1", file: "p.whl", size: 3, sha256: digest))) {
            XCTAssertTrue("\($0)".contains("\(content.count) bytes, the manifest says 3"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
    }
}

import Digests
import Foundation
import TestSupport
import XCTest

final class SHA256HexTests: XCTestCase {
    /// FIPS 180-2's examples (appendix B) and the empty message, as `sha256sum` prints them.
    func testKnownDigests() {
        XCTAssertEqual(SHA256Hex.of(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Hex.of(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256Hex.of(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// A file read in pieces (this one spans three) digests as its bytes do at once.
    func testAFileDigestsAsItsBytes() throws {
        let piece = Data((0..<65_537).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
        var bytes = Data()
        for _ in 0..<144 { bytes.append(piece) }  // 9 MiB and 144 bytes
        XCTAssertGreaterThan(bytes.count, 2 << 22)
        let file = try temporaryFolder("tlab-digest").appendingPathComponent("blob")
        try bytes.write(to: file)
        XCTAssertEqual(try SHA256Hex.of(fileAt: file), SHA256Hex.of(bytes))
        XCTAssertThrowsError(try SHA256Hex.of(fileAt: file.appendingPathExtension("missing")))
    }
}

import Foundation
import XCTest

extension XCTestCase {
    /// A new folder under the system's temporary directory named `<prefix>-<UUID>`, removed with
    /// everything in it when the current test ends (a teardown block, so call it from the test or `setUp`).
    /// `create: false` only names it, for code under test that must make the folder itself.
    public func temporaryFolder(_ prefix: String, create: Bool = true) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        if create { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }
}

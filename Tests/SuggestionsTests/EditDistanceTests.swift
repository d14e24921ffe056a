import Suggestions
import XCTest

final class EditDistanceTests: XCTestCase {
    func testLevenshteinDistancesOfKnownPairs() {
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)  // two substitutions and an insertion
        XCTAssertEqual(editDistance("flaw", "lawn"), 2)
        XCTAssertEqual(editDistance("", "abc"), 3)
        XCTAssertEqual(editDistance("abc", ""), 3)
        XCTAssertEqual(editDistance("bach_size", "batch_size"), 1)
        XCTAssertEqual(editDistance("same", "same"), 0)
        XCTAssertEqual(editDistance("ab", "ba"), 2, "a transposition is two edits")
    }

    func testTheClosestCandidateWithinTheLimitOrNone() {
        XCTAssertEqual(closest(to: "epochz", among: ["batch_size", "epochs", "patience"], maxDistance: 2), "epochs")
        XCTAssertNil(closest(to: "zzz", among: ["epochs"], maxDistance: 2))
        XCTAssertEqual(closest(to: "ab", among: ["ax", "ay"], maxDistance: 1), "ax", "the first of equals")
        XCTAssertNil(closest(to: "ab", among: [], maxDistance: 5))
        XCTAssertNil(closest(to: "Epochs", among: ["epochz", "EPOCHS"], maxDistance: 0), "case counts unless ignored")
        XCTAssertEqual(closest(to: "Epochs", among: ["epochz", "EPOCHS"], maxDistance: 0, ignoringCase: true), "EPOCHS",
                       "measured lowercased, returned as given")
    }
}

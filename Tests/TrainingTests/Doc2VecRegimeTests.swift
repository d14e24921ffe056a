import Foundation
import Models
import Training
import XCTest

/// The regimes build the vocabularies and corpora they claim.
final class Doc2VecRegimeTests: XCTestCase {
    // A generic corpus of "g*" words and a domain corpus that adds "d*" words.
    let generic: [[String]] = (0..<30).map { i in (0..<20).map { "g\(($0 * 7 + i) % 25)" } }
    let domain: [[String]] = (0..<10).map { i in (0..<20).map { $0 % 2 == 0 ? "d\(($0 + i) % 8)" : "g\($0 % 25)" } }

    var config: Doc2VecConfig {
        var c = Doc2VecConfig()
        c.dimension = 8; c.window = 2; c.epochs = 2; c.minCount = 1; c.sample = 0; c.mode = .dmMean
        return c
    }

    func testVocabularyPolicies() throws {
        let frozen = try Doc2VecRegimes.train(.sequential(vocabulary: .frozen, second: .restart(alpha: 0.025, epochs: 2)),
                                              generic: generic, domain: domain, config: config)
        XCTAssertNil(frozen.model.id("d0"), "a frozen generic vocabulary drops domain-only words")
        XCTAssertEqual(frozen.model.words.count, 25)
        var epochs: [Doc2VecEpoch] = []
        let both = try Doc2VecRegimes.train(.sequential(vocabulary: .both, second: .restart(alpha: 0.025, epochs: 3)),
                                            generic: generic, domain: domain, config: config) { epochs.append($0) }
        XCTAssertEqual(epochs.map { [$0.session, $0.epoch] }, [[0, 1], [0, 2], [1, 1], [1, 2], [1, 3]], "every epoch of both sessions is reported")
        XCTAssertNotNil(both.model.id("d0"))
        XCTAssertEqual(both.model.words.count, 33)
        XCTAssertEqual(both.sessions.count, 2, "a generic session, then a domain session")
        XCTAssertEqual(both.genericTags, 0..<30)
        XCTAssertEqual(both.domainTags, 30..<40)
        let combined = try Doc2VecRegimes.train(.combined, generic: generic, domain: domain, config: config)
        XCTAssertEqual(combined.model.words.count, 33)
        XCTAssertEqual(combined.sessions.count, 1)
        XCTAssertEqual(combined.sessions[0].rawWords, (30 + 10) * 20 * 2)
    }

    func testOversamplingRepeatsDocumentsButCountsTheUnrepeatedCorpus() throws {
        let once = try Doc2VecRegimes.train(.combined, generic: generic, domain: domain, config: config)
        let four = try Doc2VecRegimes.train(.oversampled(factor: 4), generic: generic, domain: domain, config: config)
        XCTAssertEqual(four.model.words, once.model.words)
        XCTAssertEqual(four.model.counts, once.model.counts, "vocabulary counts come from the un-repeated corpus")
        XCTAssertEqual(four.sessions[0].rawWords, (30 + 4 * 10) * 20 * 2, "each domain document is trained four times per epoch")
        XCTAssertEqual(four.domainTags.count, 10, "repeats share their document's vector")
        XCTAssertThrowsError(try Doc2VecRegimes.train(.oversampled(factor: 0), generic: generic, domain: domain, config: config))
    }

    /// Corpora a regime cannot train on are errors that say why, not empty models.
    func testUnusableCorporaAreErrors() {
        XCTAssertThrowsError(try Doc2VecRegimes.train(.combined, generic: generic, domain: [], config: config)) {
            XCTAssertTrue("\($0)".contains("the domain corpus has no documents"), "\($0)")
        }
        var strict = config
        strict.minCount = 1000
        XCTAssertThrowsError(try Doc2VecRegimes.train(.sequential(vocabulary: .frozen, second: .restart(alpha: 0.025, epochs: 1)),
                                                      generic: generic, domain: domain, config: strict)) {
            XCTAssertTrue("\($0)".contains("no word occurs 1000+ times in the generic corpus"), "\($0)")
        }
        XCTAssertThrowsError(try Doc2VecRegimes.train(.oversampled(factor: 2), generic: generic, domain: domain, config: strict)) {
            XCTAssertTrue("\($0)".contains("no word occurs 1000+ times in the generic and domain corpora"), "\($0)")
        }
    }

    /// Continuing at the rate the generic session ended (min_alpha) barely moves the domain vectors;
    /// restarting at alpha moves them much further.
    func testContinuingTheRateBarelyTrainsTheDomain() throws {
        func movement(_ second: Doc2VecRegime.SecondSession) throws -> Float {
            let (model, _) = try Doc2VecRegimes.genericSession(generic: generic, config: config)
            let before = model.documentCount
            let (tags, _) = Doc2VecRegimes.domainSession(model, domain: domain, second: second)
            XCTAssertEqual(tags, before..<(before + 10))
            let (untrained, _) = try Doc2VecRegimes.genericSession(generic: generic, config: config)  // the same model, bit for bit
            untrained.addDocuments(10)  // the domain vectors as initialised, before any training
            return tags.map { tag in zip(model.documentVector(tag), untrained.documentVector(tag)).map { abs($0 - $1) }.reduce(0, +) }.reduce(0, +)
        }
        let continued = try movement(.continue(epochs: 2)), restarted = try movement(.restart(alpha: 0.025, epochs: 2))
        XCTAssertGreaterThan(restarted, 20 * continued, "restart \(restarted) vs continue \(continued)")
    }

    func testBadCorporaFailClearly() {
        XCTAssertThrowsError(try Doc2VecRegimes.train(.combined, generic: generic, domain: [], config: config)) { error in
            XCTAssertTrue("\(error)".contains("the domain corpus has no documents"), "\(error)")
        }
        var strict = config
        strict.minCount = 1000
        XCTAssertThrowsError(try Doc2VecRegimes.genericSession(generic: generic, config: strict)) { error in
            XCTAssertTrue("\(error)".contains("no word occurs 1000+ times"), "\(error)")
        }
    }

    /// Retention is 1 for a model against itself, and lower after domain training moved the words.
    func testRetentionAgainstTheGenericOnlyModel() throws {
        let (reference, _) = try Doc2VecRegimes.genericSession(generic: generic, config: config)
        let same = try Doc2VecRegimes.retention(of: reference, reference: reference, domainWords: [])
        XCTAssertEqual(same.cosine, 1, accuracy: 1e-4)
        XCTAssertEqual(same.words, 25)
        let (continued, _) = try Doc2VecRegimes.genericSession(generic: generic, config: config)
        _ = Doc2VecRegimes.domainSession(continued, domain: domain, second: .restart(alpha: 0.05, epochs: 5))
        let domainWords = Set(domain.joined())
        let moved = try Doc2VecRegimes.retention(of: continued, reference: reference, domainWords: domainWords)
        XCTAssertEqual(moved.words, 25 - domainWords.filter { $0.hasPrefix("g") }.count, "only words absent from the domain count")
        XCTAssertLessThan(moved.cosine, 0.9999)
    }
}

import Numerics
import XCTest
@testable import Training

final class BatchingTests: XCTestCase {
    private let lengths: [Int] = {
        var rng = RandomGenerator(seed: 7)
        return (0..<2_000).map { _ in 3 + rng.int(below: 60) }
    }()

    private func padded(_ batches: [[Int]]) -> Int { batches.reduce(0) { $0 + $1.count * ($1.map { lengths[$0] }.max() ?? 0) } }

    func testRandomBatchingIsTheShuffledOrderCutInTurn() {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let batches = Batching.random.batches(lengths: lengths, batchSize: 32, rng: &a)
        var order = Array(lengths.indices)
        b.shuffle(&order)
        XCTAssertEqual(batches.flatMap { $0 }, order)
        XCTAssertEqual(batches.map(\.count), Array(repeating: 32, count: 62) + [16])
        XCTAssertEqual(a.next(), b.next(), "both consume the random stream alike")
    }

    func testLengthGroupedBatchesCoverEveryExampleOnceAndPadLittle() {
        var rng = RandomGenerator(seed: 3), other = RandomGenerator(seed: 3)
        let grouped = Batching.lengthGrouped.batches(lengths: lengths, batchSize: 32, rng: &rng)
        XCTAssertEqual(grouped.flatMap { $0 }.sorted(), Array(lengths.indices))
        XCTAssertTrue(grouped.allSatisfy { $0.count <= 32 })
        let random = Batching.random.batches(lengths: lengths, batchSize: 32, rng: &other)
        let real = lengths.reduce(0, +)
        // Uniform lengths 3–62: a random batch of 32 pads to ~61, so about 1.9× the real tokens. 2,000 examples make
        // megabatches of 15 batches (at least 4 megabatches): 480 examples, 8 of each length, so a batch spans about 4 to 8
        // lengths — but the last megabatch, of 80, spreads its lengths over 3 batches.
        XCTAssertGreaterThan(Double(padded(random)) / Double(real), 1.7)
        XCTAssertLessThan(Double(padded(grouped)) / Double(real), 1.1)
        let spreads = grouped.map { b in b.map { lengths[$0] }.max()! - b.map { lengths[$0] }.min()! }
        XCTAssertGreaterThanOrEqual(spreads.filter { $0 <= 8 }.count, 60, "\(spreads)")
    }

    func testLengthGroupedOrderIsSeededAndRandomAcrossEpochs() {
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        let first = Batching.lengthGrouped.batches(lengths: lengths, batchSize: 32, rng: &a)
        XCTAssertEqual(first, Batching.lengthGrouped.batches(lengths: lengths, batchSize: 32, rng: &b))
        let second = Batching.lengthGrouped.batches(lengths: lengths, batchSize: 32, rng: &a)
        XCTAssertNotEqual(first, second)
        // The batches are shuffled: the first is not always the longest.
        XCTAssertNotEqual(first.map { $0.map { lengths[$0] }.max()! }, first.map { $0.map { lengths[$0] }.max()! }.sorted(by: >))
    }

    func testASmallSetIsOneBatchPerMegabatchSoItsBatchesStayMixed() {
        // 100 examples in batches of 32: fewer than 4 megabatches of even one batch would not fit, so each megabatch is
        // one batch and sorting inside it changes no batch's members: the batches are the random ones.
        let small = Array(lengths.prefix(100))
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let grouped = Batching.lengthGrouped.batches(lengths: small, batchSize: 32, rng: &a)
        let random = Batching.random.batches(lengths: small, batchSize: 32, rng: &b)
        XCTAssertEqual(Set(grouped.map { Set($0) }), Set(random.map { Set($0) }))
    }
}

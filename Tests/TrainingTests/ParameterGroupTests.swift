import Autodiff
import Numerics
import TestSupport
import Training
import XCTest

final class ParameterGroupTests: XCTestCase {
    func parameters() -> [Parameter] {
        ["embedding.weight", "encoder.0.weightIH", "encoder.0.weightHH", "encoder.1.weightIH", "head.weight", "head.bias"]
            .map { Parameter($0, Tensor(shape: [2, 2], repeating: 1)) }
    }

    func testPatternsFallbackAndAssignmentLog() throws {
        let ps = parameters()
        let optimizer = try GroupedOptimizer(parameters: ps, groups: [
            GroupConfig(name: "embedding", patterns: ["embedding.*"], learningRate: 1e-4),
            GroupConfig(name: "lstm", patterns: ["encoder.?.weight*"], learningRate: 1e-3),
            GroupConfig(name: "rest", patterns: ["*"], learningRate: 1e-2),
        ])
        XCTAssertEqual(optimizer.group(named: "lstm")!.parameters.map(\.name),
                       ["encoder.0.weightIH", "encoder.0.weightHH", "encoder.1.weightIH"])
        XCTAssertEqual(optimizer.group(named: "rest")!.parameters.map(\.name), ["head.weight", "head.bias"])
        XCTAssertEqual(optimizer.assignmentLog.first, "embedding.weight → embedding")
    }

    func testAssignmentErrorsNameTheParameterOrGroup() {
        let ps = parameters()
        XCTAssertThrowsError(try GroupAssignment.assign(ps, to: [
            GroupConfig(name: "a", patterns: ["encoder.*"], learningRate: 1), GroupConfig(name: "b", patterns: ["*.0.*"], learningRate: 1),
            GroupConfig(name: "rest", patterns: ["*"], learningRate: 1)])) {
            XCTAssertTrue("\($0)".contains("'encoder.0.weightIH' matches groups 'a' and 'b'"), "\($0)")
        }
        XCTAssertThrowsError(try GroupAssignment.assign(ps, to: [GroupConfig(name: "a", patterns: ["encoder.*"], learningRate: 1)])) {
            XCTAssertTrue("\($0)".contains("'embedding.weight' matches no group"), "\($0)")
        }
        XCTAssertThrowsError(try GroupAssignment.assign(ps, to: [
            GroupConfig(name: "decoder", patterns: ["decoder.*"], learningRate: 1), GroupConfig(name: "rest", patterns: ["*"], learningRate: 1)])) {
            XCTAssertTrue("\($0)".contains("group 'decoder' with patterns [\"decoder.*\"] matches no parameter"), "\($0)")
        }
    }

    func testGlob() {
        XCTAssertTrue(GroupAssignment.glob("encoder.*", matches: "encoder.1.lstm.weightHH"))
        XCTAssertTrue(GroupAssignment.glob("*.bias", matches: "head.bias"))
        XCTAssertFalse(GroupAssignment.glob("*.bias", matches: "head.biasX"))
        XCTAssertTrue(GroupAssignment.glob("encoder.?.w*", matches: "encoder.3.weight"))
        XCTAssertFalse(GroupAssignment.glob("encoder.?.w*", matches: "encoder.10.weight"))
    }

    /// Distinct per-group rates prove the routing: with SGD each parameter moves by exactly its group's lr·g.
    func testPerGroupLearningRatesRouteUpdates() throws {
        let ps = parameters()
        let groups = GroupConfig.discriminative([("embedding", ["embedding.*"]), ("encoder", ["encoder.*"]), ("head", ["head.*"])],
                                                topRate: 0.26, factor: 2.6, optimizer: .sgd())
        XCTAssertEqual(groups.map(\.learningRate), [0.26 / 2.6 / 2.6, 0.26 / 2.6, 0.26].map { Float($0) })
        let optimizer = try GroupedOptimizer(parameters: ps, groups: groups)
        ps.forEach { $0.grad.fill(1) }
        optimizer.update()
        XCTAssertEqual(ps[0].value[0], 1 - 0.26 / 2.6 / 2.6, accuracy: 1e-7)
        XCTAssertEqual(ps[1].value[0], 1 - 0.26 / 2.6, accuracy: 1e-7)
        XCTAssertEqual(ps[5].value[0], 1 - 0.26, accuracy: 1e-7)
    }

    /// A frozen group is bit-identical after steps, gets no gradient from the tape, and has no state;
    /// unfreezing is an event that can reset moments.
    func testFreezeAndUnfreeze() throws {
        let table = Parameter("embedding.weight", Tensor(shape: [3, 2], values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]))
        let head = Parameter("head.weight", Tensor(shape: [2, 2], values: [0.5, -0.5, 0.25, 1]))
        let optimizer = try GroupedOptimizer(parameters: [table, head], groups: [
            GroupConfig(name: "embedding", patterns: ["embedding.*"], learningRate: 0.1, frozen: true),
            GroupConfig(name: "head", patterns: ["head.*"], learningRate: 0.1)])
        let before = table.value.copy()
        func trainStep() {
            optimizer.zeroGrad()
            let tape = Tape(training: true)
            let x = tape.embedding([0, 2], shape: [2], table: tape.parameter(table))
            tape.backward(tape.crossEntropy(tape.linear(x, weight: tape.parameter(head)), targets: [0, 1]))
            optimizer.update()
        }
        for _ in 0..<3 { trainStep() }
        XCTAssertTrue(table.value.isIdentical(to: before), "frozen parameter moved")
        XCTAssertTrue(table.grad.array.allSatisfy { $0 == 0 }, "frozen parameter received a gradient")
        XCTAssertEqual(optimizer.group(named: "embedding")!.stateCount, 0, "frozen group has optimizer state")
        XCTAssertEqual(optimizer.group(named: "head")!.stateCount, 1)

        try optimizer.unfreeze("embedding", learningRate: 0.01)
        trainStep()
        XCTAssertFalse(table.value.isIdentical(to: before))
        XCTAssertEqual(optimizer.group(named: "embedding")!.state(of: table)!.step, 1)
        try optimizer.freeze("embedding")
        try optimizer.unfreeze("embedding", resetMoments: true)
        XCTAssertNil(optimizer.group(named: "embedding")!.state(of: table))
        XCTAssertEqual(optimizer.events.map(\.kind), [.unfroze, .froze, .unfroze])
        XCTAssertEqual(optimizer.events.first?.step, 3)
        XCTAssertThrowsError(try optimizer.freeze("decoder"))
    }

    func testGlobalNormClippingAndRowMaxNorm() throws {
        let a = Tensor(shape: [2], values: [3, 0]), b = Tensor(shape: [1], values: [4])
        XCTAssertEqual(Constraints.clipGlobalNorm([a, b], maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b[0], 0.8, accuracy: 1e-5)
        let small = Tensor(shape: [1], values: [0.5])
        Constraints.clipGlobalNorm([small], maxNorm: 1)
        XCTAssertEqual(small[0], 0.5, "below the limit nothing changes")

        // Per group: each group's gradients are clipped to its own limit before its step.
        let ps = [Parameter("low.w", Tensor(shape: [2], values: [0, 0])), Parameter("top.w", Tensor(shape: [1], values: [0]))]
        let optimizer = try GroupedOptimizer(parameters: ps, groups: [
            GroupConfig(name: "low", patterns: ["low.*"], optimizer: .sgd(momentum: 0), learningRate: 1, clipNorm: 1),
            GroupConfig(name: "top", patterns: ["top.*"], optimizer: .sgd(momentum: 0), learningRate: 1, clipNorm: 10)])
        ps[0].grad.assign(Tensor(shape: [2], values: [3, 4]))
        ps[1].grad.assign(Tensor(shape: [1], values: [4]))
        optimizer.update()
        assertClose(ps[0].value.array, [-0.6, -0.8])
        assertClose(ps[1].value.array, [-4])

        let w = Tensor(shape: [2, 2], values: [3, 4, 0.3, 0.4])
        Constraints.clipRowNorms(w, maxNorm: 3)
        assertClose(w.array, [1.8, 2.4, 0.3, 0.4])
    }
}

@testable import Experiments
import Specs
import XCTest

/// The probe kinds' `model` sections: the L2 grid by default and from the spec; a bad strength is an error at its line.
final class ProbeConfigTests: XCTestCase {
    func testL2GridDefaultsAndBadStrengthsAreErrorsAtTheirLine() throws {
        let encoder = try model(EncoderProbeRun.Model.self, "model:\n  kind: encoder-probe\n  pooling: mean\n", file: "e.yaml")
        XCTAssertEqual(encoder.l2, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1])
        XCTAssertEqual(encoder.pooling, .mean)
        let lm = try model(LMProbeRun.Model.self, "model:\n  kind: lm-probe\n  from: lm\n  l2: [0.5, 2]\n", file: "l.yaml")
        XCTAssertEqual(lm.l2, [0.5, 2])
        for (bad, file) in [("[0.1, -1]", "n.yaml"), ("[]", "z.yaml")] {
            XCTAssertThrowsError(try model(LMProbeRun.Model.self, "model:\n  kind: lm-probe\n  from: lm\n  l2: \(bad)\n", file: file)) {
                XCTAssertTrue("\($0)".contains("\(file):4") && "\($0)".contains("model.l2") && "\($0)".contains("positive strengths"), "\($0)")
            }
        }
    }

    /// The `model:` section of `yaml`, decoded as `type`.
    func model<T: Decodable>(_ type: T.Type, _ yaml: String, file: String) throws -> T {
        try ConfigDecoder().decode(T.self, from: ConfigNode.parse(yaml: yaml, file: file)["model"]!, path: ["model"])
    }
}

import Foundation
import Numerics
import XCTest

/// The kernels the `tlab` binary runs with: OpenBLAS's own pick, or where OpenBLAS falls back to its generic
/// `Prescott` kernels on a CPU it does not know, those the CPU's features support (`BLASCoreChoice`); a user's
/// `OPENBLAS_CORETYPE` always stands.
final class BLASCoreTests: XCTestCase {
    /// `tlab info`'s BLAS line with `OPENBLAS_CORETYPE` as given (nil: unset), and the core it names.
    func info(coreType: String?) throws -> (line: String, core: String) {
        try XCTSkipUnless(TlabProcess.isBuilt, "tlab binary not built")
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = coreType
        environment[BLASCoreChoice.marker] = nil
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: TlabProcess.path)
        p.arguments = ["info"]
        p.environment = environment
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("OpenBLAS core ") }.map(String.init), text)
        return (line, String(line.dropFirst("OpenBLAS core ".count).prefix { $0 != " " }))
    }

    func testTlabNeverRunsTheGenericFallbackOnACPUWithBetterKernels() throws {
        let unset = try info(coreType: nil)
        let flags = BLASCoreChoice.cpuFlags()
        if flags.contains("avx") {
            XCTAssertNotEqual(unset.core, "Prescott", unset.line)
        }
        if unset.line.contains("OpenBLAS fell back to Prescott") {  // this CPU is one OpenBLAS does not know
            XCTAssertEqual(unset.core, BLASCoreChoice.replacement(for: "Prescott", flags: flags), unset.line)
        } else {
            XCTAssertTrue(unset.line.contains("(OPENBLAS_CORETYPE unset)"), unset.line)
        }
        // A user's setting stands, the generic kernels included.
        let chosen = try info(coreType: "Prescott")
        XCTAssertEqual(chosen.core, "Prescott", chosen.line)
        XCTAssertTrue(chosen.line.contains("(OPENBLAS_CORETYPE=Prescott)"), chosen.line)
    }
}

import Foundation
import Training
import XCTest

final class ScheduleTests: XCTestCase {
    /// Howard & Ruder 2018, eq. 3, computed by hand for T = 100, cut_frac 0.1, ratio 32: cut = 10.
    func testSlantedTriangularMatchesFormula() {
        let s = Schedule.slantedTriangular(totalSteps: 100, cutFraction: 0.1, ratio: 32)
        XCTAssertEqual(s.multiplier(at: 0), 1 / 32, accuracy: 1e-7)
        XCTAssertEqual(s.multiplier(at: 5), (1 + 0.5 * 31) / 32, accuracy: 1e-6)
        XCTAssertEqual(s.multiplier(at: 10), 1, accuracy: 1e-7)
        // p = 1 − (55 − 10)/(10·9) = 0.5
        XCTAssertEqual(s.multiplier(at: 55), (1 + 0.5 * 31) / 32, accuracy: 1e-6)
        XCTAssertEqual(s.multiplier(at: 100), 1 / 32, accuracy: 1e-7)
        let peak = (0...100).max { s.multiplier(at: $0) < s.multiplier(at: $1) }
        XCTAssertEqual(peak, 10)
    }

    func testWarmupDecayExponentialStep() {
        let w = Schedule.linearWarmupDecay(warmupSteps: 10, totalSteps: 110, finalFraction: 0)
        XCTAssertEqual(w.multiplier(at: 0), 0)
        XCTAssertEqual(w.multiplier(at: 5), 0.5, accuracy: 1e-7)
        XCTAssertEqual(w.multiplier(at: 60), 0.5, accuracy: 1e-7)
        XCTAssertEqual(w.multiplier(at: 200), 0)
        XCTAssertEqual(Schedule.exponential(gamma: 0.5).multiplier(at: 3), 0.125)
        XCTAssertEqual(Schedule.step(stepSize: 10, gamma: 0.1).multiplier(at: 19), 0.1, accuracy: 1e-7)
        XCTAssertEqual(Schedule.step(stepSize: 10, gamma: 0.1).multiplier(at: 20), 0.01, accuracy: 1e-8)
        XCTAssertEqual(Schedule.constant.multiplier(at: 12345), 1)
    }

    /// PyTorch OneCycleLR (cos): starts at max/div, peaks at pct_start·total − 1, ends at max/(div·final_div).
    func testOneCycleEndpointsAndPeak() {
        let s = Schedule.oneCycle(totalSteps: 100, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4)
        XCTAssertEqual(s.multiplier(at: 0), 1 / 25, accuracy: 1e-7)
        XCTAssertEqual(s.multiplier(at: 29), 1, accuracy: 1e-6)
        XCTAssertEqual(s.multiplier(at: 99), 1 / 25 / 1e4, accuracy: 1e-8)
        XCTAssertLessThan(s.multiplier(at: 60), s.multiplier(at: 40))
    }

    func testSchedulesRoundTripThroughJSON() throws {
        let schedules: [Schedule] = [.constant, .slantedTriangular(totalSteps: 9), .oneCycle(totalSteps: 5), .step(stepSize: 2, gamma: 0.5)]
        let data = try JSONEncoder().encode(schedules)
        XCTAssertEqual(try JSONDecoder().decode([Schedule].self, from: data), schedules)
    }
}

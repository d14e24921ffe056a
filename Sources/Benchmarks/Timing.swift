import Foundation

/// Median / min / max of repeated measurements, as the peer scripts in ../shared/peers report them.
public struct Measurement: CustomStringConvertible, Sendable {
    public let values: [Double]
    public init(_ values: [Double]) { self.values = values.sorted() }
    public var median: Double { values[values.count / 2] }
    public var min: Double { values.first! }
    public var max: Double { values.last! }
    public var description: String { String(format: "median=%.1f min=%.1f max=%.1f", median, min, max) }
}

enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` `warmup` times, then `runs` timed runs of `steps` calls; returns seconds per run.
    static func timedRuns(warmup: Int, runs: Int, steps: Int, _ body: () -> Void) -> [Double] {
        for _ in 0..<warmup { body() }
        return (0..<runs).map { _ in
            let start = now()
            for _ in 0..<steps { body() }
            return now() - start
        }
    }
}

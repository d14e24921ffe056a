import Foundation

/// Summary statistics and tests for small samples of run results (seeds, folds).
public enum Statistics {
    public struct Summary: Equatable, Sendable {
        public let n: Int
        public let mean: Double
        /// Sample standard deviation (n − 1); 0 for n = 1.
        public let std: Double
        /// Half-width of the 95% confidence interval of the mean (Student t, n − 1 degrees of freedom); nil for n < 2.
        public let ci95: Double?
    }

    public static func summary(_ xs: [Double]) -> Summary {
        let n = xs.count
        guard n > 0 else { return Summary(n: 0, mean: .nan, std: .nan, ci95: nil) }
        let mean = xs.reduce(0, +) / Double(n)
        let std = n > 1 ? (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot() : 0
        let ci = n > 1 ? studentTQuantile(0.975, degrees: Double(n - 1)) * std / Double(n).squareRoot() : nil
        return Summary(n: n, mean: mean, std: std, ci95: ci)
    }

    public struct PairedTest: Equatable, Sendable {
        /// Pairs, or folds for a test over k-fold CV's folds.
        public let n: Int
        public let meanDifference: Double
        public let t: Double
        /// Two-sided p-value.
        public let p: Double
        /// Whether `n` counts folds (each the seed mean of its pairs) rather than pairs.
        public var folds = false
        /// The standard error of the mean difference the test divides by.
        public var standardError: Double = .nan

        /// Two one-sided tests (Schuirmann 1987) that the true difference lies within ±`margin`: the larger of
        /// their p-values, below 5% when the 90% interval of the difference lies inside the margin.
        public func equivalenceP(margin: Double) -> Double {
            guard standardError > 0 else { return abs(meanDifference) < margin ? 0 : 1 }
            let v = Double(n - 1)
            let lower = 1 - Statistics.studentTCDF((meanDifference + margin) / standardError, degrees: v)
            let upper = Statistics.studentTCDF((meanDifference - margin) / standardError, degrees: v)
            return max(lower, upper)
        }

        /// One-sided p of the difference lying outside ±`margin` (on the side of its mean): below 5% when the
        /// 90% interval of the difference lies wholly outside the margin.
        public func nonEquivalenceP(margin: Double) -> Double {
            guard standardError > 0 else { return abs(meanDifference) >= margin ? 0 : 1 }
            let v = Double(n - 1)
            return 1 - Statistics.studentTCDF((abs(meanDifference) - margin) / standardError, degrees: v)
        }

        /// The same test, its `n` being folds.
        func overFolds() -> PairedTest { var test = self; test.folds = true; return test }

        /// "n = 4", or "n = 10 folds".
        public var sampleSize: String { "n = \(n)\(folds ? " folds" : "")" }
    }

    /// Paired t-test of x − y over matched pairs (same seed and fold); nil for fewer than 2 pairs.
    /// With zero variance of the differences, p is 1 when they are all 0 and 0 otherwise.
    public static func pairedTTest(_ x: [Double], _ y: [Double]) -> PairedTest? {
        precondition(x.count == y.count, "paired samples of \(x.count) and \(y.count)")
        return correctedResampledTTest(zip(x, y).map { $0 - $1 }, testTrainRatio: 0)  // (no overlap to correct for)
    }

    /// The corrected resampled t-test (Nadeau & Bengio 2003, "Inference for the Generalization Error";
    /// as Bouckaert & Frank 2004 use it for k-fold cross-validation) of paired differences measured on
    /// J train/test splits whose training sets overlap: the plain test's variance σ²/J understates the
    /// variance of their mean, which is (1/J + n_test/n_train)·σ²; t has J − 1 degrees of freedom.
    /// Nil for fewer than 2 differences; with zero variance, p is 1 when they are all 0 and 0 otherwise.
    public static func correctedResampledTTest(_ d: [Double], testTrainRatio ratio: Double) -> PairedTest? {
        guard d.count >= 2 else { return nil }
        let s = summary(d)
        guard s.std > 0 else {
            return PairedTest(n: d.count, meanDifference: s.mean, t: s.mean == 0 ? 0 : .infinity, p: s.mean == 0 ? 1 : 0, standardError: 0)
        }
        let standardError = s.std * (1 / Double(d.count) + ratio).squareRoot()
        let t = s.mean / standardError
        return PairedTest(n: d.count, meanDifference: s.mean, t: t, p: 2 * (1 - studentTCDF(abs(t), degrees: Double(d.count - 1))),
                          standardError: standardError)
    }

    /// The half-width of the 95% confidence interval of a mean over J overlapping train/test splits,
    /// with Nadeau & Bengio's variance (1/J + n_test/n_train)·σ²; nil for fewer than 2 values.
    public static func correctedResampledCI95(_ xs: [Double], testTrainRatio ratio: Double) -> Double? {
        guard xs.count >= 2 else { return nil }
        return studentTQuantile(0.975, degrees: Double(xs.count - 1)) * summary(xs).std * (1 / Double(xs.count) + ratio).squareRoot()
    }

    /// P(T ≤ t) for Student's t with ν degrees of freedom, via the regularized incomplete beta function.
    public static func studentTCDF(_ t: Double, degrees v: Double) -> Double {
        let x = v / (v + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: v / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile of Student's t by bisection on the CDF.
    public static func studentTQuantile(_ p: Double, degrees v: Double) -> Double {
        var (lo, hi) = (-1000.0, 1000.0)
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if studentTCDF(mid, degrees: v) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// I_x(a, b) by Lentz's continued fraction (Numerical Recipes §6.4).
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logGammas + logPowers)
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
        let tiny = 1e-300
        var f = 1.0, c = 1.0, d = 0.0
        for i in 0...400 {
            let m = Double(i / 2)
            var numerator: Double
            if i == 0 { numerator = 1 }
            else if i % 2 == 0 {
                let denominator: Double = (a + 2 * m - 1) * (a + 2 * m)
                numerator = m * (b - m) * x / denominator
            } else {
                let denominator: Double = (a + 2 * m) * (a + 2 * m + 1)
                numerator = -((a + m) * (a + b + m) * x) / denominator
            }
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            d = 1 / d
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            let cd = c * d
            f *= cd
            if abs(1 - cd) < 1e-15 { break }
        }
        return front * (f - 1) / a
    }
}

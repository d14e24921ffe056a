import Foundation

/// A seeded random generator whose stream is identical on every machine.
///
/// xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64. Integers and uniform floats are
/// pure integer arithmetic and therefore bit-identical everywhere; normals use Box–Muller on top of
/// libm's `log` and `cos`, which are bit-identical wherever the same libm runs.
/// `Tests/References/make_fixtures.py` reproduces the stream independently.
public struct RandomGenerator: RandomNumberGenerator, Codable, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Float?

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// An independent generator for a named sub-stream (e.g. "dropout", "init"), so that adding
    /// draws to one stream never shifts another.
    public func derived(_ label: String) -> RandomGenerator {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ s0  // FNV-1a over the label, keyed by this state
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return RandomGenerator(seed: hash ^ (s2 &* 0x9E37_79B9_7F4A_7C15))
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// Uniform integer in 0..<bound, unbiased (Lemire's multiply-shift with rejection).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "int(below:) needs a positive bound, got \(bound)")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// Standard normal (Box–Muller, both values used).
    public mutating func normal() -> Float {
        if let spare = spareNormal { spareNormal = nil; return spare }
        var u1 = Double(next() >> 11) * 0x1p-53
        if u1 == 0 { u1 = 0x1p-53 }
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        spareNormal = Float(radius * sin(2 * .pi * u2))
        return Float(radius * cos(2 * .pi * u2))
    }

    /// Fisher–Yates shuffle driven by this generator (the standard library's shuffle is not specified
    /// to be stable across versions).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A random permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    /// Fills `tensor` uniformly in [low, high).
    public mutating func fillUniform(_ tensor: Tensor, _ low: Float, _ high: Float) {
        for i in 0..<tensor.count { tensor.data[i] = uniform(low, high) }
    }

    /// Fills `tensor` with normal values of the given mean and standard deviation.
    public mutating func fillNormal(_ tensor: Tensor, mean: Float = 0, std: Float) {
        for i in 0..<tensor.count { tensor.data[i] = mean + std * normal() }
    }
}


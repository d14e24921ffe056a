/// Limited-memory BFGS (Nocedal & Wright 2006, Algorithm 7.4 with a backtracking Armijo line search) for the
/// smooth convex objectives of the bag-of-words baselines.
public enum LBFGS {
    public struct Result: Sendable { public var iterations: Int; public var converged: Bool; public var value: Double }

    /// Minimises `objective` (value, and gradient written into its second argument) from `x`, in place; converged when
    /// the largest gradient entry is at most `tolerance`·max(1, |f|), or when f stops decreasing.
    @discardableResult
    public static func minimize(_ x: inout [Double], memory: Int = 10, maxIterations: Int = 2000, tolerance: Double = 1e-9,
                                _ objective: ([Double], inout [Double]) -> Double) -> Result {
        let n = x.count
        var g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var newG = g, candidate = x
        for iteration in 0..<maxIterations {
            if g.reduce(0, { max($0, abs($1)) }) <= tolerance * max(1, abs(f)) { return Result(iterations: iteration, converged: true, value: f) }
            // Two-loop recursion: d = −H·g.
            var q = g
            var alpha = [Double](repeating: 0, count: s.count)
            for j in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[j] = rho[j] * dot(s[j], q)
                for i in 0..<n { q[i] -= alpha[j] * y[j][i] }
            }
            let gamma = s.isEmpty ? 1 / max(g.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12) : dot(s.last!, y.last!) / dot(y.last!, y.last!)
            for i in 0..<n { q[i] *= gamma }
            for j in 0..<s.count {
                let beta = rho[j] * dot(y[j], q)
                for i in 0..<n { q[i] += s[j][i] * (alpha[j] - beta) }
            }
            var slope = -dot(g, q)
            if slope >= 0 {  // not a descent direction (numerical trouble): restart from steepest descent
                s.removeAll(); y.removeAll(); rho.removeAll()
                q = g; slope = -dot(g, g)
            }
            // Backtracking line search along −q.
            var step = 1.0, newF = f
            while true {
                for i in 0..<n { candidate[i] = x[i] - step * q[i] }
                newF = objective(candidate, &newG)
                if newF <= f + 1e-4 * step * slope || step < 1e-20 { break }
                step *= 0.5
            }
            if step < 1e-20 || f - newF <= 1e-15 * max(1, abs(f)) {
                if newF < f { x = candidate; f = newF; g = newG }
                return Result(iterations: iteration + 1, converged: true, value: f)
            }
            var sk = [Double](repeating: 0, count: n), yk = sk
            for i in 0..<n { sk[i] = candidate[i] - x[i]; yk[i] = newG[i] - g[i] }
            let sy = dot(sk, yk)
            if sy > 1e-12 {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            x = candidate; f = newF; g = newG
        }
        return Result(iterations: maxIterations, converged: false, value: f)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}

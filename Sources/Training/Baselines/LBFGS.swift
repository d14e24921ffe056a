/// Limited-memory BFGS (Nocedal & Wright 2006, Algorithm 7.4 with a backtracking Armijo line search) for the
/// smooth convex objectives of the bag-of-words baselines. Its history lives in buffers made once.
public enum LBFGS {
    public struct Result: Sendable { public var iterations: Int; public var converged: Bool; public var value: Double }

    /// Minimises `objective` (value, and gradient written into its second argument) from `x`, in place; converged when
    /// the largest gradient entry is at most `tolerance`, or when f stops decreasing (to 1e-15 relative).
    @discardableResult
    public static func minimize(_ x: inout [Double], tolerance: Double, memory m: Int = 10, maxIterations: Int = 1000,
                                _ objective: ([Double], inout [Double]) -> Double) -> Result {
        let n = x.count
        var g = [Double](repeating: 0, count: n)
        var f = objective(x, &g)
        // Pair j of the history is s[j·n ..< (j+1)·n], y[…], rho[j]; `stored` pairs end at slot `newest`.
        var s = [Double](repeating: 0, count: m * n), y = s, rho = [Double](repeating: 0, count: m), alpha = rho
        var stored = 0, newest = -1
        var q = g, candidate = x, newG = g
        func dot(_ a: UnsafeBufferPointer<Double>, _ aOffset: Int, _ b: UnsafeBufferPointer<Double>, _ bOffset: Int) -> Double {
            var sum = 0.0
            for i in 0..<n { sum += a[aOffset + i] * b[bOffset + i] }
            return sum
        }
        for iteration in 0..<maxIterations {
            if g.reduce(0, { max($0, abs($1)) }) <= tolerance { return Result(iterations: iteration, converged: true, value: f) }
            // Two-loop recursion: q = H·g.
            q = g
            s.withUnsafeBufferPointer { s in y.withUnsafeBufferPointer { y in q.withUnsafeMutableBufferPointer { q in
                let qq = UnsafeBufferPointer(q)
                for back in 0..<stored {
                    let j = (newest - back + m) % m
                    alpha[j] = rho[j] * dot(s, j * n, qq, 0)
                    for i in 0..<n { q[i] -= alpha[j] * y[j * n + i] }
                }
                var gamma = 1 / max(g.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                if stored > 0 { gamma = dot(s, newest * n, y, newest * n) / dot(y, newest * n, y, newest * n) }
                for i in 0..<n { q[i] *= gamma }
                for forward in 0..<stored {
                    let j = (newest - stored + 1 + forward + m) % m
                    let beta = rho[j] * dot(y, j * n, qq, 0)
                    for i in 0..<n { q[i] += s[j * n + i] * (alpha[j] - beta) }
                }
            } } }
            var slope = 0.0
            for i in 0..<n { slope -= g[i] * q[i] }
            if slope >= 0 {  // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0
                q = g
                slope = -g.reduce(0) { $0 + $1 * $1 }
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
            let slot = (newest + 1) % m
            var sy = 0.0, yy = 0.0
            for i in 0..<n {
                let si = candidate[i] - x[i], yi = newG[i] - g[i]
                s[slot * n + i] = si; y[slot * n + i] = yi
                sy += si * yi; yy += yi * yi
            }
            if sy > 1e-12 * yy.squareRoot() {
                rho[slot] = 1 / sy
                newest = slot
                stored = min(stored + 1, m)
            }
            swap(&x, &candidate); swap(&g, &newG)
            f = newF
        }
        return Result(iterations: maxIterations, converged: false, value: f)
    }
}

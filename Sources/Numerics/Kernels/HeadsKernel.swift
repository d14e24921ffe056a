/// The axis swap behind multi-head attention's head split and merge: [A, B, C, D] → [A, C, B, D],
/// contiguous rows of D copied (or added) whole.
public enum HeadsKernel {
    public static func swapMiddle(_ x: UnsafePointer<Float>, _ shape: [Int], into y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let (a, b, c, d) = (shape[0], shape[1], shape[2], shape[3])
        for i in 0..<a {
            for j in 0..<b {
                for k in 0..<c {
                    let src = x + ((i * b + j) * c + k) * d   // x[i, j, k, :]
                    let dst = y + ((i * c + k) * b + j) * d   // y[i, k, j, :]
                    if accumulate {
                        for e in 0..<d { dst[e] += src[e] }
                    } else {
                        dst.update(from: src, count: d)
                    }
                }
            }
        }
    }
}

/// Elementary functions for hot loops.
public enum FastMath {
    /// eˣ for Float as 2ⁿ·eʳ: n = round(x/ln2), r = x − n·ln2 with ln2 split in two parts (Cody & Waite
    /// 1980) so r is exact to float precision, eʳ by its degree-6 Taylor polynomial on |r| ≤ 0.347.
    /// Relative error within a few ulps; inputs below −87.3 return 0 (softmax inputs are ≤ 0 after
    /// the max shift). Branch-free, so loops over it vectorise.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = min(max(x, -87.3), 88.7)
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        let r = (clamped - n * 0.693_145_75) - n * 1.428_606_8e-6  // ln2 = 0.69314575 + 1.4286068e-6
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: Int32(n) + 127) << 23)
        return x < -87.3 ? 0 : p * scale
    }
}

extension FastMath {
    /// `exp` on 16 lanes: the same polynomial and range reduction as the scalar version.
    @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let clamped = x.clamped(lowerBound: SIMD16(repeating: -87.3), upperBound: SIMD16(repeating: 88.7))
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        let r = (clamped - n * 0.693_145_75) - n * 1.428_606_8e-6
        var p = SIMD16<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (SIMD16<Int32>(n) &+ 127) &<< 23
        let result = p * unsafeBitCast(bits, to: SIMD16<Float>.self)
        return result.replacing(with: 0, where: x .< -87.3)
    }

    /// The largest of `count` floats.
    public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= count {
            lanes = pointwiseMax(lanes, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self))
            i += 16
        }
        var peak = lanes.max()
        while i < count { peak = Swift.max(peak, x[i]); i += 1 }
        return peak
    }

    /// x[i] ← exp(x[i] − shift) in place; returns Σ exp(x[i] − shift). The softmax inner loop.
    public static func expShifted(_ x: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        var sums = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            let e = exp(raw.loadUnaligned(as: SIMD16<Float>.self) - shift)
            raw.storeBytes(of: e, as: SIMD16<Float>.self)
            sums += e
            i += 16
        }
        var sum = sums.sum()
        while i < count { let e = exp(x[i] - shift); x[i] = e; sum += e; i += 1 }
        return sum
    }

    /// x[i] ← x[i] · s in place.
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by s: Float) {
        var i = 0
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) * s, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { x[i] *= s; i += 1 }
    }
}

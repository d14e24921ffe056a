import Foundation

/// Owns one aligned, contiguous Float32 buffer. Shared by every `Tensor` that views it.
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// A buffer of `count` floats, 64-byte aligned for the BLAS kernels; zero-filled unless `zeroed` is
    /// false (for a buffer written in full before it is read). Debug builds (the tests) fill such a
    /// buffer with NaN instead, so an element a kernel forgets to write shows up in every result.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative element count \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        #if DEBUG
        pointer.initialize(repeating: zeroed ? 0 : .nan, count: max(count, 1))
        #else
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
        #endif
    }

    deinit { pointer.deallocate() }
}

/// A contiguous, row-major Float32 tensor.
///
/// `Tensor` is a view: copies share the storage, so writing through `data` is seen by every copy,
/// as with a PyTorch tensor or an MLX array. `copy()` makes an independent buffer; `reshaped`
/// shares it. Kernels read and write through `data`, never element by element through `subscript`.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let storage: TensorStorage

    public var count: Int { storage.count }
    public var data: UnsafeMutablePointer<Float> { storage.pointer }
    public var rank: Int { shape.count }
    /// The buffer as a read-only view of `count` floats.
    public var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: data, count: count) }

    /// A zero-filled tensor of the given shape.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *))
    }

    /// A tensor whose elements are not set: for an output written in full before anything reads it
    /// (a GEMM result with β = 0, which BLAS may not read), where zero-filling would be wasted work.
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *), zeroed: false)
    }

    /// A tensor holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        self.init(zeros: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor with every element equal to `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(zeros: shape)
        data.update(repeating: value, count: count)
    }

    /// A scalar (shape `[]`).
    public init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    private init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// The same storage seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, storage: storage)
    }

    /// An independent copy of the contents.
    public func copy() -> Tensor {
        let result = Tensor(zeros: shape)
        result.data.update(from: data, count: count)
        return result
    }

    /// The elements in row-major order.
    public var array: [Float] { Array(buffer) }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with shape \(shape)")
        return data[0]
    }

    /// Element access for tests and small bookkeeping; kernels use `data`.
    public subscript(_ index: Int) -> Float {
        get { precondition(index >= 0 && index < count, "index \(index) out of \(shape)"); return data[index] }
        nonmutating set { precondition(index >= 0 && index < count, "index \(index) out of \(shape)"); data[index] = newValue }
    }

    /// Size of dimension `axis`; negative axes count from the end.
    public func dim(_ axis: Int) -> Int { shape[axis < 0 ? shape.count + axis : axis] }

    /// Product of all dimensions but the last: the row count when seen as a matrix.
    public var rows: Int { shape.isEmpty ? 1 : count / max(shape[shape.count - 1], 1) }
    /// The last dimension: the column count when seen as a matrix.
    public var columns: Int { shape.last ?? 1 }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }
    public func zero() { fill(0) }

    /// Copies the contents of `other`, which must have the same element count.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Whether both tensors have the same shape and bit-identical contents.
    public func isIdentical(to other: Tensor) -> Bool {
        shape == other.shape && memcmp(data, other.data, count * 4) == 0
    }
}

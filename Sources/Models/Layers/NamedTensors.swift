import Autodiff
import Numerics

extension ParameterContainer {
    /// Copies `tensors` into the parameters of the same name, each shape checked. Returns the names of
    /// parameters the tensors lacked (left as they are) and of tensors no parameter took.
    @discardableResult
    public func load(_ tensors: [String: Tensor]) throws -> (missing: [String], unexpected: [String]) {
        var missing: [String] = []
        for p in parameters {
            guard let t = tensors[p.name] else { missing.append(p.name); continue }
            guard t.shape == p.shape else { throw CheckpointMismatch(name: p.name, expected: p.shape, found: t.shape) }
            p.value.assign(t)
        }
        let names = Set(parameters.map(\.name))
        return (missing, tensors.keys.filter { !names.contains($0) }.sorted())
    }
}

/// A checkpoint tensor whose shape is not the parameter's.
public struct CheckpointMismatch: Error, CustomStringConvertible {
    public let name: String, expected: [Int], found: [Int]
    public var description: String { "checkpoint tensor \(name) has shape \(found); the model's parameter is \(expected)" }
}

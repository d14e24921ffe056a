import Foundation
import Numerics

/// Golden values written by `Tests/References/make_fixtures.py` (an independent NumPy reference).
public struct Fixture {
    private let object: [String: Any]

    /// Loads `Tests/References/fixtures/<name>.json`.
    public init(_ name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("References/fixtures/\(name).json")
        let data = try Data(contentsOf: url)
        object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The fixture's value at `key` as JSON decoded it (objects, arrays, numbers, strings).
    public subscript(key: String) -> Any? { object[key] }

    public func tensor(_ key: String) -> Tensor {
        guard let entry = object[key] as? [String: Any], let shape = entry["shape"] as? [Int],
              let values = entry["data"] as? [Double] else { fatalError("fixture has no tensor '\(key)'") }
        return Tensor(shape: shape, values: values.map { Float($0) })
    }

    public func number(_ key: String) -> Double {
        guard let value = object[key] as? Double else { fatalError("fixture has no number '\(key)'") }
        return value
    }

    public func ints(_ key: String) -> [Int] {
        guard let value = object[key] as? [Int] else { fatalError("fixture has no integer list '\(key)'") }
        return value
    }

    public func strings(_ key: String) -> [String] {
        guard let value = object[key] as? [String] else { fatalError("fixture has no string list '\(key)'") }
        return value
    }

    public func doubles(_ key: String) -> [Double] {
        guard let value = object[key] as? [Double] else { fatalError("fixture has no number list '\(key)'") }
        return value
    }
}

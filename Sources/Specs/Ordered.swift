/// A mapping decoded in the order its keys are written (parameter groups, artifacts): `Dictionary` loses it.
public struct Ordered<Value: Decodable>: Decodable {
    public var entries: [(key: String, value: Value)]

    public init(_ entries: [(key: String, value: Value)] = []) { self.entries = entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: PathKey.self)
        entries = try container.allKeys.map { ($0.stringValue, try container.decode(Value.self, forKey: $0)) }
    }

    public var keys: [String] { entries.map(\.key) }
    public subscript(key: String) -> Value? { entries.first { $0.key == key }?.value }
}

import Foundation

/// Decodes typed configurations (`Decodable` values) from a `ConfigNode`. A missing, mistyped or unknown
/// field is a `SpecError` at its file:line:column with its field path; unknown keys get a did-you-mean.
/// Every mapping decoded as a keyed container is strict (a key its type never asked for is an error)
/// unless its type is an `OpenConfig`.
public struct ConfigDecoder {
    /// Named in unknown-key errors, e.g. "model kind 'bilstm-max'".
    public var subject: String?

    public init(subject: String? = nil) { self.subject = subject }

    /// `type` with every field at its default: decoded from an empty mapping (a section a spec leaves out).
    public func defaults<T: Decodable>(_ type: T.Type) throws -> T {
        try decode(type, from: ConfigNode(.mapping([]), at: SourceLocation(file: "defaults", line: 0, column: 0)))
    }

    /// Decodes `type` from `node`, which sits at `path` of the configuration.
    public func decode<T: Decodable>(_ type: T.Type, from node: ConfigNode, path: [String] = []) throws -> T {
        let ledger = KeyLedger()
        let decoder = NodeDecoder(node: node, path: path, ledger: ledger, strict: !(T.self is OpenConfig.Type))
        // A key nobody asked for often explains a missing or wrong one (a misspelt name): both are reported.
        func failure(_ errors: [SpecError]) -> any Error {
            let all = ledger.unknownKeys(subject: subject) + errors
            return all.count == 1 ? all[0] : SpecErrors(errors: all)
        }
        let value: T
        do {
            value = try T(from: decoder)
        } catch let error as SpecError {
            throw failure([error])
        } catch let error as DecodingError {
            throw failure([specError(error, root: node, rootPath: path)])
        }
        if !ledger.unknownKeys(subject: subject).isEmpty { throw failure([]) }
        return value
    }

    /// The keys each mapping below `node` was asked for while decoding `type` (by path), whether or not decoding
    /// succeeded: the fields a typed configuration reads.
    func askedKeys<T: Decodable>(decoding type: T.Type, from node: ConfigNode) -> [String: Set<String>] {
        let ledger = KeyLedger()
        _ = try? T(from: NodeDecoder(node: node, path: [], ledger: ledger, strict: true))
        return ledger.entries.mapValues(\.asked)
    }

    private func specError(_ error: DecodingError, root: ConfigNode, rootPath: [String]) -> SpecError {
        func locate(_ codingPath: [any CodingKey], _ message: String) -> SpecError {
            let keys = codingPath.map(\.stringValue)  // from the configuration's top, `rootPath` first
            var node = root
            for key in keys.dropFirst(rootPath.count) { guard let child = node.node(at: [key]) else { break }; node = child }
            return SpecError(location: node.location, path: keys.joined(separator: "."), message: message)
        }
        switch error {
        case let .keyNotFound(key, context):
            return locate(context.codingPath, "missing required key '\(key.stringValue)'")
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return locate(context.codingPath, context.debugDescription)
        @unknown default:
            return SpecError(location: root.location, path: rootPath.joined(separator: "."), message: "\(error)")
        }
    }
}

/// A configuration type whose mappings may hold keys it does not read (their checks live elsewhere).
public protocol OpenConfig {}

/// Value ranges the configurations check, worded for errors.
public enum Valid {
    public static let positive = "at least 1"
    public static func atLeast1(_ n: Int) -> Bool { n >= 1 }
    public static let fraction = "a fraction in [0, 1)"
    public static func isFraction(_ x: Double) -> Bool { x >= 0 && x < 1 }
    public static func isFraction(_ x: Float) -> Bool { x >= 0 && x < 1 }
    public static let rate = "a number above 0"
    public static func isRate(_ x: Double) -> Bool { x > 0 }
    public static func isRate(_ x: Float) -> Bool { x > 0 }
    public static let nonNegative = "0 or more"
    public static func isNonNegative(_ n: Int) -> Bool { n >= 0 }
    public static func isNonNegative(_ x: Double) -> Bool { x >= 0 }
}

/// A configuration value that is one of a fixed set of words; a wrong word gets a did-you-mean.
public protocol ConfigChoice: CaseIterable, RawRepresentable, Decodable, Sendable where RawValue == String {}

extension ConfigChoice {
    public init(from decoder: any Decoder) throws {
        let word = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: word) else {
            let words = Self.allCases.map(\.rawValue)
            let hint = closest(word, among: words).map { "; did you mean '\($0)'?" } ?? ""
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(word)' is not one of \(words.joined(separator: ", "))\(hint)"))
        }
        self = value
    }
}

/// A decoded value with where it was written, for checks made after decoding (groups that match no
/// parameter, phases naming unknown groups).
public struct Located<Value: Decodable>: Decodable {
    public let value: Value
    public let location: SourceLocation
    public let path: String

    public init(_ value: Value, at location: SourceLocation, path: String) { self.value = value; self.location = location; self.path = path }

    public init(from decoder: any Decoder) throws {
        value = try Value(from: decoder)
        let node = decoder as? NodeDecoder
        location = node?.node.location ?? SourceLocation(file: "", line: 0, column: 0)
        path = (node?.path ?? decoder.codingPath.map(\.stringValue)).joined(separator: ".")
    }

    /// A spec error at this value.
    public func error(_ message: String) -> SpecError { SpecError(location: location, path: path, message: message) }
}

extension KeyedDecodingContainer {
    /// Accepts `keys` without reading them (sections a configuration carries for others, e.g. `stages`).
    public func allow(_ keys: Key...) { for key in keys { _ = contains(key) } }

    /// The value at `key` (or `fallback` when absent), which must satisfy `valid`, described by `expected` in the
    /// error ("at least 1", "in [0, 1)").
    public func decode<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T, _ expected: String, _ valid: (T) -> Bool) throws -> T {
        guard let value = try decodeIfPresent(T.self, forKey: key) else { return fallback() }
        guard valid(value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "expected \(expected), found \(value)"))
        }
        return value
    }

    /// The value at `key`, if present, which must satisfy `valid` (see `decode(_:or:_:_:)`).
    public func decodeIfPresent<T: Decodable>(_ key: Key, _ expected: String, _ valid: (T) -> Bool) throws -> T? {
        guard let value = try decodeIfPresent(T.self, forKey: key) else { return nil }
        guard valid(value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "expected \(expected), found \(value)"))
        }
        return value
    }

    /// The value at `key`, or `fallback` when the key is absent.
    public func decode<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback()
    }
}

/// The keys each strictly decoded mapping was asked for, to report the ones nobody read.
final class KeyLedger {
    struct Entry { let node: ConfigNode; let path: [String]; var asked: Set<String> }
    var entries: [String: Entry] = [:]
    var order: [String] = []

    func opened(_ node: ConfigNode, path: [String]) {
        let id = path.joined(separator: ".")
        if entries[id] == nil { entries[id] = Entry(node: node, path: path, asked: []); order.append(id) }
    }

    func asked(_ key: String, in path: [String]) { entries[path.joined(separator: ".")]?.asked.insert(key) }

    func unknownKeys(subject: String?) -> [SpecError] {
        order.flatMap { id -> [SpecError] in
            let entry = entries[id]!
            let known = entry.asked.sorted()
            return (entry.node.mapping ?? []).filter { !entry.asked.contains($0.key) }.map { key, child in
                let hint = closest(key, among: known).map { "; did you mean '\($0)'?" } ?? ""
                let whose = subject.map { " of \($0)" } ?? ""
                return SpecError(location: child.location, path: (entry.path + [key]).joined(separator: "."),
                                 message: "unknown key '\(key)'\(whose)\(hint) (expected one of: \(known.joined(separator: ", ")))")
            }
        }
    }
}

struct NodeDecoder: Decoder {
    let node: ConfigNode
    let path: [String]
    let ledger: KeyLedger
    let strict: Bool
    var codingPath: [any CodingKey] { path.map { PathKey(stringValue: $0) } }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ node: ConfigNode, key: String, type: Any.Type) -> NodeDecoder {
        NodeDecoder(node: node, path: path + [key], ledger: ledger, strict: !(type is OpenConfig.Type))
    }

    func mismatch(_ expected: String) -> DecodingError {
        let found: String
        switch node.value {
        case let .scalar(s, quoted): found = quoted ? "the string '\(s)'" : "'\(s)'"
        case .sequence: found = "a list"
        case .mapping: found = "a mapping"
        }
        return DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(found)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard node.mapping != nil else { throw mismatch("a mapping") }
        if strict { ledger.opened(node, path: path) }
        return KeyedDecodingContainer(KeyedNode<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let items = node.sequence else { throw mismatch("a list") }
        return UnkeyedNode(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { ScalarNode(decoder: self) }
}

struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int? { Int(stringValue) }
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { stringValue = String(intValue) }
}

struct KeyedNode<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] {
        (decoder.node.mapping ?? []).compactMap { entry in
            decoder.ledger.asked(entry.key, in: decoder.path)
            return Key(stringValue: entry.key)
        }
    }

    func contains(_ key: Key) -> Bool {
        decoder.ledger.asked(key.stringValue, in: decoder.path)
        return decoder.node[key.stringValue] != nil
    }

    func childDecoder(_ key: Key, type: Any.Type) throws -> NodeDecoder {
        decoder.ledger.asked(key.stringValue, in: decoder.path)
        guard let child = decoder.node[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return decoder.child(child, key: key.stringValue, type: type)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let child = decoder.node[key.stringValue] else { return true }
        return ["null", "~", ""].contains(child.scalar ?? "x")
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: childDecoder(key, type: T.self)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try childDecoder(key, type: Any.self).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try childDecoder(key, type: Any.self).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try childDecoder(key, type: Any.self) }
}

struct UnkeyedNode: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let items: [ConfigNode]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(decoder: NodeDecoder, items: [ConfigNode]) { self.decoder = decoder; self.items = items }

    mutating func next(_ type: Any.Type) throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "the list has only \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return decoder.child(items[currentIndex], key: String(currentIndex), type: type)
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next(T.self)) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(Any.self).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next(Any.self).unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

struct ScalarNode: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func text(_ expected: String) throws -> String {
        guard let s = decoder.node.scalar else { throw decoder.mismatch(expected) }
        return s
    }

    /// A number or a truth value written as such: a quoted `"0.1"` is a string, as YAML reads it.
    func parsed<T>(_ expected: String, _ parse: (String) -> T?) throws -> T {
        guard case let .scalar(text, quoted: false) = decoder.node.value, let value = parse(text) else { throw decoder.mismatch(expected) }
        return value
    }

    func decodeNil() -> Bool { ["null", "~", ""].contains(decoder.node.scalar ?? "x") }
    func decode(_ type: Bool.Type) throws -> Bool { try parsed("true or false") { ["true": true, "false": false][$0] } }
    func decode(_ type: String.Type) throws -> String { try text("a string") }
    func decode(_ type: Double.Type) throws -> Double { try parsed("a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } } }
    /// Through Double, as every Float setting has always been read: the same bits for the same text.
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try parsed("an integer") { Int($0) } }
    func decode(_ type: Int8.Type) throws -> Int8 { try parsed("an integer") { Int8($0) } }
    func decode(_ type: Int16.Type) throws -> Int16 { try parsed("an integer") { Int16($0) } }
    func decode(_ type: Int32.Type) throws -> Int32 { try parsed("an integer") { Int32($0) } }
    func decode(_ type: Int64.Type) throws -> Int64 { try parsed("an integer") { Int64($0) } }
    func decode(_ type: UInt.Type) throws -> UInt { try parsed("a non-negative integer") { UInt($0) } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try parsed("a non-negative integer") { UInt8($0) } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try parsed("a non-negative integer") { UInt16($0) } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try parsed("a non-negative integer") { UInt32($0) } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try parsed("a non-negative integer") { UInt64($0) } }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
}

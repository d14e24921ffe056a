import Digests
import Foundation
import Yams

/// Where a value was written: file, line and column (1-based), for error messages.
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public init(file: String, line: Int, column: Int) { self.file = file; self.line = line; self.column = column }
    public static func commandLine(_ text: String) -> SourceLocation { SourceLocation(file: "command line '\(text)'", line: 0, column: 0) }
    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

/// A configuration tree parsed from YAML that keeps the location of every value, so that a spec error
/// can name the file, line and field path. Mappings keep their key order.
public struct ConfigNode: Equatable, Sendable {
    public indirect enum Value: Equatable, Sendable {
        case scalar(String, quoted: Bool)
        case sequence([ConfigNode])
        case mapping([(key: String, node: ConfigNode)])

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case let (.scalar(x, qx), .scalar(y, qy)): return x == y && qx == qy
            case let (.sequence(x), .sequence(y)): return x == y
            case let (.mapping(x), .mapping(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.node == $1.node }
            default: return false
            }
        }
    }

    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) { self.value = value; self.location = location }

    // MARK: Parsing

    /// The most values a YAML text may expand to through its aliases (a spec has hundreds; an alias bomb, billions).
    static let maxValues = 200_000

    /// Parses YAML text; syntax errors name the file, line and column.
    public static func parse(yaml: String, file: String) throws -> ConfigNode {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return ConfigNode(.mapping([]), at: SourceLocation(file: file, line: 1, column: 1))
            }
            var budget = maxValues
            return try convert(node, file: file, budget: &budget)
        } catch let error as SpecError {
            throw error
        } catch let error as YamlError {
            throw located(error, file: file)
        }
    }

    /// A YAML error at its line and column (or byte offset), with libyaml's words for the problem.
    static func located(_ error: YamlError, file: String) -> SpecError {
        func at(_ line: Int, _ column: Int, _ problem: String) -> SpecError {
            SpecError(location: SourceLocation(file: file, line: line, column: column), path: "", message: "YAML syntax: \(problem)")
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return at(mark.line, mark.column, problem + (context.map { " (\($0.text))" } ?? ""))
        case let .duplicatedKeysInMapping(duplicates, context):
            return at(context.mark.line, context.mark.column, "a key appears twice: \(duplicates.joined(separator: ", "))")
        case let .reader(problem, offset, _, _):
            return SpecError(location: SourceLocation(file: file, line: 0, column: 0), path: "",
                             message: "YAML syntax: \(problem)" + (offset.map { " at character \($0)" } ?? ""))
        default:
            return at(0, 0, "\(error)")
        }
    }

    private static func convert(_ node: Node, file: String, budget: inout Int) throws -> ConfigNode {
        let location = SourceLocation(file: file, line: (node.mark?.line ?? 0), column: (node.mark?.column ?? 0))
        budget -= 1
        guard budget >= 0 else {
            throw SpecError(location: location, path: "", message: "the YAML expands to more than \(maxValues) values through its aliases")
        }
        switch node {
        case let .scalar(scalar):
            return ConfigNode(.scalar(scalar.string, quoted: scalar.style != .plain), at: location)
        case let .sequence(sequence):
            return ConfigNode(.sequence(try sequence.map { try convert($0, file: file, budget: &budget) }), at: location)
        case let .mapping(mapping):
            var pairs: [(key: String, node: ConfigNode)] = []
            for (key, value) in mapping {
                guard case let .scalar(k) = key else {
                    throw SpecError(location: location, path: "", message: "mapping keys must be plain names")
                }
                if pairs.contains(where: { $0.key == k.string }) {
                    throw SpecError(location: SourceLocation(file: file, line: key.mark?.line ?? 0, column: key.mark?.column ?? 0),
                                    path: k.string, message: "key '\(k.string)' appears twice")
                }
                pairs.append((k.string, try convert(value, file: file, budget: &budget)))
            }
            // YAML merge keys (`<<: *base`): the merged mappings' keys, where not written here.
            if let index = pairs.firstIndex(where: { $0.key == "<<" }) {
                let merged = pairs.remove(at: index).node
                for source in merged.sequence ?? [merged] {
                    guard let entries = source.mapping else {
                        throw SpecError(location: source.location, path: "<<", message: "a merge key takes a mapping or a list of mappings")
                    }
                    for entry in entries where !pairs.contains(where: { $0.key == entry.key }) { pairs.append(entry) }
                }
            }
            return ConfigNode(.mapping(pairs), at: location)
        case .alias:
            throw SpecError(location: location, path: "", message: "YAML aliases are not supported; use `extends:`")
        }
    }

    // MARK: Access

    public var mapping: [(key: String, node: ConfigNode)]? { if case let .mapping(m) = value { return m }; return nil }
    public var sequence: [ConfigNode]? { if case let .sequence(s) = value { return s }; return nil }
    public var scalar: String? { if case let .scalar(s, _) = value { return s }; return nil }
    /// An unquoted null (`~`, `null` or nothing).
    public var isNull: Bool { if case let .scalar(s, false) = value { return ["null", "Null", "NULL", "~", ""].contains(s) }; return false }
    /// The scalar when written without quotes (a number or truth value can only be written so).
    public var plainScalar: String? { if case let .scalar(s, false) = value { return s }; return nil }

    public subscript(key: String) -> ConfigNode? { mapping?.first { $0.key == key }?.node }

    /// The node at a dotted path (`train.phases.0.epochs`: sequence items by index).
    public func node(at path: [String]) -> ConfigNode? {
        guard let head = path.first else { return self }
        if let m = mapping { return m.first { $0.key == head }?.node.node(at: Array(path.dropFirst())) }
        if let s = sequence, let i = Int(head), s.indices.contains(i) { return s[i].node(at: Array(path.dropFirst())) }
        return nil
    }

    /// A copy with `key` removed (top level of a mapping).
    public func removing(_ keys: Set<String>) -> ConfigNode {
        guard let m = mapping else { return self }
        return ConfigNode(.mapping(m.filter { !keys.contains($0.key) }), at: location)
    }

    /// A copy with `replacement` at `path`, creating mappings along the way.
    public func setting(_ path: [String], to replacement: ConfigNode) -> ConfigNode {
        guard let head = path.first else { return replacement }
        let rest = Array(path.dropFirst())
        if let s = sequence, let i = Int(head), s.indices.contains(i) {
            var items = s
            items[i] = items[i].setting(rest, to: replacement)
            return ConfigNode(.sequence(items), at: location)
        }
        var pairs = mapping ?? []
        if let index = pairs.firstIndex(where: { $0.key == head }) {
            pairs[index].node = pairs[index].node.setting(rest, to: replacement)
        } else {
            pairs.append((head, ConfigNode(.mapping([]), at: replacement.location).setting(rest, to: replacement)))
        }
        return ConfigNode(.mapping(pairs), at: location)
    }

    /// `overlay` deep-merged over this node: mappings merge key by key; anything else is replaced. A key the overlay
    /// sets to null (`~`) is removed, as Hydra's `~key` (an arm of another model kind drops fields its kind lacks).
    public func merging(_ overlay: ConfigNode) -> ConfigNode {
        guard let base = mapping, let top = overlay.mapping else { return overlay }
        var pairs = base
        for (key, node) in top {
            if node.isNull {
                pairs.removeAll { $0.key == key }
            } else if let index = pairs.firstIndex(where: { $0.key == key }) {
                pairs[index].node = pairs[index].node.merging(node)
            } else {
                pairs.append((key, node))
            }
        }
        return ConfigNode(.mapping(pairs), at: location)
    }

    // MARK: Canonical form

    /// A JSON value with YAML 1.2 core-schema typing of plain scalars (integers, floats, booleans, null);
    /// quoted scalars stay strings.
    public var jsonValue: Any {
        switch value {
        case let .scalar(s, quoted):
            if quoted { return s }
            switch s {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            case "null", "Null", "NULL", "~", "": return NSNull()
            default:
                if let i = Int(s) { return i }
                if let d = Double(s), s.rangeOfCharacter(from: .decimalDigits) != nil { return d }
                return s
            }
        case let .sequence(items): return items.map(\.jsonValue)
        case let .mapping(pairs): return Dictionary(pairs.map { ($0.key, $0.node.jsonValue) }, uniquingKeysWith: { $1 })
        }
    }

    /// JSON with sorted keys: the same configuration always gives the same bytes.
    public var canonicalJSON: Data {
        (try? JSONSerialization.data(withJSONObject: jsonValue, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
    }

    /// SHA-256 (hex) of the canonical JSON: equal configurations, equal digests.
    public var digest: String { SHA256Hex.of(canonicalJSON) }
}

/// A spec error a user can fix: where, which field, what was expected.
public struct SpecError: Error, Equatable, CustomStringConvertible {
    public let location: SourceLocation
    public let path: String
    public let message: String
    public init(location: SourceLocation, path: String, message: String) { self.location = location; self.path = path; self.message = message }
    public var description: String { "\(location): \(path.isEmpty ? "" : "\(path): ")\(message)" }
}

/// Several spec errors, reported together.
public struct SpecErrors: Error, CustomStringConvertible {
    public let errors: [SpecError]
    public init(errors: [SpecError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

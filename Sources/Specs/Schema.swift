import Suggestions

/// The shape a configuration value must have. Validation reports every mismatch with its location,
/// field path and what was expected; unknown keys get a did-you-mean.
public indirect enum Schema: Sendable {
    case string
    case integer
    case number
    case boolean
    /// One of a fixed set of words.
    case choice([String])
    /// A list of items; `nonEmpty` rejects `[]`.
    case list(Schema, nonEmpty: Bool)
    /// A mapping with free keys and values of one shape.
    case dictionary(Schema)
    /// A mapping with known keys; `required` must be present (checked only where `requireFields`).
    case object([String: Schema], required: Set<String>)
    /// A mapping with some known keys and any others (checked elsewhere, e.g. by a run kind's typed configuration).
    case open([String: Schema], required: Set<String>)
    /// Any of several shapes (the first that fits).
    case either([Schema])
    case any

    var expectation: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "true or false"
        case let .choice(words): "one of \(words.joined(separator: ", "))"
        case let .list(item, nonEmpty): "\(nonEmpty ? "a non-empty" : "a") list of \(item.expectation)"
        case .dictionary: "a mapping"
        case .object, .open: "a mapping"
        case let .either(options): options.map(\.expectation).joined(separator: " or ")
        case .any: "anything"
        }
    }

    /// The schema of the value at `path` below this one, if the path names a field.
    public func field(at path: [String]) -> Schema? {
        guard let head = path.first else { return self }
        let rest = Array(path.dropFirst())
        switch self {
        case let .object(fields, _): return fields[head]?.field(at: rest)
        case let .open(fields, _): return fields[head]?.field(at: rest) ?? .any
        case let .dictionary(value): return value.field(at: rest)
        case let .list(item, _): return Int(head) != nil ? item.field(at: rest) : nil
        case let .either(options): return options.lazy.compactMap { $0.field(at: path) }.first
        case .any: return .any
        default: return nil
        }
    }

    /// All errors of `node` against this schema. Without `requireFields` the node is an overlay (an arm, a profile, an
    /// extending spec), where a null removes the key it names (`ConfigNode.merging`), so any field may be null.
    public func validate(_ node: ConfigNode, path: [String] = [], requireFields: Bool) -> [SpecError] {
        let here = path.joined(separator: ".")
        if !requireFields && !path.isEmpty && node.isNull { return [] }
        func wrong() -> [SpecError] {
            [SpecError(location: node.location, path: here, message: "expected \(expectation), found \(describe(node))")]
        }
        switch self {
        case .any: return []
        case .string: return node.scalar != nil ? [] : wrong()
        // Numbers and truth values as YAML reads them: a quoted "0.1" is a string.
        case .integer: return node.plainScalar.flatMap { Int($0) } != nil ? [] : wrong()
        case .number: return node.plainScalar.flatMap { Double($0) }.map(\.isFinite) == true ? [] : wrong()
        case .boolean: return ["true", "false"].contains(node.plainScalar ?? "") ? [] : wrong()
        case let .choice(words):
            guard let s = node.scalar else { return wrong() }
            if words.contains(s) { return [] }
            let hint = closest(s, among: words).map { "; did you mean '\($0)'?" } ?? ""
            return [SpecError(location: node.location, path: here, message: "'\(s)' is not \(expectation)\(hint)")]
        case let .list(item, nonEmpty):
            guard let items = node.sequence else { return wrong() }
            if nonEmpty && items.isEmpty {
                return [SpecError(location: node.location, path: here, message: "must not be empty")]
            }
            return items.enumerated().flatMap { item.validate($1, path: path + [String($0)], requireFields: requireFields) }
        case let .dictionary(value):
            guard let pairs = node.mapping else { return wrong() }
            return pairs.flatMap { value.validate($0.node, path: path + [$0.key], requireFields: requireFields) }
        case let .object(fields, required):
            guard let pairs = node.mapping else { return wrong() }
            var errors: [SpecError] = []
            for (key, child) in pairs {
                guard let schema = fields[key] else {
                    let hint = closest(key, among: Array(fields.keys)).map { "; did you mean '\($0)'?" } ?? ""
                    errors.append(SpecError(location: child.location, path: (path + [key]).joined(separator: "."),
                                            message: "unknown key '\(key)'\(hint) (expected one of: \(fields.keys.sorted().joined(separator: ", ")))"))
                    continue
                }
                errors += schema.validate(child, path: path + [key], requireFields: requireFields)
            }
            if requireFields {
                for key in required.sorted() where !pairs.contains(where: { $0.key == key }) {
                    errors.append(SpecError(location: node.location, path: here, message: "missing required key '\(key)'"))
                }
            }
            return errors
        case let .open(fields, required):
            guard let pairs = node.mapping else { return wrong() }
            var errors = pairs.flatMap { key, child in fields[key]?.validate(child, path: path + [key], requireFields: requireFields) ?? [] }
            if requireFields {
                for key in required.sorted() where !pairs.contains(where: { $0.key == key }) {
                    errors.append(SpecError(location: node.location, path: here, message: "missing required key '\(key)'"))
                }
            }
            return errors
        case let .either(options):
            var best: [SpecError]? = nil
            // The options of the value's own shape explain it best (a mapping's errors are about its fields).
            let shaped = options.filter { $0.accepts(node.value) }
            for option in shaped.isEmpty ? options : shaped {
                let errors = option.validate(node, path: path, requireFields: requireFields)
                if errors.isEmpty { return [] }
                if best == nil || errors.count < best!.count { best = errors }
            }
            // A value of the right kind for one option explains itself best; otherwise list the options.
            if node.scalar == nil, let best { return best }
            return wrong()
        }
    }

    /// Whether a value of this shape (scalar, list, mapping) could match.
    func accepts(_ value: ConfigNode.Value) -> Bool {
        switch (self, value) {
        case (.any, _): return true
        case (.string, .scalar), (.integer, .scalar), (.number, .scalar), (.boolean, .scalar), (.choice, .scalar): return true
        case (.list, .sequence): return true
        case (.dictionary, .mapping), (.object, .mapping), (.open, .mapping): return true
        case let (.either(options), _): return options.contains { $0.accepts(value) }
        default: return false
        }
    }

    private func describe(_ node: ConfigNode) -> String {
        switch node.value {
        case let .scalar(s, quoted): return quoted ? "the string '\(s)'" : "'\(s)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// The most similar word, case ignored, within a third of its length in edits (at least 2, fewer than its length): did-you-mean.
func closest(_ word: String, among candidates: [String]) -> String? {
    Suggestions.closest(to: word, among: candidates, maxDistance: Swift.min(Swift.max(2, word.count / 3), word.count - 1), ignoringCase: true)
}

import Foundation
import Autodiff
import Numerics

/// One parameter group as configured: which parameters (by name pattern) and how they train.
public struct GroupConfig: Codable, Equatable, Sendable {
    public var name: String
    /// Glob patterns over dotted parameter names (`*` any run of characters, `?` one character).
    /// A group whose only pattern is `*` is the fallback: it takes what no other group names.
    public var patterns: [String]
    /// Patterns of parameters the group leaves out though `patterns` names them (a layer's group without the
    /// adapters attached to it).
    public var exclude: [String]
    public var optimizer: OptimizerKind
    public var learningRate: Float
    public var weightDecay: Float
    public var schedule: Schedule
    public var frozen: Bool
    /// Max-norm constraint (Kim 2014): after each step, rows of each 2-D parameter whose L2 norm
    /// exceeds this are rescaled to it.
    public var maxRowNorm: Float?
    /// Before each step, the group's own gradients are rescaled to at most this L2 norm (as the SiATL
    /// code clips each of its optimizers' parameters separately).
    public var clipNorm: Float?

    public init(name: String, patterns: [String], exclude: [String] = [], optimizer: OptimizerKind = .adamDefault, learningRate: Float,
                weightDecay: Float = 0, schedule: Schedule = .constant, frozen: Bool = false, maxRowNorm: Float? = nil,
                clipNorm: Float? = nil) {
        self.name = name; self.patterns = patterns; self.exclude = exclude; self.optimizer = optimizer; self.learningRate = learningRate
        self.weightDecay = weightDecay; self.schedule = schedule; self.frozen = frozen; self.maxRowNorm = maxRowNorm
        self.clipNorm = clipNorm
    }

    var isFallback: Bool { patterns == ["*"] && exclude.isEmpty }

    /// Whether the group's patterns name `parameter` and its exclusions do not.
    func names(_ parameter: String) -> Bool {
        patterns.contains { GroupAssignment.glob($0, matches: parameter) } && !exclude.contains { GroupAssignment.glob($0, matches: parameter) }
    }

    /// Discriminative fine-tuning (Howard & Ruder 2018): groups listed bottom to top; the top group
    /// gets `topRate` and each lower one the rate above it divided by `factor`.
    public static func discriminative(_ groups: [(name: String, patterns: [String])], topRate: Float, factor: Float = 2.6,
                                      optimizer: OptimizerKind = .adamDefault, schedule: Schedule = .constant) -> [GroupConfig] {
        groups.enumerated().map { index, group in
            let depth = groups.count - 1 - index
            return GroupConfig(name: group.name, patterns: group.patterns, optimizer: optimizer,
                               learningRate: topRate / pow(factor, Float(depth)), schedule: schedule)
        }
    }
}

/// A configuration error the user can fix; the message names the group and parameter.
public struct GroupAssignmentError: Error, CustomStringConvertible, Equatable {
    public let description: String
    /// The group at fault, where one is.
    public var group: String? = nil
}

/// Assigns every parameter to exactly one group.
public enum GroupAssignment {
    /// Returns, per group, its parameters (in model order). Throws if a parameter matches two groups,
    /// matches none with no fallback, or a group matches no parameter.
    public static func assign(_ parameters: [Parameter], to groups: [GroupConfig]) throws -> [[Parameter]] {
        var members = Array(repeating: [Parameter](), count: groups.count)
        let fallback = groups.firstIndex(where: \.isFallback)
        if let duplicate = Dictionary(grouping: groups, by: \.name).first(where: { $0.value.count > 1 }) {
            throw GroupAssignmentError(description: "parameter group name '\(duplicate.key)' is used twice", group: duplicate.key)
        }
        for parameter in parameters {
            let matches = groups.indices.filter { !groups[$0].isFallback && groups[$0].names(parameter.name) }
            if matches.count > 1 {
                throw GroupAssignmentError(description: "parameter '\(parameter.name)' matches groups \(matches.map { "'\(groups[$0].name)'" }.joined(separator: " and ")); every parameter must be in exactly one group")
            }
            guard let index = matches.first ?? fallback else {
                throw GroupAssignmentError(description: "parameter '\(parameter.name)' matches no group (patterns: \(groups.map { "\($0.name)=\($0.patterns)" }.joined(separator: ", "))); add a pattern or a fallback group with pattern '*'")
            }
            members[index].append(parameter)
        }
        for (group, list) in zip(groups, members) where list.isEmpty {
            let names = parameters.prefix(6).map(\.name).joined(separator: ", ")
            throw GroupAssignmentError(description: "group '\(group.name)' with patterns \(group.patterns)\(group.exclude.isEmpty ? "" : " excluding \(group.exclude)") matches no parameter (parameters are named like: \(names))",
                                       group: group.name)
        }
        return members
    }

    /// Shell-style glob over the whole name: `*` matches any run (dots included), `?` one character.
    public static func glob(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern.utf8), s = Array(name.utf8)
        var (pi, si, star, mark) = (0, 0, -1, 0)
        while si < s.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == s[si]) { pi += 1; si += 1 }
            else if pi < p.count && p[pi] == UInt8(ascii: "*") { star = pi; mark = si; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; si = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}


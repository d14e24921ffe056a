import Autodiff
import Numerics

/// Something that happened to the optimizer during training, for the run's event log.
public struct TrainingEvent: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case froze, unfroze }
    public let kind: Kind
    public let group: String
    public let step: Int
    public let resetMoments: Bool
}

/// Routes every parameter to its group's optimizer, learning rate, schedule and constraints.
///
/// A frozen group's parameters have `requiresGrad == false` (the tape computes no gradient for
/// them), are never stepped and hold no optimizer state, so they stay bit-identical.
public final class GroupedOptimizer {
    public final class Group {
        public var config: GroupConfig
        public let parameters: [Parameter]
        var states: [ObjectIdentifier: OptimizerState] = [:]
        init(config: GroupConfig, parameters: [Parameter]) { self.config = config; self.parameters = parameters }

        /// The optimizer state of `parameter`, nil while the group has never stepped it.
        public func state(of parameter: Parameter) -> OptimizerState? { states[ObjectIdentifier(parameter)] }
        public var stateCount: Int { states.count }
    }

    public let groups: [Group]
    /// Optimizer steps taken so far; the schedules' argument.
    public private(set) var step = 0
    public private(set) var events: [TrainingEvent] = []

    public init(parameters: [Parameter], groups configs: [GroupConfig]) throws {
        let members = try GroupAssignment.assign(parameters, to: configs)
        groups = zip(configs, members).map { Group(config: $0, parameters: $1) }
        for group in groups { group.parameters.forEach { $0.requiresGrad = !group.config.frozen } }
    }

    public func group(named name: String) -> Group? { groups.first { $0.config.name == name } }

    /// "parameter → group" lines, for the run log.
    public var assignmentLog: [String] {
        groups.flatMap { g in g.parameters.map { "\($0.name) → \(g.config.name)\(g.config.frozen ? " (frozen)" : "")" } }
    }

    /// The step the schedules count from: 0, or the step of their last restart (`restartSchedules`).
    public private(set) var scheduleOrigin = 0

    /// Every group's schedule starts again from here, over `totalSteps` (a phase with its own schedule).
    public func restartSchedules(totalSteps: Int) {
        scheduleOrigin = step
        for group in groups { group.config.schedule = group.config.schedule.resized(totalSteps: totalSteps) }
    }

    /// The learning rate group `name` uses at the current step.
    public func learningRate(of name: String) -> Float? {
        group(named: name).map { $0.config.learningRate * $0.config.schedule.multiplier(at: step - scheduleOrigin) }
    }

    public var trainableParameters: [Parameter] { groups.filter { !$0.config.frozen }.flatMap(\.parameters) }

    public func zeroGrad() { groups.forEach { $0.parameters.forEach { $0.zeroGrad() } } }

    /// One update of every unfrozen group (its gradients first clipped to its own `clipNorm`), then
    /// its max-norm constraint.
    public func update() {
        for group in groups where !group.config.frozen {
            if let limit = group.config.clipNorm { Constraints.clipGlobalNorm(group.parameters.map(\.grad), maxNorm: limit) }
            let lr = group.config.learningRate * group.config.schedule.multiplier(at: step - scheduleOrigin)
            for parameter in group.parameters {
                let key = ObjectIdentifier(parameter)
                let state = group.states[key] ?? OptimizerState(names: group.config.optimizer.initialStateNames, shape: parameter.shape)
                group.states[key] = state
                group.config.optimizer.update(parameter, state: state, lr: lr, weightDecay: group.config.weightDecay)
                if let limit = group.config.maxRowNorm, parameter.value.rank == 2 {
                    Constraints.clipRowNorms(parameter.value, maxNorm: limit)
                }
            }
        }
        step += 1
    }

    /// Rescales all trainable gradients so their global L2 norm is at most `maxNorm`; returns the norm before.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        Constraints.clipGlobalNorm(trainableParameters.map(\.grad), maxNorm: maxNorm)
    }

    /// Stops training group `name`: no gradients, no steps. Its optimizer state is kept for a later unfreeze.
    public func freeze(_ name: String) throws {
        let group = try require(name)
        guard !group.config.frozen else { return }
        group.config.frozen = true
        group.parameters.forEach { $0.requiresGrad = false; $0.zeroGrad() }
        events.append(TrainingEvent(kind: .froze, group: name, step: step, resetMoments: false))
    }

    /// Resumes training group `name`, optionally at a new rate, dropping its optimizer moments if asked.
    public func unfreeze(_ name: String, learningRate: Float? = nil, resetMoments: Bool = false) throws {
        let group = try require(name)
        guard group.config.frozen else { return }
        group.config.frozen = false
        if let learningRate { group.config.learningRate = learningRate }
        if resetMoments { group.states.removeAll() }
        group.parameters.forEach { $0.requiresGrad = true }
        events.append(TrainingEvent(kind: .unfroze, group: name, step: step, resetMoments: resetMoments))
    }

    // MARK: Checkpointing

    /// The optimizer's state as named tensors (`<parameter>#<buffer>`, plus `<parameter>#step` and
    /// `#optimizer-step` as one-element tensors), so a checkpoint can carry it and training resume
    /// exactly where it stopped.
    public var stateTensors: [Parameter] {
        var out = [Parameter("#optimizer-step", Tensor(shape: [1], values: [Float(step)]))]
        for group in groups {
            for parameter in group.parameters {
                guard let state = group.state(of: parameter) else { continue }
                out.append(Parameter("\(parameter.name)#step", Tensor(shape: [1], values: [Float(state.step)])))
                for name in state.tensors.keys.sorted() { out.append(Parameter("\(parameter.name)#\(name)", state.tensors[name]!)) }
            }
        }
        return out
    }

    /// What a checkpoint carries besides `stateTensors`: each group's frozen flag, rate and schedule, the step the
    /// schedules count from, and the freeze/unfreeze events so far (schedules and origin absent in states saved before
    /// schedules could restart).
    public struct Settings: Codable, Equatable, Sendable {
        public var frozen: [String: Bool]
        public var learningRates: [String: Float]
        public var events: [TrainingEvent]
        public var schedules: [String: Schedule]?
        public var scheduleOrigin: Int?
    }

    public var settings: Settings {
        Settings(frozen: Dictionary(uniqueKeysWithValues: groups.map { ($0.config.name, $0.config.frozen) }),
                 learningRates: Dictionary(uniqueKeysWithValues: groups.map { ($0.config.name, $0.config.learningRate) }), events: events,
                 schedules: Dictionary(uniqueKeysWithValues: groups.map { ($0.config.name, $0.config.schedule) }), scheduleOrigin: scheduleOrigin)
    }

    /// Puts back what `settings` saved.
    public func restore(_ settings: Settings) {
        for group in groups {
            let name = group.config.name
            if let frozen = settings.frozen[name] {
                group.config.frozen = frozen
                group.parameters.forEach { $0.requiresGrad = !frozen }
            }
            if let rate = settings.learningRates[name] { group.config.learningRate = rate }
            if let schedule = settings.schedules?[name] { group.config.schedule = schedule }
        }
        if let origin = settings.scheduleOrigin { scheduleOrigin = origin }
        events = settings.events
    }

    /// Restores what `stateTensors` saved (loaded into tensors of the same names).
    public func restore(_ saved: [String: Tensor]) {
        if let s = saved["#optimizer-step"] { step = Int(s.data[0]) }
        for group in groups {
            for parameter in group.parameters {
                guard let s = saved["\(parameter.name)#step"] else { continue }
                let state = OptimizerState(names: group.config.optimizer.initialStateNames, shape: parameter.shape)
                state.step = Int(s.data[0])
                for name in group.config.optimizer.stateNames {
                    guard let value = saved["\(parameter.name)#\(name)"] else { continue }
                    let tensor = state.tensors[name] ?? Tensor(zeros: parameter.shape)
                    tensor.assign(value)
                    state.tensors[name] = tensor
                }
                group.states[ObjectIdentifier(parameter)] = state
            }
        }
    }

    private func require(_ name: String) throws -> Group {
        guard let group = group(named: name) else {
            throw GroupAssignmentError(description: "no parameter group named '\(name)' (groups: \(groups.map(\.config.name).joined(separator: ", ")))")
        }
        return group
    }
}

import Autodiff
import Foundation
import Specs
import Training

/// An optimizer's hyper-parameters as a group or the training section sets them (PyTorch's defaults
/// where neither does; Kim's ρ 0.95 for Adadelta).
struct OptimizerFields: Decodable {
    var momentum: Double?
    var rho: Double?
    var epsilon: Double?
    var betas: Located<[Double]>?

    enum CodingKeys: String, CodingKey { case momentum, rho, epsilon, betas }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum)
        rho = try c.decodeIfPresent(Double.self, forKey: .rho)
        epsilon = try c.decodeIfPresent(Double.self, forKey: .epsilon)
        betas = try c.decodeIfPresent(Located<[Double]>.self, forKey: .betas)
        if let betas, betas.value.count != 2 || !betas.value.allSatisfy({ $0 >= 0 && $0 < 1 }) {
            throw betas.error("expected two numbers in [0, 1), as [0.9, 0.999]")
        }
    }

    init() {}

    /// `self` where set, else `fallback`.
    func over(_ fallback: OptimizerFields) -> OptimizerFields {
        var merged = self
        merged.momentum = momentum ?? fallback.momentum
        merged.rho = rho ?? fallback.rho
        merged.epsilon = epsilon ?? fallback.epsilon
        merged.betas = betas ?? fallback.betas
        return merged
    }

    func kind(_ name: OptimizerName) -> OptimizerKind {
        let (beta1, beta2) = betas.map { (Float($0.value[0]), Float($0.value[1])) } ?? (0.9, 0.999)
        switch name {
        case .sgd: return .sgd(momentum: Float(momentum ?? 0))
        case .nesterov: return .sgd(momentum: Float(momentum ?? 0.9), nesterov: true)
        case .asgd: return .asgd()
        case .adam: return .adam(beta1: beta1, beta2: beta2, epsilon: Float(epsilon ?? 1e-8))
        case .adamw: return .adamW(beta1: beta1, beta2: beta2, epsilon: Float(epsilon ?? 1e-8))
        case .adagrad: return .adagrad()
        case .adadelta: return .adadelta(rho: Float(rho ?? 0.95), epsilon: Float(epsilon ?? 1e-6))
        }
    }
}

enum OptimizerName: String, ConfigChoice { case sgd, nesterov, asgd, adam, adamw, adagrad, adadelta }

/// A learning-rate schedule as a spec writes it: `constant`, or a mapping naming one schedule with its fields.
enum ScheduleSpec: Decodable {
    case constant
    case slantedTriangular(cutFraction: Double, ratio: Double)
    /// Warm-up over a number of steps, or over a fraction of the run's steps (BERT's 10%).
    case linearWarmup(warmupSteps: Int?, warmupFraction: Double?, finalFraction: Double)
    case exponential(gamma: Double)
    case step(stepSize: Int, gamma: Double)
    case oneCycle(pctStart: Double, divFactor: Double, finalDivFactor: Double)

    enum Kind: String, CodingKey, CaseIterable {
        case slantedTriangular = "slanted_triangular", linearWarmup = "linear_warmup", exponential, step, oneCycle = "one_cycle"
    }
    enum Field: String, CodingKey {
        case cutFraction = "cut_fraction", ratio, warmupSteps = "warmup_steps", warmupFraction = "warmup_fraction", finalFraction = "final_fraction", gamma
        case stepSize = "step_size", pctStart = "pct_start", divFactor = "div_factor", finalDivFactor = "final_div_factor"
    }

    init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            guard word == "constant" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected constant or a schedule mapping, found '\(word)'"))
            }
            self = .constant
            return
        }
        let c = try decoder.container(keyedBy: Kind.self)
        let present = Kind.allCases.filter { c.contains($0) }
        guard present.count == 1, let kind = present.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "name one schedule: \(Kind.allCases.map(\.stringValue).joined(separator: ", "))"))
        }
        let f = try c.nestedContainer(keyedBy: Field.self, forKey: kind)
        switch kind {
        case .slantedTriangular: self = .slantedTriangular(cutFraction: try f.decode(.cutFraction, or: 0.1), ratio: try f.decode(.ratio, or: 32))
        case .linearWarmup:
            let steps = try f.decodeIfPresent(Int.self, forKey: .warmupSteps), fraction = try f.decodeIfPresent(Double.self, forKey: .warmupFraction)
            guard (steps == nil) != (fraction == nil), (fraction ?? 0) >= 0, (fraction ?? 0) <= 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: f.codingPath, debugDescription: "give warmup_steps or warmup_fraction (in [0, 1]), one of them"))
            }
            self = .linearWarmup(warmupSteps: steps, warmupFraction: fraction, finalFraction: try f.decode(.finalFraction, or: 0))
        case .exponential: self = .exponential(gamma: try f.decode(Double.self, forKey: .gamma))
        case .step: self = .step(stepSize: try f.decode(Int.self, forKey: .stepSize), gamma: try f.decode(Double.self, forKey: .gamma))
        case .oneCycle:
            self = .oneCycle(pctStart: try f.decode(.pctStart, or: 0.3), divFactor: try f.decode(.divFactor, or: 25),
                             finalDivFactor: try f.decode(.finalDivFactor, or: 1e4))
        }
    }

    /// The schedule over a run of `totalSteps` optimizer steps.
    func schedule(totalSteps: Int) -> Schedule {
        switch self {
        case .constant: return .constant
        case let .slantedTriangular(cut, ratio): return .slantedTriangular(totalSteps: totalSteps, cutFraction: Float(cut), ratio: Float(ratio))
        case let .linearWarmup(steps, fraction, final):
            let warmup = steps ?? Int((Double(totalSteps) * (fraction ?? 0)).rounded())
            return .linearWarmupDecay(warmupSteps: warmup, totalSteps: totalSteps, finalFraction: Float(final))
        case let .exponential(gamma): return .exponential(gamma: Float(gamma))
        case let .step(size, gamma): return .step(stepSize: size, gamma: Float(gamma))
        case let .oneCycle(pct, div, finalDiv):
            return .oneCycle(totalSteps: totalSteps, pctStart: Float(pct), divFactor: Float(div), finalDivFactor: Float(finalDiv))
        }
    }
}

/// `train:` of a run's configuration: batches, epochs, optimizer, parameter groups and phases (or an
/// unfreezing schedule), discriminative rates, clipping, early stopping and an auxiliary loss.
struct TrainSection: Decodable {
    struct GroupFields: Decodable {
        var patterns: [String]
        var exclude: [String]
        var optimizer: OptimizerName?
        var learningRate: Double?
        var weightDecay: Double?
        var frozen: Bool?
        var maxRowNorm: Double?
        var clipNorm: Double?
        var schedule: ScheduleSpec?
        var hyper: OptimizerFields

        enum CodingKeys: String, CodingKey {
            case patterns, exclude, optimizer, learningRate = "learning_rate", weightDecay = "weight_decay", frozen, maxRowNorm = "max_row_norm"
            case clipNorm = "clip_norm", schedule
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            patterns = try c.decode(.patterns, or: ["*"])
            exclude = try c.decode(.exclude, or: [])
            optimizer = try c.decodeIfPresent(OptimizerName.self, forKey: .optimizer)
            learningRate = try c.decodeIfPresent(.learningRate, Valid.rate, Valid.isRate)
            weightDecay = try c.decodeIfPresent(.weightDecay, Valid.nonNegative, Valid.isNonNegative)
            frozen = try c.decodeIfPresent(Bool.self, forKey: .frozen)
            maxRowNorm = try c.decodeIfPresent(.maxRowNorm, Valid.rate, Valid.isRate)
            clipNorm = try c.decodeIfPresent(.clipNorm, Valid.rate, Valid.isRate)
            schedule = try c.decodeIfPresent(ScheduleSpec.self, forKey: .schedule)
            hyper = try OptimizerFields(from: decoder)
        }
    }

    struct PhaseFields: Decodable {
        var epochs: Int
        var frozen: Located<[String]>?
        var rateFactors: Ordered<Located<Double>>?
        var resetMoments: Bool?
        enum CodingKeys: String, CodingKey { case epochs, frozen, rateFactors = "rate_factors", resetMoments = "reset_moments" }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            epochs = try c.decode(Int.self, forKey: .epochs)
            guard epochs >= 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.epochs], debugDescription: "expected \(Valid.positive), found \(epochs)"))
            }
            frozen = try c.decodeIfPresent(Located<[String]>.self, forKey: .frozen)
            rateFactors = try c.decodeIfPresent(Ordered<Located<Double>>.self, forKey: .rateFactors)
            for (group, factor) in rateFactors?.entries ?? [] where !(factor.value >= 0) {
                throw factor.error("the rate factor of '\(group)' must be 0 or more, not \(factor.value)")
            }
            resetMoments = try c.decodeIfPresent(Bool.self, forKey: .resetMoments)
        }
    }

    struct Discriminative: Decodable {
        var factor: Double?
        var order: Located<[String]>
    }

    enum UnfreezingKind: String, ConfigChoice { case gradual, chainThaw = "chain-thaw", lastLayer = "last-layer", full, siatl }

    struct UnfreezingFields: Decodable {
        var kind: UnfreezingKind
        var order: Located<[String]>?
        /// Epochs of each gradual-unfreezing stage before the last (which takes the epochs left); 1 as in the paper.
        var epochsPerStage: Int?
        enum CodingKeys: String, CodingKey { case kind, order, epochsPerStage = "epochs_per_stage" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(UnfreezingKind.self, forKey: .kind)
            order = try c.decodeIfPresent(Located<[String]>.self, forKey: .order)
            epochsPerStage = try c.decodeIfPresent(.epochsPerStage, Valid.positive, Valid.atLeast1)
        }
    }

    /// Whether the schedules span the run (`run`) or each phase has its own (`phase`: each unfreezing stage restarts
    /// its slanted triangular or one-cycle rates over its own steps, as ULMFiT with fastai's `fit_one_cycle` per stage).
    enum ScheduleScope: String, ConfigChoice { case run, phase }
    /// When early stopping starts counting: from the first epoch (`start`), or once no group but those always
    /// frozen is frozen any more (`all-trainable`: a run is not stopped while gradual unfreezing has not finished).
    enum PatienceFrom: String, ConfigChoice { case start, allTrainable = "all-trainable" }

    enum Auxiliary: String, ConfigChoice { case none, siatl }
    enum SelectBy: String, ConfigChoice { case accuracy, loss, entityF1 = "entity_f1" }
    /// `Training.Batching` as a spec word.
    enum BatchingChoice: String, ConfigChoice { case random, lengthGrouped = "length-grouped" }

    var batchSize: Int?
    var batching: BatchingChoice
    var epochs: Int?
    /// The fewest optimizer steps a run takes: each epoch passes over a small training set as often as that needs
    /// (Mosbach et al. 2021: few-sample fine-tuning fails for want of iterations, not of examples).
    var minSteps: Int?
    var optimizer: OptimizerName
    var learningRate: Double
    var hyper: OptimizerFields
    var groups: Located<Ordered<Located<GroupFields>>>?
    var phases: [Located<PhaseFields>]?
    var clipNorm: Float?
    var patience: Int?
    var schedule: ScheduleSpec?
    var discriminative: Discriminative?
    var unfreezing: Located<UnfreezingFields>?
    var auxiliary: Auxiliary
    /// The validation score the best epoch is chosen by; the kind's default when the spec says none.
    var selectBy: SelectBy?
    var scheduleScope: ScheduleScope
    var patienceFrom: PatienceFrom

    enum CodingKeys: String, CodingKey {
        case batchSize = "batch_size", batching, epochs, minSteps = "min_steps", optimizer, learningRate = "learning_rate", groups, phases, clipNorm = "clip_norm", patience
        case schedule, discriminative, unfreezing, auxiliary, selectBy = "select_by", scheduleScope = "schedule_scope", patienceFrom = "patience_from"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batchSize = try c.decodeIfPresent(.batchSize, Valid.positive, Valid.atLeast1)
        batching = try c.decode(.batching, or: .random)
        epochs = try c.decodeIfPresent(.epochs, Valid.positive, Valid.atLeast1)
        minSteps = try c.decodeIfPresent(.minSteps, Valid.positive, Valid.atLeast1)
        optimizer = try c.decode(.optimizer, or: .adam)
        learningRate = try c.decode(.learningRate, or: 1e-3, Valid.rate, Valid.isRate)
        hyper = try OptimizerFields(from: decoder)
        groups = try c.decodeIfPresent(Located<Ordered<Located<GroupFields>>>.self, forKey: .groups)
        phases = try c.decodeIfPresent([Located<PhaseFields>].self, forKey: .phases)
        // A number, or `none` (no clipping; an override can turn off a spec's clipping).
        if let clip = try c.decodeIfPresent(String.self, forKey: .clipNorm), clip != "none" {
            guard let value = Float(clip), value.isFinite, value > 0 else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.clipNorm], debugDescription: "expected a number above 0 or none, found '\(clip)'"))
            }
            clipNorm = value
        }
        patience = try c.decodeIfPresent(.patience, Valid.positive, Valid.atLeast1)
        schedule = try c.decodeIfPresent(ScheduleSpec.self, forKey: .schedule)
        discriminative = try c.decodeIfPresent(Discriminative.self, forKey: .discriminative)
        unfreezing = try c.decodeIfPresent(Located<UnfreezingFields>.self, forKey: .unfreezing)
        auxiliary = try c.decode(.auxiliary, or: .none)
        selectBy = try c.decodeIfPresent(SelectBy.self, forKey: .selectBy)
        scheduleScope = try c.decode(.scheduleScope, or: .run)
        patienceFrom = try c.decode(.patienceFrom, or: .start)
        // A run trains its phases' epochs; an `epochs` beside them that says otherwise would size its schedules wrongly.
        if let epochs, phases != nil, epochCount != epochs {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.epochs], debugDescription:
                "\(epochs) epochs, but the phases add up to \(epochCount): a run trains its phases' epochs (give them alike, or `epochs: ~`)"))
        }
    }

    /// The phase from which early stopping counts: 0, or with `patience_from: all-trainable` the first phase that
    /// freezes nothing but the groups frozen for the whole run (none: patience never counts).
    func patienceStartPhase(_ phases: [Phase], groups: [GroupConfig]) -> Int {
        guard patienceFrom == .allTrainable else { return 0 }
        let alwaysFrozen = Set(groups.filter(\.frozen).map(\.name))
        return phases.firstIndex { Set($0.frozen).isSubset(of: alwaysFrozen) } ?? phases.count
    }

    /// Epochs of training: the phases' sum, else `epochs` (default 10).
    var epochCount: Int { phases.map { $0.reduce(0) { $0 + $1.value.epochs } } ?? epochs ?? 10 }

    /// Passes over the training set per epoch: 1, or with `min_steps` the fewest that give the run's epochs at least
    /// that many steps of `stepsPerPass`.
    func passesPerEpoch(stepsPerPass: Int) -> Int {
        guard let minSteps else { return 1 }
        let stepsPerEpoch = Swift.max(epochCount * stepsPerPass, 1)
        return Swift.max(1, (minSteps + stepsPerEpoch - 1) / stepsPerEpoch)
    }

    /// Parameter groups in spec order, with schedules sized to `totalSteps` and, with `discriminative`
    /// ({factor, order: groups bottom → top}), each lower group's rate the one above it ÷ factor
    /// (Howard & Ruder 2018, eq. 2). A spec without groups trains everything as one group.
    func groupConfigs(totalSteps: Int) throws -> [GroupConfig] {
        guard let groups, !groups.value.entries.isEmpty else {
            return [GroupConfig(name: "all", patterns: ["*"], optimizer: hyper.kind(optimizer), learningRate: Float(learningRate),
                                schedule: (schedule ?? .constant).schedule(totalSteps: totalSteps))]
        }
        var configs = groups.value.entries.map { name, located in
            let g = located.value
            return GroupConfig(name: name, patterns: g.patterns, exclude: g.exclude, optimizer: g.hyper.over(hyper).kind(g.optimizer ?? optimizer),
                               learningRate: Float(g.learningRate ?? learningRate), weightDecay: Float(g.weightDecay ?? 0),
                               schedule: (g.schedule ?? schedule ?? .constant).schedule(totalSteps: totalSteps), frozen: g.frozen ?? false,
                               maxRowNorm: g.maxRowNorm.map(Float.init), clipNorm: g.clipNorm.map(Float.init))
        }
        if let d = discriminative {
            let factor = Float(d.factor ?? 2.6)
            for name in d.order.value where !configs.contains(where: { $0.name == name }) {
                throw d.order.error("no parameter group '\(name)' (groups: \(configs.map(\.name).joined(separator: ", ")))")
            }
            guard let top = d.order.value.last, let topRate = configs.first(where: { $0.name == top })?.learningRate else {
                throw d.order.error("name the parameter groups from the bottom to the top")
            }
            for (depth, name) in d.order.value.reversed().enumerated() {
                guard let i = configs.firstIndex(where: { $0.name == name }) else {
                    throw d.order.error("no parameter group '\(name)' (groups: \(configs.map(\.name).joined(separator: ", ")))")
                }
                configs[i].learningRate = topRate / pow(factor, Float(depth))
            }
        }
        return configs
    }

    /// Phases with `rate_factors` turned into absolute rates; groups frozen in the group list stay frozen.
    /// Without `phases`, `unfreezing` ({kind: gradual/chain-thaw/last-layer/full/siatl, order: groups
    /// bottom → top}) builds them for `epochs`.
    func phaseList(groups: [GroupConfig]) throws -> [Phase] {
        let alwaysFrozen = groups.filter(\.frozen).map(\.name)
        func unknown(_ name: String) -> String { "no parameter group '\(name)' (groups: \(groups.map(\.name).joined(separator: ", ")))" }
        if phases == nil, let u = unfreezing {
            let order = u.value.order?.value ?? []
            for name in order where !groups.contains(where: { $0.name == name }) { throw (u.value.order ?? Located(order, at: u.location, path: u.path)).error(unknown(name)) }
            let built: [Phase]
            switch u.value.kind {
            case .gradual: built = Unfreezing.gradual(order, epochs: epochCount, epochsPerStage: u.value.epochsPerStage ?? 1)
            case .chainThaw: built = Unfreezing.chainThaw(order, epochs: epochCount)
            case .lastLayer: built = Unfreezing.lastLayer(order, epochs: epochCount)
            case .full: built = Unfreezing.full(epochs: epochCount)
            case .siatl:
                guard order.count >= 3 else {
                    throw SpecError(location: u.location, path: u.path + ".order",
                                    message: "siatl unfreezing names the embedding group, the pretrained groups and the new layers' group, in that order")
                }
                built = Unfreezing.siatl(order, epochs: epochCount)
            }
            return built.map { Phase(epochs: $0.epochs, frozen: Array(Set($0.frozen + alwaysFrozen)).sorted(), restartsSchedule: scheduleScope == .phase) }
        }
        guard let phases else { return [Phase(epochs: epochCount, frozen: alwaysFrozen)] }
        return try phases.map { located in
            let phase = located.value
            var rates: [String: Float] = [:]
            for (name, factor) in phase.rateFactors?.entries ?? [] {
                guard let base = groups.first(where: { $0.name == name }) else { throw factor.error(unknown(name)) }
                rates[name] = base.learningRate * Float(factor.value)
            }
            let frozen = phase.frozen?.value ?? []
            for name in frozen where !groups.contains(where: { $0.name == name }) { throw phase.frozen!.error(unknown(name)) }
            return Phase(epochs: phase.epochs, frozen: Array(Set(frozen + alwaysFrozen)).sorted(), learningRates: rates,
                         resetMoments: phase.resetMoments ?? false, restartsSchedule: scheduleScope == .phase)
        }
    }

    /// Checks that the groups fit `parameters` (every pattern matches one, every parameter is in exactly
    /// one group) and that the phases name real groups; errors point at the spec line of the group.
    func checkGroups(against parameters: [Autodiff.Parameter], groups configs: [GroupConfig], at location: SourceLocation) throws {
        do {
            _ = try GroupAssignment.assign(parameters, to: configs)
        } catch let error as GroupAssignmentError {
            let group = error.group.flatMap { groups?.value[$0] }
            let path = ["train.groups", error.group].compactMap { $0 }.joined(separator: ".")
            throw SpecError(location: group?.location ?? groups?.location ?? location, path: path, message: error.description)
        }
        _ = try phaseList(groups: configs)
    }
}

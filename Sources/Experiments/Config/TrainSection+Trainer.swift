import Models
import Training

extension TrainSection {
    /// A `ClassifierTrainer` for `model` as this section configures it: batch size and batching, parameter groups with their
    /// schedules sized to the run's steps, phases, patience (and from which phase it counts), clipping, SiATL's auxiliary
    /// loss weights, selection.
    func classifierTrainer(_ model: TextClassifier, trainExamples: Int, classes: Int, seed: UInt64,
                           batchSize defaultBatch: Int, selectBy defaultSelection: SelectBy = .accuracy) throws -> (ClassifierTrainer, [GroupConfig]) {
        var training = ClassifierTrainingConfig()
        training.batchSize = batchSize ?? defaultBatch
        training.batching = batching == .lengthGrouped ? .lengthGrouped : .random
        let stepsPerPass = (trainExamples + training.batchSize - 1) / training.batchSize
        training.passesPerEpoch = passesPerEpoch(stepsPerPass: stepsPerPass)
        let steps = epochCount * training.passesPerEpoch * stepsPerPass
        let groups = try groupConfigs(totalSteps: steps)
        let optimizer = try GroupedOptimizer(parameters: model.parameters, groups: groups)
        training.phases = try phaseList(groups: groups)
        training.patience = patience
        training.patienceFromPhase = patienceStartPhase(training.phases, groups: groups)
        training.clipNorm = clipNorm
        training.seed = seed
        if auxiliary == .siatl { training.auxiliaryWeights = SiATLWeight.schedule(epochs: epochCount) }
        if selectBy == .entityF1 && defaultSelection != .entityF1 {
            throw RunFailure(message: "train.select_by: entity_f1 scores tagged entities, a choice of the tagger kinds (bert-tagger, bilstm-tagger); this kind scores accuracy and loss")
        }
        training.selectBy = switch selectBy ?? defaultSelection {
        case .accuracy: .accuracy
        case .loss: .loss
        case .entityF1: .entityF1
        }
        return (ClassifierTrainer(model: model, optimizer: optimizer, config: training, classes: classes), groups)
    }
}

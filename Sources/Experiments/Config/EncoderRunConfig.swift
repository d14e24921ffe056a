import Specs

/// The configuration of a run over a pretrained encoder checkpoint (bert-classifier, bert-tagger): the run's
/// coordinates, its data, the kind's own `model:` fields and training.
public struct EncoderRunConfig<Model: ModelSection>: Decodable {
    var run: RunSection
    var data: DataSection
    var model: Model
    var train: TrainSection

    enum CodingKeys: String, CodingKey { case run, data, model, train, experiment, stages }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        c.allow(.experiment, .stages)
        run = try c.decode(RunSection.self, forKey: .run)
        data = try c.decode(DataSection.self, forKey: .data)
        model = try c.decode(Model.self, forKey: .model)
        train = try c.decodeIfPresent(TrainSection.self, forKey: .train) ?? ConfigDecoder().defaults(TrainSection.self)
    }
}

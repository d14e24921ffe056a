/// The peer tools' figures as measured once on another machine, printed beside ours with that machine named and
/// never as a ratio (a speed claim is a ratio measured in the same run on the same machine); never asserted.
public enum PeerFigures {
    /// Where and when they were measured.
    public static let machine = "a 2-vCPU AMD EPYC (Zen 5) on 2026-11-22"
    /// How a line quotes one: the figure with its machine, and no ratio.
    public static func quote(_ peer: String, _ figure: String) -> String { " | \(peer) measured on \(machine): \(figure) (another machine: no ratio)" }
    /// PyTorch 2.15 CPU `lstm_lm` training tokens/s by thread count.
    public static let torchLanguageModel: [Int: Double] = [1: 1008, 2: 1823]
    /// PyTorch 2.15 CPU `textclf_frozen` / `textclf_trainable` examples/s by thread count.
    public static let torchTextClassifier: [Bool: [Int: Double]] = [false: [1: 1077, 2: 1113], true: [1: 534, 2: 827]]
    /// Debian OpenBLAS C benchmark GFLOP/s (1 thread) by case, for the AVX2 (Haswell) and AVX-512 kernels.
    public static let cblasOneThread: [String: (avx2: Double, avx512: Double)] = [
        "square1024": (113.5, 209.7), "skinny_fwd_32x1600x400": (98.4, 142.3), "lstm_gates_32x768x2048": (98.5, 106.0),
    ]
}

extension PeerFigures {
    /// Stanford GloVe (C, double precision) on the peers' 2M-token corpus, vector 50, window 15,
    /// 5 iterations: seconds for vocab_count + cooccur + shuffle, and training at 1 / 2 threads.
    public static let stanfordGloVe = (vocabCount: 0.26, cooccur: 4.41, shuffle: 4.57, train: [1: 73.0, 2: 40.5])
}

extension PeerFigures {
    /// gensim 4.4.0 Doc2Vec effective words/s on the peers' 2M-token corpus (vector 100, window 5,
    /// negative 5, min_count 2, 5 epochs), by mode and worker count.
    public static let gensimDoc2Vec: [String: [Int: Double]] = ["dbow": [1: 877_799, 2: 1_635_455], "dm-mean": [1: 699_400, 2: 1_201_404]]
    /// gensim 4.4.0 `infer_vector` seconds for 1,000 documents.
    public static let gensimInfer: [String: Double] = ["dbow": 0.69, "dm-mean": 0.80]
}

/// The peer tools' figures measured on this kind of machine (../shared/PERF.md, 2026-11-22), shown
/// beside ours for comparison. They are printed, never asserted.
public enum PeerFigures {
    /// PyTorch 2.15 CPU `lstm_lm` training tokens/s by thread count.
    public static let torchLanguageModel: [Int: Double] = [1: 1008, 2: 1823]
    /// Debian OpenBLAS C benchmark GFLOP/s (1 thread) by case, for the AVX2 (Haswell) and AVX-512 kernels.
    public static let cblasOneThread: [String: (avx2: Double, avx512: Double)] = [
        "square1024": (113.5, 209.7), "skinny_fwd_32x1600x400": (98.4, 142.3), "lstm_gates_32x768x2048": (98.5, 106.0),
    ]
}

/// Which way a metric improves: a loss or a perplexity falls; accuracy, F1, ρ and the rest rise.
public enum MetricDirection {
    public static func lowerIsBetter(_ name: String) -> Bool { name.hasSuffix("loss") || name.hasSuffix("perplexity") }
}

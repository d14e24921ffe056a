import Specs
import Training

/// `tfidf-lr`: word 1–2-gram TF-IDF (sublinear tf) and L2 logistic regression, C chosen on validation: the
/// bag-of-words floor every classification experiment is read against.
public enum TfidfLogisticRun: RunKind {
    public static let id = "tfidf-lr"

    public struct Model: BaselineModel {
        var fields: BaselineFields
        public var minCount: Int { fields.minCount }
        public var order: Int { fields.order }
        public var cs: [Double] { fields.cs }
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, minCount = "min_count", order, c }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            fields = try BaselineFields(c, minCount: .minCount, order: .order, cs: .c)
        }

        public func fit(_ features: NGramFeatures, train: [[String]], labels: [Int32], classes: Int, c: Double)
            -> (([[String]], [Int32]) -> ClassificationMetrics, converged: Bool) {
            let model = SparseLogisticRegression.fit(features.tfidf(train), labels: labels, classes: classes, c: c)
            return ({ model.evaluate(features.tfidf($0), labels: $1) }, model.fit.converged)
        }
    }

    public typealias Config = BaselineRunConfig<Model>
}

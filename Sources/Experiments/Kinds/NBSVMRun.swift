import Specs
import Training

/// `nbsvm`: NB-SVM on binarised word 1–2-grams (Wang & Manning 2012), α and β as the paper, C chosen on validation.
public enum NBSVMRun: RunKind {
    public static let id = "nbsvm"

    public struct Model: BaselineModel {
        var fields: BaselineFields
        var alpha = 1.0, beta = 0.25
        public var minCount: Int { fields.minCount }
        public var order: Int { fields.order }
        public var cs: [Double] { fields.cs }
        public enum CodingKeys: String, CodingKey, CaseIterable { case kind, minCount = "min_count", order, c, alpha, beta }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.decode(String.self, forKey: .kind)
            fields = try BaselineFields(c, minCount: .minCount, order: .order, cs: .c)
            alpha = try c.decode(.alpha, or: alpha, "positive") { (a: Double) in a > 0 && a.isFinite }
            beta = try c.decode(.beta, or: beta, "a fraction in [0, 1]") { (b: Double) in (0...1).contains(b) }
        }

        public func fit(_ features: NGramFeatures, train: [[String]], labels: [Int32], classes: Int, c: Double)
            -> (([[String]], [Int32]) -> ClassificationMetrics, converged: Bool) {
            let model = NBSVM.fit(features.binary(train), labels: labels, classes: classes, c: c, alpha: alpha, beta: beta)
            return ({ model.evaluate(features.binary($0), labels: $1) }, model.fits.allSatisfy(\.converged))
        }
    }

    public typealias Config = BaselineRunConfig<Model>
}

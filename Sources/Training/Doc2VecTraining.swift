import Datasets
import Foundation
import Models

/// From token lists to a Doc2Vec model and corpus: the vocabulary (no special tokens; words with at
/// least `minCount` occurrences, by descending count) and documents encoded with unknown words dropped.
public enum Doc2VecData {
    public static func vocabulary<S: Sequence>(_ documents: S, minCount: Int) -> Vocabulary where S.Element == [String] {
        Vocabulary(documents: documents, minCount: minCount, specials: [])
    }

    public static func model(_ config: Doc2VecConfig, vocabulary: Vocabulary) -> Doc2Vec {
        Doc2Vec(config: config, words: vocabulary.tokens, counts: vocabulary.counts)
    }

    /// Adds one document vector per document to `model` and returns the corpus that trains them.
    public static func corpus(_ documents: [[String]], model: Doc2Vec) -> Doc2VecCorpus {
        let tags = model.addDocuments(documents.count)
        var corpus = Doc2VecCorpus()
        for (document, tag) in zip(documents, tags) { corpus.append(model.encode(document), tag: tag) }
        return corpus
    }

    /// Cosine similarity of two vectors.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for k in a.indices { dot += a[k] * b[k]; na += a[k] * a[k]; nb += b[k] * b[k] }
        return dot / max((na * nb).squareRoot(), 1e-12)
    }
}

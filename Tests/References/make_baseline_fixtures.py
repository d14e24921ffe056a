#!/usr/bin/env python3
"""Writes the golden fixture the bag-of-words baseline tests compare against, with scikit-learn.

TF-IDF weights from `TfidfVectorizer` (word 1-2-grams, sublinear tf, min_df as a count, smooth idf, L2 rows) and
`LogisticRegression` (lbfgs, L2, intercept unpenalised) probabilities and predictions, on small real samples of two
installed datasets: mr-sentences (2 classes) and bbc-news (5 classes, first 200 tokens). The documents are tokenized
here by scikit-learn's default analyzer (lowercase, `(?u)\\b\\w\\w+\\b`) and the tokens stored in the fixture, so the
Swift test feeds both sides the same tokens and compares the features and the fit, not the tokenizers.

Run from the repository root with the datasets installed (`tlab data install mr-sentences bbc-news`):
    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install scikit-learn==1.6.1
    /tmp/refvenv/bin/python Tests/References/make_baseline_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sample(dataset, every, count, max_tokens):
    with open(os.path.join(ROOT, "data", dataset, "examples.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = [rows[i] for i in np.random.default_rng(20261205).permutation(len(rows))][::every][:count]  # classes mixed
    analyzer = CountVectorizer().build_analyzer()
    return [analyzer(r["text"])[:max_tokens] for r in rows], [r["label"] for r in rows]


def task(dataset, every, count, train, max_tokens, min_df, cs):
    docs, labels = sample(dataset, every, count, max_tokens)
    names = sorted(set(labels))
    y = np.array([names.index(l) for l in labels])
    assert len(set(y[:train])) == len(names), "every class in the training part"
    identity = lambda tokens: tokens
    vectorizer = TfidfVectorizer(tokenizer=identity, preprocessor=identity, lowercase=False, token_pattern=None,
                                 ngram_range=(1, 2), sublinear_tf=True, min_df=min_df)
    x_train = vectorizer.fit_transform(docs[:train])
    x_test = vectorizer.transform(docs[train:])
    terms = vectorizer.get_feature_names_out()
    rows = []
    for i in range(3):
        row = x_test[i].tocoo()
        rows.append({terms[j]: float(v) for j, v in zip(row.col, row.data)})
    fits = []
    for c in cs:
        model = LogisticRegression(C=c, solver="lbfgs", max_iter=100000, tol=1e-12).fit(x_train, y[:train])
        p = model.predict_proba(x_test)
        fits.append({"c": c, "predictions": [int(v) for v in model.predict(x_test)],
                     "probabilities": [[float(v) for v in row] for row in p[:20]],
                     "weight_norm": float(np.linalg.norm(model.coef_)), "intercept": [float(v) for v in model.intercept_]})
    return {"dataset": dataset, "documents": docs, "labels": [int(v) for v in y], "classes": len(names), "train": train,
            "min_count": min_df, "terms": len(terms), "idf": {t: float(v) for t, v in list(zip(terms, vectorizer.idf_))[::7]},
            "test_rows": rows, "fits": fits}


fixture = {
    "generator": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
    "tasks": [task("mr-sentences", 10, 400, 300, 10_000, 2, [0.1, 1.0, 10.0]),
              task("bbc-news", 9, 200, 150, 200, 2, [0.1, 1.0, 10.0])],
}
with open(os.path.join(HERE, "fixtures", "bag_of_words.json"), "w") as f:
    json.dump(fixture, f, separators=(",", ":"))

#!/usr/bin/env python3
"""gensim's side of `tlab bench doc2vec`: the same corpus, settings and quality check.

Trains gensim Doc2Vec (vector 100, window 5, negative 5, min_count 2, 5 epochs, seed 1, sample 1e-3,
as ../shared/peers/gensim_bench.py) with PV-DBOW and PV-DM (mean), prints gensim's effective words/s,
the infer_vector time for the first 1000 documents, and for the first 200 documents whether the
inferred vector's nearest trained document vector (cosine) is the document itself.

Usage: python gensim_doc2vec_check.py [--corpus /tmp/peers/corpus.txt] [--workers 1]
Needs gensim 4.4.0 (e.g. python3 -m venv /tmp/gs && /tmp/gs/bin/pip install gensim==4.4.0).
"""
import argparse
import logging
import re
import time

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument


class Rate(logging.Handler):
    pat = re.compile(r"took ([\d.]+)s, ([\d.]+) effective words/s")

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.rate = None

    def emit(self, record):
        m = self.pat.search(record.getMessage())
        if m:
            self.rate = float(m.group(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/tmp/peers/corpus.txt")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    with open(args.corpus) as f:
        docs = [TaggedDocument(line.split(), [i]) for i, line in enumerate(f)]
    handler = Rate()
    logging.getLogger("gensim").addHandler(handler)
    logging.getLogger("gensim").setLevel(logging.INFO)
    for name, dm in (("dbow", 0), ("dm-mean", 1)):
        model = Doc2Vec(docs, dm=dm, vector_size=100, window=5, negative=5, min_count=2, epochs=5, seed=1,
                        workers=args.workers)
        start = time.time()
        inferred = [model.infer_vector(docs[i].words) for i in range(1000)]
        seconds = time.time() - start
        trained = model.dv.vectors / np.linalg.norm(model.dv.vectors, axis=1, keepdims=True)
        top1 = sum(int(np.argmax(trained @ (v / np.linalg.norm(v))) == i) for i, v in enumerate(inferred[:200]))
        print(f"gensim {name} workers={args.workers} effective words/s {handler.rate:.0f}; infer_vector 1000 docs "
              f"{seconds:.2f} s; inferred vector nearest its own trained vector for {top1}/200 documents")


if __name__ == "__main__":
    main()

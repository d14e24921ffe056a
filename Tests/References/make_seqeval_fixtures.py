#!/usr/bin/env python3
"""Writes the golden fixture the entity-metric tests compare against, with seqeval 1.2.2.

Cases: 1,200 random pairs of gold and predicted tag sequences (1–4 sentences of 1–14 tags over three types, with
I- after O and after another type, lone B-s and runs of I-s: what conlleval's and IOB2's rules tell apart), and
real ones: 300 WNUT-16 sentences' gold tags against a corrupted copy (types swapped, boundaries moved, B- turned
into I-, entities dropped and invented). For each case: micro precision, recall and F1 and the per-type report,
in seqeval's default (conlleval) mode and in strict IOB2 mode.

Run from the repository root with wnut16-ner installed:
    /work/refvenv/bin/pip install seqeval==1.2.2
    /work/refvenv/bin/python Tests/References/make_seqeval_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os
import random
import warnings

from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TYPES = ["PER", "LOC", "ORG"]


def random_sentence(rng, n):
    tags = []
    for _ in range(n):
        r = rng.random()
        if r < 0.45:
            tags.append("O")
        elif r < 0.75:
            tags.append("B-" + rng.choice(TYPES))
        else:
            tags.append("I-" + rng.choice(TYPES))
    return tags


def corrupt(rng, tags):
    out = list(tags)
    for i, t in enumerate(out):
        r = rng.random()
        if t != "O" and r < 0.1:
            out[i] = t[:2] + rng.choice(TYPES + ["person", "location", "group"])
        elif t.startswith("B-") and r < 0.2:
            out[i] = "I-" + t[2:]
        elif t != "O" and r < 0.28:
            out[i] = "O"
        elif t == "O" and r < 0.05:
            out[i] = "B-" + rng.choice(["person", "location", "company"])
        elif t == "O" and r < 0.08:
            out[i] = "I-" + rng.choice(["person", "location"])
    return out


def none_if_nan(x):
    """seqeval's macro average over no entity type is NaN; JSON has null for it."""
    return None if x != x else x


def scores(gold, pred):
    result = {}
    for mode, kwargs in (("conlleval", {}), ("strict-iob2", {"mode": "strict", "scheme": IOB2})):
        report = classification_report(gold, pred, output_dict=True, zero_division=0, **kwargs)
        per_type = {k: [v["precision"], v["recall"], v["f1-score"], int(v["support"])]
                    for k, v in report.items() if k not in ("micro avg", "macro avg", "weighted avg")}
        result[mode] = {
            "precision": precision_score(gold, pred, zero_division=0, **kwargs),
            "recall": recall_score(gold, pred, zero_division=0, **kwargs),
            "f1": f1_score(gold, pred, zero_division=0, **kwargs),
            "macro_f1": none_if_nan(f1_score(gold, pred, average="macro", zero_division=0, **kwargs)),
            "per_type": per_type,
        }
    return result


def main():
    import seqeval
    warnings.simplefilter("ignore")
    rng = random.Random(20261205)
    cases = []
    for _ in range(1200):
        lengths = [rng.randint(1, 14) for _ in range(rng.randint(1, 4))]
        gold = [random_sentence(rng, n) for n in lengths]
        pred = [corrupt(rng, s) if rng.random() < 0.5 else random_sentence(rng, len(s)) for s in gold]
        cases.append({"gold": gold, "predicted": pred, **scores(gold, pred)})
    sentences, block = [], []
    with open(os.path.join(ROOT, "data", "wnut16-ner", "sentences.conll"), encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.strip():
                block.append(line.split("\t")[1])
            elif block:
                sentences.append(block)
                block = []
    chosen = rng.sample(range(len(sentences)), 300)
    gold = [sentences[i] for i in chosen]
    pred = [corrupt(rng, s) for s in gold]
    real = {"sentences": chosen, "predicted": pred, **scores(gold, pred)}
    path = os.path.join(HERE, "fixtures", "seqeval.json")
    with open(path, "w") as f:
        json.dump({"reference": f"seqeval {seqeval.__version__ if hasattr(seqeval, '__version__') else '1.2.2'}",
                   "cases": cases, "wnut": real}, f, separators=(",", ":"))
    print(f"{path}: {len(cases)} random cases, {len(chosen)} WNUT sentences, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()

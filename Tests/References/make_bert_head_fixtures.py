#!/usr/bin/env python3
"""Writes the golden fixture for the BERT task heads: Hugging Face `transformers`' `BertForPreTraining` (MLM with
the decoder tied to the word embeddings, and NSP), `BertForSequenceClassification`, `BertForTokenClassification`
and `BertForQuestionAnswering` on one tiny random configuration sharing one encoder, in eval mode: every weight,
the inputs (a padded batch, a sentence pair among them), each head's loss and the gradients of every weight.

Run from the repository root in the reference venv:
    /work/refvenv/bin/pip install torch==2.15.0 transformers==5.23.0
    /work/refvenv/bin/python Tests/References/make_bert_head_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os

import torch
import transformers

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    torch.manual_seed(20261205)
    config = transformers.BertConfig(vocab_size=11, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=12, max_position_embeddings=6, type_vocab_size=2,
                                     hidden_act="gelu", layer_norm_eps=1e-12, initializer_range=0.3)
    config.num_labels = 3
    pretraining = transformers.BertForPreTraining(config).eval()
    with torch.no_grad():  # non-trivial LayerNorms and biases, so their gradients are not those of the identity
        for name, p in pretraining.named_parameters():
            if "LayerNorm" in name or name.endswith("bias"):
                p.uniform_(0.5, 1.5) if name.endswith("weight") else p.uniform_(-0.5, 0.5)
    sequence = transformers.BertForSequenceClassification(config).eval()
    config.num_labels = 4
    token = transformers.BertForTokenClassification(config).eval()
    config.num_labels = 2
    span = transformers.BertForQuestionAnswering(config).eval()
    encoder = {k[len("bert."):]: v for k, v in pretraining.state_dict().items() if k.startswith("bert.")}
    for model in (sequence, token, span):
        model.bert.load_state_dict(encoder, strict=False)

    ids = torch.tensor([[2, 5, 7, 3, 9], [2, 4, 3, 0, 0]])
    types = torch.tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    inputs = dict(input_ids=ids, token_type_ids=types, attention_mask=mask)
    mlm_labels = torch.tensor([[-100, 6, -100, -100, 1], [-100, 8, -100, -100, -100]])
    cases = {
        "pretraining": (pretraining, dict(labels=mlm_labels, next_sentence_label=torch.tensor([1, 0]))),
        "sequence": (sequence, dict(labels=torch.tensor([2, 0]))),
        "token": (token, dict(labels=torch.tensor([[-100, 1, 3, 0, -100], [-100, 2, -100, -100, -100]]))),
        "span": (span, dict(start_positions=torch.tensor([1, 2]), end_positions=torch.tensor([3, 2]))),
    }
    out = {"reference": f"transformers {transformers.__version__}, torch {torch.__version__}",
           "ids": ids.reshape(-1).tolist(), "types": types.reshape(-1).tolist(), "lengths": [5, 3],
           "mlm_labels": mlm_labels.reshape(-1).tolist(), "nsp_labels": [1, 0], "sequence_labels": [2, 0],
           "token_labels": cases["token"][1]["labels"].reshape(-1).tolist(), "starts": [1, 2], "ends": [3, 2]}
    for key, (model, labels) in cases.items():
        model.zero_grad()
        result = model(**inputs, **labels)
        result.loss.backward()
        weights, grads = {}, {}
        for name, p in model.named_parameters():
            weights[name] = {"shape": list(p.shape), "data": p.detach().reshape(-1).tolist()}
            grads[name] = p.grad.reshape(-1).tolist() if p.grad is not None else None
        out[key] = {"loss": float(result.loss.detach()), "weights": weights, "gradients": grads}
        if key == "pretraining":  # the two losses apart, as ours computes them
            logits = result.prediction_logits
            out[key]["mlm_loss"] = float(torch.nn.functional.cross_entropy(logits.reshape(-1, 11), mlm_labels.reshape(-1)).detach())
            out[key]["nsp_loss"] = float(torch.nn.functional.cross_entropy(result.seq_relationship_logits, torch.tensor([1, 0])).detach())
    path = os.path.join(HERE, "fixtures", "bert_heads.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the golden fixture for the softmax focal loss (Lin et al. 2017): −w[y]·(1 − p_y)^γ·log p_y over the rows
whose target is not −100, divided by Σ w[y] (as torch's weighted cross_entropy divides), written out in torch and
differentiated by its autograd, for γ = 0 (which must equal torch's cross_entropy), 0.5 and 2; one row nearly certain.

Run from the repository root in the reference venv:
    /work/refvenv/bin/pip install torch==2.15.0
    /work/refvenv/bin/python Tests/References/make_focal_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def tensor(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).double().tolist()}


def focal(logits, targets, gamma, weights):
    kept = targets != -100
    safe = torch.where(kept, targets, torch.zeros_like(targets))
    log_p = F.log_softmax(logits, dim=1).gather(1, safe[:, None])[:, 0]
    w = weights[safe] * kept
    return (w * (-torch.expm1(log_p)) ** gamma * -log_p).sum() / w.sum()


def main():
    torch.manual_seed(20261206)
    logits = torch.randn(6, 5, dtype=torch.float64) * 2
    logits[4] = torch.tensor([30.0, 0, 0, 0, 0], dtype=torch.float64)  # p_y ≈ 1 − 4e−13
    targets = torch.tensor([2, 0, -100, 4, 0, 1])
    weights = torch.tensor([1.0, 2.0, 0.5, 3.0, 1.5], dtype=torch.float64)
    out = {"reference": f"torch {torch.__version__} (the formula written out, autograd gradients)",
           "logits": tensor(logits), "targets": targets.tolist(), "weights": tensor(weights), "gammas": [0.0, 0.5, 2.0]}
    for gamma in out["gammas"]:
        x = logits.clone().requires_grad_()
        loss = focal(x, targets, gamma, weights)
        loss.backward()
        if gamma == 0:
            assert torch.allclose(loss, F.cross_entropy(logits, targets, weight=weights, ignore_index=-100))
        out[f"loss_{gamma}"] = loss.item()
        out[f"grad_{gamma}"] = tensor(x.grad)
    with open(os.path.join(HERE, "fixtures", "focal.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

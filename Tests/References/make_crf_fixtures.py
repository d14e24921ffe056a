#!/usr/bin/env python3
"""Writes the golden fixture for the linear-chain CRF: pytorch-crf's `CRF` (batch first, a mask for the padding) on a
random batch of three sequences of lengths 4, 1 and 3 over 5 tags — its negative log-likelihood averaged over positions
(`reduction="token_mean"`), the gradients of the emissions and of the transition, start and end scores, and its
Viterbi paths; then Viterbi paths alone on a longer batch.

Run from the repository root in the reference venv:
    /work/refvenv/bin/pip install torch==2.15.0 pytorch-crf==0.7.2
    /work/refvenv/bin/python Tests/References/make_crf_fixtures.py
Never regenerate this from the Swift output.
"""
import json
import os
from importlib.metadata import version

import torch
from torchcrf import CRF

HERE = os.path.dirname(os.path.abspath(__file__))


def tensor(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).double().tolist()}


def padded(paths, time):
    return [tag for path in paths for tag in path + [-1] * (time - len(path))]


def main():
    torch.manual_seed(20261206)
    tags, batch, time = 5, 3, 4
    crf = CRF(tags, batch_first=True)
    with torch.no_grad():  # scores of the size a trained tagger's have, not the initial ±0.1
        for p in crf.parameters():
            p.uniform_(-1.5, 1.5)
    lengths = [4, 1, 3]
    mask = torch.tensor([[t < n for t in range(time)] for n in lengths])
    emissions = (torch.randn(batch, time, tags) * 2).requires_grad_()
    gold = torch.randint(0, tags, (batch, time))
    loss = -crf(emissions, gold, mask=mask, reduction="token_mean")
    loss.backward()
    out = {"reference": f"pytorch-crf {version('pytorch-crf')}, torch {torch.__version__}",
           "emissions": tensor(emissions.reshape(batch * time, tags)), "transitions": tensor(crf.transitions),
           "start": tensor(crf.start_transitions), "end": tensor(crf.end_transitions), "lengths": lengths,
           "tags": padded([gold[b, :n].tolist() for b, n in enumerate(lengths)], time), "loss": loss.item(),
           "grad_emissions": tensor(emissions.grad.reshape(batch * time, tags)), "grad_transitions": tensor(crf.transitions.grad),
           "grad_start": tensor(crf.start_transitions.grad), "grad_end": tensor(crf.end_transitions.grad),
           "decoded": padded(crf.decode(emissions, mask=mask), time)}
    long_lengths, long_time = [9, 6], 9
    long_mask = torch.tensor([[t < n for t in range(long_time)] for n in long_lengths])
    long_emissions = torch.randn(len(long_lengths), long_time, tags) * 2
    out.update({"long_emissions": tensor(long_emissions.reshape(-1, tags)), "long_lengths": long_lengths,
                "long_decoded": padded(crf.decode(long_emissions, mask=long_mask), long_time)})
    with open(os.path.join(HERE, "fixtures", "crf.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

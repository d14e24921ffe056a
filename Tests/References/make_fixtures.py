#!/usr/bin/env python3
"""Writes the golden fixtures the Swift tests compare against.

Independent of the Swift code: forward passes are written here in float64 NumPy from the papers'
equations (PyTorch's documented conventions for gate order and loss reduction), and every gradient
is a float64 central difference of these forwards, so no backward derivation is shared with the
Swift kernels. Optimizer trajectories follow the algorithm boxes in PyTorch's documentation.

Run: python3 Tests/References/make_fixtures.py   (NumPy only; writes Tests/References/fixtures/*.json)
Never regenerate these from the Swift output.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
rng = np.random.default_rng(20261122)


def f32(a):
    """Round to float32 (the Swift side's precision) but keep computing in float64."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(x) for x in a.reshape(-1)]}


def numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def save(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump(obj, fh, indent=None, separators=(",", ":"))
    print("wrote", name)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---------------------------------------------------------------- LSTM (torch.nn.LSTM equations)
def lstm_forward(x, layers, lengths, h0, c0):
    """x [T, B, In]; layers: list of (W_ih [4H, In], W_hh [4H, H], b_ih, b_hh); gates i, f, g, o.
    Past its length a sequence keeps its state and outputs zeros (packed-sequence semantics)."""
    T, B, _ = x.shape
    inp = x
    hs, cs = [], []
    for l, (wih, whh, bih, bhh) in enumerate(layers):
        H = whh.shape[1]
        h, c = h0[l].copy(), c0[l].copy()
        out = np.zeros((T, B, H))
        for t in range(T):
            z = inp[t] @ wih.T + bih + h @ whh.T + bhh
            i, f, g, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sigmoid(z[:, 3 * H:])
            c_new = f * c + i * g
            h_new = o * np.tanh(c_new)
            alive = (t < lengths)[:, None]
            c = np.where(alive, c_new, c)
            h = np.where(alive, h_new, h)
            out[t] = np.where(alive, h_new, 0)
        hs.append(h)
        cs.append(c)
        inp = out
    return inp, np.stack(hs), np.stack(cs)


def lstm_fixture():
    T, B, In, H, L = 5, 3, 4, 3, 2
    x = f32(rng.uniform(-1, 1, (T, B, In)))
    layers = []
    for l in range(L):
        d = In if l == 0 else H
        layers.append([f32(rng.uniform(-0.5, 0.5, s)) for s in [(4 * H, d), (4 * H, H), (4 * H,), (4 * H,)]])
    lengths = np.array([5, 2, 4])
    h0 = f32(rng.uniform(-0.5, 0.5, (L, B, H)))
    c0 = f32(rng.uniform(-0.5, 0.5, (L, B, H)))
    dout = f32(rng.uniform(-1, 1, (T, B, H)))
    out, hT, cT = lstm_forward(x, layers, lengths, h0, c0)

    def loss():
        return float(np.sum(lstm_forward(x, layers, lengths, h0, c0)[0] * dout))

    fixture = {"x": tensor(x), "lengths": lengths.tolist(), "h0": tensor(h0), "c0": tensor(c0), "dout": tensor(dout),
               "out": tensor(out), "hT": tensor(hT), "cT": tensor(cT), "dx": tensor(numeric_grad(loss, x))}
    names = ["weightIH", "weightHH", "biasIH", "biasHH"]
    for l, params in enumerate(layers):
        for name, p in zip(names, params):
            fixture[f"layer{l}.{name}"] = tensor(p)
            fixture[f"layer{l}.{name}.grad"] = tensor(numeric_grad(loss, p))
    save("lstm", fixture)


# ---------------------------------------------------------------- softmax cross-entropy
def cross_entropy(logits, targets, weights, ignore):
    """torch.nn.functional.cross_entropy(weight=weights, ignore_index=ignore, reduction='mean')."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    num, den = 0.0, 0.0
    for r, t in enumerate(targets):
        if t == ignore:
            continue
        num += -weights[t] * logp[r, t]
        den += weights[t]
    return num / den


def cross_entropy_fixture():
    N, C = 6, 5
    logits = f32(rng.normal(0, 3, (N, C)))
    targets = [2, 0, -100, 4, 4, 1]
    weights = f32(rng.uniform(0.2, 3, C))
    loss = cross_entropy(logits, targets, weights, -100)
    grad = numeric_grad(lambda: cross_entropy(logits, targets, weights, -100), logits)
    # An extreme row checks the log-sum-exp path: p[target] underflows float32.
    big = f32([[80.0, -80.0, 0.0]])
    big_loss = cross_entropy(big, [1], np.ones(3), -100)
    save("cross_entropy", {"logits": tensor(logits), "targets": targets, "weights": tensor(weights), "ignore": -100,
                           "loss": loss, "grad": tensor(grad), "extremeLogits": tensor(big), "extremeLoss": big_loss})


# ---------------------------------------------------------------- scaled dot-product attention
def attention(q, k, v, mask):
    s = q @ np.swapaxes(k, 1, 2) / np.sqrt(q.shape[-1])
    s = np.where(mask > 0, s, -np.inf)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p = p / p.sum(axis=-1, keepdims=True)
    return p @ v


def attention_fixture():
    G, Tq, Tk, d, dv = 2, 3, 4, 5, 3
    q, k, v = (f32(rng.uniform(-1, 1, s)) for s in [(G, Tq, d), (G, Tk, d), (G, Tk, dv)])
    mask = np.ones((G, Tq, Tk))
    mask[0, :, 3] = 0          # key padding in group 0
    mask[1] = np.tril(np.ones((Tq, Tk)), 1)  # a causal-like pattern in group 1
    dout = f32(rng.uniform(-1, 1, (G, Tq, dv)))
    out = attention(q, k, v, mask)

    def loss():
        return float(np.sum(attention(q, k, v, mask) * dout))

    save("attention", {"q": tensor(q), "k": tensor(k), "v": tensor(v), "mask": tensor(mask), "dout": tensor(dout),
                       "out": tensor(out), "dq": tensor(numeric_grad(loss, q)), "dk": tensor(numeric_grad(loss, k)),
                       "dv": tensor(numeric_grad(loss, v))})


# ---------------------------------------------------------------- Adam / AdamW (torch.optim docs' algorithm)
def adam_fixture():
    steps, n = 6, 7
    p0 = f32(rng.uniform(-1, 1, n))
    grads = [f32(rng.normal(0, 1, n)) for _ in range(steps)]
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.1

    def run(decoupled):
        p = p0.copy()
        m = np.zeros(n)
        v = np.zeros(n)
        traj = []
        for t in range(1, steps + 1):
            g = grads[t - 1].copy()
            if decoupled:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            mhat = m / (1 - b1 ** t)
            vhat = v / (1 - b2 ** t)
            p = p - lr * mhat / (np.sqrt(vhat) + eps)
            traj.append(p.copy())
        return np.stack(traj)

    save("adam", {"p0": tensor(p0), "grads": tensor(np.stack(grads)), "lr": lr, "beta1": b1, "beta2": b2, "eps": eps,
                  "weightDecay": wd, "adam": tensor(run(False)), "adamW": tensor(run(True))})


# ---------------------------------------------------------------- xoshiro256** seeded by SplitMix64
def rng_fixture():
    M = (1 << 64) - 1

    def splitmix(state):
        state = (state + 0x9E3779B97F4A7C15) & M
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return state, z ^ (z >> 31)

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M

    sm = 42
    s = []
    for _ in range(4):
        sm, z = splitmix(sm)
        s.append(z)
    out = []
    for _ in range(10):
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(result)
    save("rng", {"seed": 42, "next": [str(x) for x in out], "uniform": [(x >> 40) * 2.0 ** -24 for x in out]})


# ---------------------------------------------------------------- batch normalisation
def batch_norm_fixture():
    """torch.nn.BatchNorm1d(C, eps=1e-5, momentum=0.1) on [N, C]: a training step (batch mean and biased
    variance; running estimates moved towards the batch's mean and unbiased variance), then evaluation with
    the updated estimates. Gradients: central differences of sum(y * dout)."""
    N, C, eps, momentum = 6, 4, 1e-5, 0.1
    x = f32(rng.normal(0.5, 2, (N, C)))
    gamma = f32(rng.uniform(0.5, 1.5, C))
    beta = f32(rng.uniform(-0.5, 0.5, C))
    mean0 = f32(rng.uniform(-1, 1, C))
    var0 = f32(rng.uniform(0.5, 2, C))
    dout = f32(rng.uniform(-1, 1, (N, C)))

    def train(x, gamma, beta):
        mu = x.mean(axis=0)
        var = ((x - mu) ** 2).mean(axis=0)
        return gamma * (x - mu) / np.sqrt(var + eps) + beta

    def evaluate(x, gamma, beta, mean, var):
        return gamma * (x - mean) / np.sqrt(var + eps) + beta

    mean1 = (1 - momentum) * mean0 + momentum * x.mean(axis=0)
    var1 = (1 - momentum) * var0 + momentum * x.var(axis=0, ddof=1)
    fixture = {"x": tensor(x), "gamma": tensor(gamma), "beta": tensor(beta), "runningMean": tensor(mean0),
               "runningVar": tensor(var0), "dout": tensor(dout), "momentum": momentum, "eps": eps,
               "trainOut": tensor(train(x, gamma, beta)), "runningMeanAfter": tensor(mean1), "runningVarAfter": tensor(var1),
               "evalOut": tensor(evaluate(x, gamma, beta, mean1, var1))}
    for mode, f in [("train", lambda: float(np.sum(train(x, gamma, beta) * dout))),
                    ("eval", lambda: float(np.sum(evaluate(x, gamma, beta, mean1, var1) * dout)))]:
        fixture[f"{mode}.dx"] = tensor(numeric_grad(f, x))
        fixture[f"{mode}.dgamma"] = tensor(numeric_grad(f, gamma))
        fixture[f"{mode}.dbeta"] = tensor(numeric_grad(f, beta))
    save("batch_norm", fixture)


if __name__ == "__main__":
    lstm_fixture()
    cross_entropy_fixture()
    attention_fixture()
    adam_fixture()
    rng_fixture()
    batch_norm_fixture()

#!/usr/bin/python3
"""Writes PyTorch golden values for VectorLM's tensor-core kernels.

Usage: /usr/bin/python3 tools/make_kernel_golden.py tensor-core/src/test/resources/golden

Writes kernels.json: inputs and PyTorch (float32, CPU) outputs for layernorm (with and without
bias), GELU (erf and tanh), softmax, causal softmax, GPT-NeoX partial rotary embeddings with a
position offset (computed as Hugging Face's GPTNeoXRotaryEmbedding does, in float32), and causal
attention of new queries against a KV cache. Deterministic: fixed seeds, no threads-dependent ops.
The torch and numpy versions are recorded in the file.
"""
import json
import math
import os
import sys

import numpy
import torch
import torch.nn.functional as F


def floats(t):
    """A float32 tensor as a flat list of Python floats (exact: float32 -> double -> JSON repr)."""
    return [float(v) for v in t.detach().to(torch.float32).reshape(-1).tolist()]


def layernorm_cases(g):
    rows, dim = 3, 37
    x = torch.randn(rows, dim, generator=g) * 2.5 + 0.7
    w = torch.randn(dim, generator=g)
    b = torch.randn(dim, generator=g)
    eps = 1e-5
    with_bias = F.layer_norm(x, (dim,), w, b, eps)
    without_bias = F.layer_norm(x, (dim,), w, None, eps)
    return {"rows": rows, "dim": dim, "eps": eps, "input": floats(x), "weight": floats(w),
            "bias": floats(b), "output": floats(with_bias), "outputNoBias": floats(without_bias)}


def gelu_cases(g):
    x = torch.cat([torch.linspace(-10, 10, 257), torch.randn(120, generator=g) * 3,
                   torch.tensor([0.0, -0.0, 1e-6, -1e-6, 0.5, -0.5, 3.0, -3.0])])
    return {"input": floats(x), "erf": floats(F.gelu(x)), "tanh": floats(F.gelu(x, approximate="tanh"))}


def softmax_cases(g):
    x = torch.randn(61, generator=g) * 8 + 50  # large values: only stable if the max is subtracted
    return {"input": floats(x), "output": floats(torch.softmax(x, dim=-1))}


def causal_softmax_cases(g):
    rows, cols, first = 5, 9, 5  # row r sees first + r columns
    x = torch.randn(rows, cols, generator=g) * 3
    visible = torch.arange(cols)[None, :] < (first + torch.arange(rows))[:, None]
    masked = x.masked_fill(~visible, float("-inf"))
    return {"rows": rows, "cols": cols, "firstRowLength": first, "input": floats(x),
            "output": floats(torch.softmax(masked, dim=-1))}


def neox_rotary_table(rotary_ndims, base, max_positions):
    # as transformers' GPTNeoXRotaryEmbedding: float32 inv_freq, outer product, cos/sin of cat(freqs, freqs)
    inv_freq = 1.0 / (base ** (torch.arange(0, rotary_ndims, 2).float() / rotary_ndims))
    t = torch.arange(max_positions, dtype=inv_freq.dtype)
    freqs = torch.einsum("i,j->ij", t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cases(g):
    rows, heads, head_dim, rotary_pct, base, max_positions, start = 4, 3, 20, 0.4, 10000.0, 64, 37
    rotary_ndims = int(head_dim * rotary_pct)  # 8 of 20: partial rotary
    x = torch.randn(rows, heads, head_dim, generator=g)
    cos, sin = neox_rotary_table(rotary_ndims, base, max_positions)
    positions = torch.arange(start, start + rows)
    c = cos[positions][:, None, :]  # [rows, 1, rotary_ndims]
    s = sin[positions][:, None, :]
    rot, keep = x[..., :rotary_ndims], x[..., rotary_ndims:]
    out = torch.cat(((rot * c) + (rotate_half(rot) * s), keep), dim=-1)
    half = rotary_ndims // 2
    return {"rows": rows, "heads": heads, "headDim": head_dim, "rotaryDims": rotary_ndims, "base": base,
            "maxPositions": max_positions, "startPosition": start, "input": floats(x), "output": floats(out),
            "cos": floats(cos[:, :half]), "sin": floats(sin[:, :half])}


def attention_cases(g):
    heads, head_dim, start, n_new = 3, 24, 5, 4
    total = start + n_new
    q = torch.randn(n_new, heads, head_dim, generator=g)
    k = torch.randn(total, heads, head_dim, generator=g)
    v = torch.randn(total, heads, head_dim, generator=g)
    scores = torch.einsum("ihd,thd->hit", q, k) / math.sqrt(head_dim)  # [heads, n_new, total]
    query_pos = start + torch.arange(n_new)
    visible = torch.arange(total)[None, :] <= query_pos[:, None]  # [n_new, total]
    scores = scores.masked_fill(~visible[None], torch.finfo(torch.float32).min)
    probs = torch.softmax(scores, dim=-1)
    out = torch.einsum("hit,thd->ihd", probs, v)  # [n_new, heads, head_dim]
    return {"heads": heads, "headDim": head_dim, "startPosition": start, "nNew": n_new,
            "queries": floats(q), "keys": floats(k), "values": floats(v), "output": floats(out)}


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(20240611)
    golden = {
        "generator": "tools/make_kernel_golden.py",
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": sys.version.split()[0],
        "layerNorm": layernorm_cases(g),
        "gelu": gelu_cases(g),
        "softmax": softmax_cases(g),
        "causalSoftmax": causal_softmax_cases(g),
        "rope": rope_cases(g),
        "attention": attention_cases(g),
    }
    path = os.path.join(out_dir, "kernels.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes, torch", torch.__version__)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Random-weight GPT-NeoX models for VectorLM's benchmarks, as Hugging Face folders.

Runs with Debian's python3-torch (1.13) and nothing else: the safetensors file is written by hand
(8-byte little-endian header length, JSON header, tensor bytes), one tensor at a time, so even the
scale model never sits in memory whole.

    /usr/bin/python3 tools/make_neox_bench_model.py OUTDIR [--shape pythia-160m|pythia-2.8b]
                     [--dtype f32|f16|bf16] [--layers N] [--seed S] [--tokenizer FILE]

Shapes (OUTDIR must lie outside the repository; the outputs are never committed):
  pythia-160m   hidden 768, 12 layers, 12 heads, intermediate 3072, vocab 50304, rotary_pct 0.25,
                context 2048, parallel residual, untied head; default dtype f32 (~650 MB)
  pythia-2.8b   hidden 2560, 32 heads, intermediate 10240, vocab 50304, rotary_pct 0.25, context
                2048; default 36 layers instead of Pythia-2.8B's 32 and dtype f16, so that the file
                is above 6 GB (36 layers: 3.09 B parameters, 6.18 GB; 32 layers would be 5.55 GB)

Weights: every matrix N(0, 0.02), every bias N(0, 0.02), LayerNorm weights 1 + N(0, 0.02) and
biases N(0, 0.02), deterministic from --seed (one torch.Generator per tensor). Written:
  OUTDIR/config.json        transformers 4.x spelling (rotary_pct / rotary_emb_base), as Pythia's
  OUTDIR/model.safetensors  names as GPTNeoXForCausalLM's (head: embed_out.weight)
  OUTDIR/tokenizer.json     a copy of --tokenizer (default: /work/shared/data/neox/20B_tokenizer.json, if there)
  OUTDIR/bench_model.json   what was made: shape, dtype, seed, parameters, bytes, torch version
"""
import argparse
import json
import os
import shutil
import struct
import sys
import time

import torch

SHAPES = {
    "pythia-160m": dict(hidden=768, layers=12, heads=12, intermediate=3072, dtype="f32"),
    "pythia-2.8b": dict(hidden=2560, layers=36, heads=32, intermediate=10240, dtype="f16"),
}
VOCAB, CONTEXT, ROTARY_PCT, ROTARY_BASE = 50304, 2048, 0.25, 10000
DTYPES = {"f32": (torch.float32, "F32", "float32"), "f16": (torch.float16, "F16", "float16"),
          "bf16": (torch.bfloat16, "BF16", "bfloat16")}


def tensor_specs(hidden, layers, intermediate):
    """(name, shape, kind) in the order GPTNeoXForCausalLM's state dict lists them."""
    specs = [("gpt_neox.embed_in.weight", (VOCAB, hidden), "matrix")]
    for i in range(layers):
        p = "gpt_neox.layers.%d." % i
        specs += [
            (p + "input_layernorm.weight", (hidden,), "norm"),
            (p + "input_layernorm.bias", (hidden,), "bias"),
            (p + "post_attention_layernorm.weight", (hidden,), "norm"),
            (p + "post_attention_layernorm.bias", (hidden,), "bias"),
            (p + "attention.query_key_value.weight", (3 * hidden, hidden), "matrix"),
            (p + "attention.query_key_value.bias", (3 * hidden,), "bias"),
            (p + "attention.dense.weight", (hidden, hidden), "matrix"),
            (p + "attention.dense.bias", (hidden,), "bias"),
            (p + "mlp.dense_h_to_4h.weight", (intermediate, hidden), "matrix"),
            (p + "mlp.dense_h_to_4h.bias", (intermediate,), "bias"),
            (p + "mlp.dense_4h_to_h.weight", (hidden, intermediate), "matrix"),
            (p + "mlp.dense_4h_to_h.bias", (hidden,), "bias"),
        ]
    specs += [("gpt_neox.final_layer_norm.weight", (hidden,), "norm"),
              ("gpt_neox.final_layer_norm.bias", (hidden,), "bias"),
              ("embed_out.weight", (VOCAB, hidden), "matrix")]
    return specs


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def make_tensor(shape, kind, seed, dtype):
    g = torch.Generator().manual_seed(seed)
    t = 0.02 * torch.randn(shape, generator=g)
    if kind == "norm":
        t += 1
    return t.to(dtype).contiguous()


def tensor_bytes(t):
    # raw little-endian bytes; numpy has no bfloat16, so go through an int16 view
    if t.dtype == torch.bfloat16 or t.dtype == torch.float16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="pythia-160m")
    ap.add_argument("--dtype", choices=sorted(DTYPES))
    ap.add_argument("--layers", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tokenizer", default="/work/shared/data/neox/20B_tokenizer.json")
    a = ap.parse_args()

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.abspath(a.out)
    if out == repo or out.startswith(repo + os.sep):
        sys.exit("refusing to write %s inside the repository %s: benchmark models are never committed" % (out, repo))
    shape = dict(SHAPES[a.shape])
    if a.layers:
        shape["layers"] = a.layers
    dtype_name = a.dtype or shape["dtype"]
    dtype, st_dtype, hf_dtype = DTYPES[dtype_name]
    hidden, layers, heads, inter = shape["hidden"], shape["layers"], shape["heads"], shape["intermediate"]
    os.makedirs(out, exist_ok=True)

    config = {
        "architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "bos_token_id": 0, "eos_token_id": 0,
        "hidden_act": "gelu", "hidden_size": hidden, "initializer_range": 0.02, "intermediate_size": inter,
        "layer_norm_eps": 1e-5, "max_position_embeddings": CONTEXT, "num_attention_heads": heads,
        "num_hidden_layers": layers, "rotary_emb_base": ROTARY_BASE, "rotary_pct": ROTARY_PCT,
        "tie_word_embeddings": False, "torch_dtype": hf_dtype, "use_cache": True, "use_parallel_residual": True,
        "vocab_size": VOCAB,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    specs = tensor_specs(hidden, layers, inter)
    size = torch.tensor([], dtype=dtype).element_size()
    header, offset = {}, 0
    for name, shp, _ in specs:
        n = numel(shp) * size
        header[name] = {"dtype": st_dtype, "shape": list(shp), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt", "made_by": "tools/make_neox_bench_model.py"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the data starts 8-byte aligned
    path = os.path.join(out, "model.safetensors")
    start = time.time()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for i, (name, shp, kind) in enumerate(specs):
            f.write(tensor_bytes(make_tensor(shp, kind, a.seed * 100003 + i, dtype)))
            if i % 12 == 0:
                print("%5.1f%% %s" % (100.0 * (i + 1) / len(specs), name), flush=True)
    total = os.path.getsize(path)
    assert total == 8 + len(raw) + offset, (total, offset)

    if a.tokenizer and os.path.isfile(a.tokenizer):
        shutil.copy(a.tokenizer, os.path.join(out, "tokenizer.json"))
    params = sum(numel(s) for _, s, _ in specs)
    info = dict(shape=a.shape, hidden=hidden, layers=layers, heads=heads, intermediate=inter, vocab=VOCAB,
                dtype=dtype_name, seed=a.seed, parameters=params, file_bytes=total, torch=torch.__version__,
                seconds=round(time.time() - start, 1))
    with open(os.path.join(out, "bench_model.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))


if __name__ == "__main__":
    main()

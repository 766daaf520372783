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

import torch

from bench_model_files import DTYPES, output_folder, write_random_safetensors, write_info

SHAPES = {
    "pythia-160m": dict(hidden=768, layers=12, heads=12, intermediate=3072, dtype="f32"),
    "pythia-2.8b": dict(hidden=2560, layers=36, heads=32, intermediate=10240, dtype="f16"),
}
VOCAB, CONTEXT, ROTARY_PCT, ROTARY_BASE = 50304, 2048, 0.25, 10000


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="pythia-160m")
    ap.add_argument("--dtype", choices=sorted(DTYPES))
    ap.add_argument("--layers", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tokenizer", default="/work/shared/data/neox/20B_tokenizer.json")
    a = ap.parse_args()

    out = output_folder(a.out)
    shape = dict(SHAPES[a.shape])
    if a.layers:
        shape["layers"] = a.layers
    dtype_name = a.dtype or shape["dtype"]
    hf_dtype = DTYPES[dtype_name][2]
    hidden, layers, heads, inter = shape["hidden"], shape["layers"], shape["heads"], shape["intermediate"]

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
    total, params, seconds = write_random_safetensors(os.path.join(out, "model.safetensors"), specs, dtype_name, a.seed,
                                                      "tools/make_neox_bench_model.py", progress_every=12)

    if a.tokenizer and os.path.isfile(a.tokenizer):
        shutil.copy(a.tokenizer, os.path.join(out, "tokenizer.json"))
    info = dict(shape=a.shape, hidden=hidden, layers=layers, heads=heads, intermediate=inter, vocab=VOCAB,
                dtype=dtype_name, seed=a.seed, parameters=params, file_bytes=total, torch=torch.__version__,
                seconds=seconds)
    write_info(out, info)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A random-weight GPT-2 124M-shaped model for VectorLM's benchmarks, as a Hugging Face folder.

Runs with Debian's python3-torch (1.13) and nothing else: the safetensors file is written by hand
(8-byte little-endian header length, JSON header, tensor bytes, as the safetensors spec says), one
tensor at a time.

    /usr/bin/python3 tools/make_gpt2_bench_model.py OUTDIR [--dtype f32|bf16|f16] [--seed S]
                     [--layers N] [--tokenizer-dir DIR]

Shape: GPT-2 124M: 12 layers, 12 heads, n_embd 768, n_inner 3072, context 1024, vocab 50257,
tanh GELU ("gelu_new"), LM head tied to wte. OUTDIR must lie outside the repository: benchmark
models are never committed (f32: 498 MB, bf16/f16: 249 MB).

Weights: every matrix N(0, 0.02), every bias N(0, 0.02), LayerNorm weights 1 + N(0, 0.02) and
biases N(0, 0.02) (every parameter random, so that no mapping bug hides behind 1s and 0s),
deterministic from --seed (one torch.Generator per tensor). Written:
  OUTDIR/config.json        as GPT2LMHeadModel.save_pretrained writes it (model_type gpt2)
  OUTDIR/model.safetensors  GPT2LMHeadModel's names (transformer.h.0.attn.c_attn.weight, Conv1D
                            [in, out]); the tied lm_head.weight is left out, as save_pretrained does
  OUTDIR/encoder.json, OUTDIR/vocab.bpe  copies from --tokenizer-dir (default /work/shared/data/gpt2, if there)
  OUTDIR/bench_model.json   what was made: shape, dtype, seed, parameters, bytes, torch version
"""
import argparse
import json
import os
import shutil

import torch

from bench_model_files import DTYPES, output_folder, write_random_safetensors, write_info

LAYERS, HEADS, EMBED, CONTEXT, VOCAB = 12, 12, 768, 1024, 50257


def tensor_specs(layers, embed):
    """(name, shape, kind) in the order GPT2LMHeadModel's state dict lists them."""
    inner = 4 * embed
    specs = [("transformer.wte.weight", (VOCAB, embed), "matrix"),
             ("transformer.wpe.weight", (CONTEXT, embed), "matrix")]
    for i in range(layers):
        p = "transformer.h.%d." % i
        specs += [
            (p + "ln_1.weight", (embed,), "norm"),
            (p + "ln_1.bias", (embed,), "bias"),
            (p + "attn.c_attn.weight", (embed, 3 * embed), "matrix"),
            (p + "attn.c_attn.bias", (3 * embed,), "bias"),
            (p + "attn.c_proj.weight", (embed, embed), "matrix"),
            (p + "attn.c_proj.bias", (embed,), "bias"),
            (p + "ln_2.weight", (embed,), "norm"),
            (p + "ln_2.bias", (embed,), "bias"),
            (p + "mlp.c_fc.weight", (embed, inner), "matrix"),
            (p + "mlp.c_fc.bias", (inner,), "bias"),
            (p + "mlp.c_proj.weight", (inner, embed), "matrix"),
            (p + "mlp.c_proj.bias", (embed,), "bias"),
        ]
    specs += [("transformer.ln_f.weight", (embed,), "norm"),
              ("transformer.ln_f.bias", (embed,), "bias")]
    return specs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--layers", type=int, default=LAYERS)
    ap.add_argument("--tokenizer-dir", default="/work/shared/data/gpt2")
    a = ap.parse_args()

    out = output_folder(a.out)
    hf_dtype = DTYPES[a.dtype][2]

    config = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
        "attn_pdrop": 0.1, "bos_token_id": 50256, "eos_token_id": 50256, "embd_pdrop": 0.1,
        "initializer_range": 0.02, "layer_norm_epsilon": 1e-5, "n_ctx": CONTEXT, "n_embd": EMBED,
        "n_head": HEADS, "n_inner": None, "n_layer": a.layers, "n_positions": CONTEXT, "resid_pdrop": 0.1,
        "scale_attn_weights": True, "tie_word_embeddings": True, "torch_dtype": hf_dtype, "use_cache": True,
        "vocab_size": VOCAB,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    specs = tensor_specs(a.layers, EMBED)
    total, params, seconds = write_random_safetensors(os.path.join(out, "model.safetensors"), specs, a.dtype, a.seed,
                                                      "tools/make_gpt2_bench_model.py")

    for name in ("encoder.json", "vocab.bpe"):
        src = os.path.join(a.tokenizer_dir, name)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(out, name))
    info = dict(shape="gpt2-124m", layers=a.layers, heads=HEADS, embed=EMBED, context=CONTEXT, vocab=VOCAB,
                dtype=a.dtype, seed=a.seed, parameters=params, file_bytes=total, torch=torch.__version__,
                seconds=seconds)
    write_info(out, info)


if __name__ == "__main__":
    main()

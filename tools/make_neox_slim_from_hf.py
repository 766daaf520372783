#!/usr/bin/python3
"""Splits a Hugging Face GPT-NeoX folder into GPT-NeoX "slim weights", for VectorLM's merge tests.

Runs with Debian's python3-torch (1.13) alone: model.safetensors is read by hand, the partition
files are written with torch.save, as GPT-NeoX's pipeline engine writes them.

    /usr/bin/python3 tools/make_neox_slim_from_hf.py HF_FOLDER OUTDIR [--partitions P]
                     [--shares a,b,...] [--fused-gelu]

HF_FOLDER holds config.json (model_type gpt_neox) and model.safetensors; its expected.json (the
Hugging Face oracle of those weights), if any, is copied. OUTDIR receives:
  latest                     "global_step3"
  global_step3/layer_{i:02d}-model_{p:02d}-model_states.pt
                             pipeline layer i, partition p: 0 = embedding, transformer layer l at
                             l + 2, final norm at n + 3, final_linear at n + 4 (absent when the head
                             is tied: NeoX's tied head reuses the embedding module and saves nothing)
  configs/model.yml          the NeoX YAML of the config (20B.yml style)
  expected.json              copied from HF_FOLDER

Partitions are made by the inverse of the four merge rules: chunks along dim 0 (word_embeddings,
final_linear, query_key_value, dense_h_to_4h), along dim 1 (attention.dense.weight,
dense_4h_to_h.weight), shares of each value (attention.dense.bias, dense_4h_to_h.bias; --shares,
default equal), copies (LayerNorms). Dtypes are kept as stored. --fused-gelu writes
"bias-gelu-fusion": true (NeoX's fused tanh-form GELU), which matches an HF config whose hidden_act
is gelu_new / gelu_fast; otherwise the YAML says false and hidden_act must be gelu.
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np
import torch

ST_DTYPES = {"F32": (np.float32, None), "F16": (np.float16, None), "BF16": (np.int16, torch.bfloat16)}


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        a, b = v["data_offsets"]
        np_dtype, view = ST_DTYPES[v["dtype"]]
        t = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np_dtype).reshape(v["shape"]).copy())
        out[name] = t.view(view) if view is not None else t
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hf")
    ap.add_argument("out")
    ap.add_argument("--partitions", type=int, default=2)
    ap.add_argument("--shares")
    ap.add_argument("--fused-gelu", action="store_true")
    a = ap.parse_args()
    cfg = json.load(open(os.path.join(a.hf, "config.json")))
    sd = read_safetensors(os.path.join(a.hf, "model.safetensors"))
    parts = a.partitions
    shares = [float(s) for s in a.shares.split(",")] if a.shares else [1.0 / parts] * parts
    assert len(shares) == parts and abs(sum(shares) - 1) < 1e-12, shares
    assert cfg["num_attention_heads"] % parts == 0, "partitions must divide the heads, as in Megatron"
    act = cfg.get("hidden_act", "gelu")
    assert (act in ("gelu_new", "gelu_fast", "gelu_pytorch_tanh")) == a.fused_gelu, (act, a.fused_gelu)
    rope = cfg.get("rope_parameters") or {}
    rotary_pct = rope.get("partial_rotary_factor", cfg.get("rotary_pct", 0.25))
    base = rope.get("rope_theta", cfg.get("rotary_emb_base", 10000))
    tied = cfg.get("tie_word_embeddings", False)
    layers = cfg["num_hidden_layers"]

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    step = os.path.join(a.out, "global_step3")
    os.makedirs(step)
    os.makedirs(os.path.join(a.out, "configs"))
    with open(os.path.join(a.out, "latest"), "w") as f:
        f.write("global_step3\n")

    def rows(t):
        return list(torch.chunk(t, parts, dim=0))

    def cols(t):
        return list(torch.chunk(t, parts, dim=1))

    def share(t):
        return [(t.double() * s).to(t.dtype) for s in shares]

    def copies(t):
        return [t.clone() for _ in range(parts)]

    def write(index, tensors):
        for p in range(parts):
            state = {k: v[p].contiguous().clone() for k, v in tensors.items()}
            torch.save(state, os.path.join(step, "layer_%02d-model_%02d-model_states.pt" % (index, p)))

    write(0, {"word_embeddings.weight": rows(sd["gpt_neox.embed_in.weight"])})
    for i in range(layers):
        h = "gpt_neox.layers.%d." % i
        write(i + 2, {
            "input_layernorm.weight": copies(sd[h + "input_layernorm.weight"]),
            "input_layernorm.bias": copies(sd[h + "input_layernorm.bias"]),
            "post_attention_layernorm.weight": copies(sd[h + "post_attention_layernorm.weight"]),
            "post_attention_layernorm.bias": copies(sd[h + "post_attention_layernorm.bias"]),
            "attention.query_key_value.weight": rows(sd[h + "attention.query_key_value.weight"]),
            "attention.query_key_value.bias": rows(sd[h + "attention.query_key_value.bias"]),
            "attention.dense.weight": cols(sd[h + "attention.dense.weight"]),
            "attention.dense.bias": share(sd[h + "attention.dense.bias"]),
            "mlp.dense_h_to_4h.weight": rows(sd[h + "mlp.dense_h_to_4h.weight"]),
            "mlp.dense_h_to_4h.bias": rows(sd[h + "mlp.dense_h_to_4h.bias"]),
            "mlp.dense_4h_to_h.weight": cols(sd[h + "mlp.dense_4h_to_h.weight"]),
            "mlp.dense_4h_to_h.bias": share(sd[h + "mlp.dense_4h_to_h.bias"]),
        })
    write(layers + 3, {"norm.weight": copies(sd["gpt_neox.final_layer_norm.weight"]),
                       "norm.bias": copies(sd["gpt_neox.final_layer_norm.bias"])})
    if not tied:
        head = "embed_out.weight" if "embed_out.weight" in sd else "lm_head.weight"
        write(layers + 4, {"final_linear.weight": rows(sd[head])})
    torch.save({"module": None, "mp_world_size": parts}, os.path.join(step, "mp_rank_00_model_states.pt"))

    def flag(b):
        return "True" if b else "False"  # Python spelling, as NeoX configs often have it

    yml = """# GPT-NeoX config of %(src)s, 20B.yml style (written by tools/make_neox_slim_from_hf.py)
{
  "model-parallel-size": %(parts)d,

  # model settings
  "num-layers": %(layers)d,
  "hidden_size": %(hidden)d,
  "num-attention-heads": %(heads)d,
  "seq-length": %(ctx)d,
  "max_position_embeddings": %(ctx)d,
  "norm": "layernorm",
  "pos-emb": "rotary",
  "rotary_pct": %(pct)s,
  "rotary_emb_base": %(base)s,
  "no-weight-tying": %(untied)s,
  "gpt_j_residual": %(parallel)s,
  "bias-gelu-fusion": %(fused)s,
  "activation": "gelu",
  "layernorm-epsilon": %(eps)s,
}
""" % dict(src=os.path.basename(os.path.normpath(a.hf)), parts=parts, layers=layers, hidden=cfg["hidden_size"],
           heads=cfg["num_attention_heads"], ctx=cfg["max_position_embeddings"], pct=rotary_pct, base=base,
           untied=flag(not tied), parallel=flag(cfg.get("use_parallel_residual", True)), fused=flag(a.fused_gelu),
           eps=cfg.get("layer_norm_eps", 1e-5))
    with open(os.path.join(a.out, "configs", "model.yml"), "w") as f:
        f.write(yml)
    expected = os.path.join(a.hf, "expected.json")
    if os.path.isfile(expected):
        shutil.copy(expected, os.path.join(a.out, "expected.json"))
    with open(os.path.join(a.out, "README.md"), "w") as f:
        f.write("Made by `/usr/bin/python3 tools/make_neox_slim_from_hf.py %s %s --partitions %d%s%s` with torch %s; "
                "expected.json is the Hugging Face oracle of the source folder.\n"
                % (os.path.normpath(a.hf), os.path.normpath(a.out), parts,
                   " --shares " + a.shares if a.shares else "", " --fused-gelu" if a.fused_gelu else "",
                   torch.__version__))
    print("wrote", a.out)


if __name__ == "__main__":
    main()

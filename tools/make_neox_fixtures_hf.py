#!/usr/bin/env python3
"""Oracle fixtures for VectorLM's GPT-NeoX support, made with Hugging Face's own GPTNeoXForCausalLM.

Run where torch + transformers + safetensors are installed (the GPU box; no internet needed):
    python3 make_neox_fixtures_hf.py OUTDIR

Every parameter is randomized (LayerNorm weights 1 + 0.1*randn, every bias 0.1*randn, matrices
0.05*randn), because HF's own init (LayerNorm 1, biases 0) hides weight-mapping bugs.

OUTDIR/<variant>/          a Hugging Face folder (config.json + weights) per variant:
  par_r25_f32_st           parallel residual, rotary_pct 0.25, float32, model.safetensors
  seq_r100_f32_bin         sequential residual, rotary_pct 1.0, float32, pytorch_model.bin
                           (torch.save of the state dict, with the legacy buffers
                           attention.bias / attention.masked_bias / rotary_emb.inv_freq added,
                           the head named embed_out.weight and config.json spelled
                           rotary_pct / rotary_emb_base, as transformers 4.x and Pythia have them;
                           the other variants use transformers 5's lm_head.weight and rope_parameters)
  par_r25_f16_st           the par_r25 weights rounded to float16
  par_r25_bf16_st          the par_r25 weights rounded to bfloat16
  par_r25_f32_sharded      the par_r25 weights in two safetensors shards + model.safetensors.index.json
  seq_r25_base500_tanh_st  sequential, rotary base 500, hidden_act gelu_new (tanh form), tied embeddings
  each with expected.json: ids, logits of every position (full forward, float32 on the CPU),
  logits of cached decode (prefill 5 tokens, then one at a time, via past_key_values), greedy
  generation of 10 tokens after a 5-token prompt, mean cross-entropy loss of the ids; for
  float16/bfloat16 variants the oracle runs in float32 on the rounded weights.
OUTDIR/slim/               the par_r25_f16 weights in GPT-NeoX's own "slim weights" layout:
  latest, global_step7/layer_{i:02d}-model_{p:02d}-model_states.pt (torch.save of each
  pipeline layer's state dict per tensor-parallel partition, float16), mp_rank_00_model_states.pt
  (ignored by loaders), configs/tiny.yml (NeoX YAML), expected.json (= par_r25_f16's)
  Partitions are split by the inverse of the four merge rules: dim 0 (word_embeddings,
  final_linear, query_key_value, dense_h_to_4h), dim 1 (attention.dense.weight,
  dense_4h_to_h.weight), shares that sum back exactly (attention.dense.bias,
  dense_4h_to_h.bias: 1/2 + 1/2 of each value), duplicates (layernorms).
OUTDIR/slim4/              the same with 4 partitions (bias shares 1/2, 1/4, 1/8, 1/8)
OUTDIR/slim_bad_ln/        a copy of slim/ whose partition 1 input_layernorm of layer 0 disagrees
OUTDIR/versions.json
"""
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_neox_config import make_neox_config, rotary_modules  # noqa: E402

HIDDEN, HEADS, LAYERS, VOCAB, MAXPOS, INTER = 64, 4, 2, 128, 64, 256
IDS = [5, 17, 99, 3, 64, 127, 0, 42, 42, 8, 77, 120]


def make_config(parallel, rotary_pct, base=10000.0, act="gelu", tie=False):
    return make_neox_config(rotary_pct, base, vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=LAYERS,
                            num_attention_heads=HEADS, intermediate_size=INTER, hidden_act=act,
                            max_position_embeddings=MAXPOS, layer_norm_eps=1e-5, use_parallel_residual=parallel,
                            tie_word_embeddings=tie, attention_dropout=0.0, hidden_dropout=0.0)


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layernorm" in name or "layer_norm" in name:
                if name.endswith("weight"):
                    p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))


def oracle(model):
    model.eval()
    ids = torch.tensor([IDS])
    with torch.no_grad():
        full = model(ids).logits[0].float()
        loss = model(ids, labels=ids).loss.item()
        out = model(ids[:, :5], use_cache=True)
        past = out.past_key_values
        cached = [out.logits[0, i].float().tolist() for i in range(5)]
        for t in range(5, len(IDS)):
            out = model(ids[:, t:t + 1], past_key_values=past, use_cache=True)
            past = out.past_key_values
            cached.append(out.logits[0, -1].float().tolist())
        gen = model.generate(ids[:, :5], max_new_tokens=10, do_sample=False, min_new_tokens=10,
                             pad_token_id=0, eos_token_id=None)
    return dict(ids=IDS, logits=full.tolist(), cached_logits=cached, loss=loss,
                prompt=IDS[:5], greedy=gen[0, 5:].tolist())


HEAD_NAMES = ("embed_out.weight", "lm_head.weight")


def legacy_config(folder):
    """Rewrites config.json in transformers 4.x spelling: rotary_pct / rotary_emb_base."""
    path = os.path.join(folder, "config.json")
    c = json.load(open(path))
    rope = c.pop("rope_parameters", None)
    if rope is not None:
        c["rotary_pct"] = rope.get("partial_rotary_factor", 1.0)
        c["rotary_emb_base"] = rope.get("rope_theta", 10000)
    json.dump(c, open(path, "w"), indent=2)


def save_variant(out, name, model, cfg, fmt, dtype=torch.float32, extra_buffers=False, shards=False,
                 legacy_names=False):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    cfg.save_pretrained(d)
    sd = {k: v.detach().to(dtype).contiguous().clone() for k, v in model.state_dict().items()}
    if cfg.tie_word_embeddings:
        for head in HEAD_NAMES:
            sd.pop(head, None)
    if legacy_names:
        # as transformers 4.x and the Pythia checkpoints spell it
        sd = {("embed_out.weight" if k == "lm_head.weight" else k): v for k, v in sd.items()}
        legacy_config(d)
    if fmt == "st":
        from safetensors.torch import save_file
        if shards:
            names = list(sd)
            half = len(names) // 2
            parts = [names[:half], names[half:]]
            weight_map = {}
            for i, part in enumerate(parts):
                fname = "model-%05d-of-%05d.safetensors" % (i + 1, len(parts))
                save_file({k: sd[k] for k in part}, os.path.join(d, fname), metadata={"format": "pt"})
                weight_map.update({k: fname for k in part})
            total = sum(v.numel() * v.element_size() for v in sd.values())
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map},
                      open(os.path.join(d, "model.safetensors.index.json"), "w"), indent=2)
        else:
            save_file(sd, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    else:
        if extra_buffers:
            for i in range(cfg.num_hidden_layers):
                p = "gpt_neox.layers.%d.attention." % i
                sd[p + "bias"] = torch.tril(torch.ones(MAXPOS, MAXPOS, dtype=torch.bool)).view(1, 1, MAXPOS, MAXPOS)
                sd[p + "masked_bias"] = torch.tensor(-1e9)
                rot = rotary_modules(model)[0].inv_freq
                sd[p + "rotary_emb.inv_freq"] = rot.detach().clone()
        torch.save(sd, os.path.join(d, "pytorch_model.bin"))
    # oracle in float32 from the weights as stored
    from transformers import GPTNeoXForCausalLM
    ref = GPTNeoXForCausalLM(cfg)
    target = ref.state_dict()
    stored = {}
    for k, v in sd.items():
        if k in HEAD_NAMES:
            k = next(h for h in HEAD_NAMES if h in target)
        if k in target:
            stored[k] = v.float()
    missing, unexpected = ref.load_state_dict(stored, strict=False)
    missing = [m for m in missing if not (cfg.tie_word_embeddings and m in HEAD_NAMES)]
    assert not missing and not unexpected, (missing, unexpected)
    if cfg.tie_word_embeddings:
        ref.tie_weights()
    exp = oracle(ref)
    exp.update(variant=name, dtype=str(dtype), config=cfg.to_dict())
    json.dump(exp, open(os.path.join(d, "expected.json"), "w"))
    return sd, exp


def split_slim(sd, cfg, parts, out, shares, bad_ln=False):
    """Writes sd (HF names, float16) as NeoX slim weights with `parts` tensor-parallel partitions."""
    os.makedirs(os.path.join(out, "global_step7"), exist_ok=True)
    os.makedirs(os.path.join(out, "configs"), exist_ok=True)
    with open(os.path.join(out, "latest"), "w") as f:
        f.write("global_step7")

    def dim0(t):
        return list(torch.chunk(t, parts, dim=0))

    def dim1(t):
        return list(torch.chunk(t, parts, dim=1))

    def share(t):
        return [(t.float() * s).half() for s in shares]

    def dup(t):
        return [t.clone() for _ in range(parts)]

    def write(layer, tensors):
        for p in range(parts):
            state = {k: v[p].contiguous().clone() for k, v in tensors.items()}
            torch.save(state, os.path.join(out, "global_step7", "layer_%02d-model_%02d-model_states.pt" % (layer, p)))

    write(0, {"word_embeddings.weight": dim0(sd["gpt_neox.embed_in.weight"])})
    n = cfg.num_hidden_layers
    for i in range(n):
        h = "gpt_neox.layers.%d." % i
        t = {
            "input_layernorm.weight": dup(sd[h + "input_layernorm.weight"]),
            "input_layernorm.bias": dup(sd[h + "input_layernorm.bias"]),
            "post_attention_layernorm.weight": dup(sd[h + "post_attention_layernorm.weight"]),
            "post_attention_layernorm.bias": dup(sd[h + "post_attention_layernorm.bias"]),
            "attention.query_key_value.weight": dim0(sd[h + "attention.query_key_value.weight"]),
            "attention.query_key_value.bias": dim0(sd[h + "attention.query_key_value.bias"]),
            "attention.rotary_emb.inv_freq": dup(rotary_inv_freq(cfg)),
            "attention.dense.weight": dim1(sd[h + "attention.dense.weight"]),
            "attention.dense.bias": share(sd[h + "attention.dense.bias"]),
            "mlp.dense_h_to_4h.weight": dim0(sd[h + "mlp.dense_h_to_4h.weight"]),
            "mlp.dense_h_to_4h.bias": dim0(sd[h + "mlp.dense_h_to_4h.bias"]),
            "mlp.dense_4h_to_h.weight": dim1(sd[h + "mlp.dense_4h_to_h.weight"]),
            "mlp.dense_4h_to_h.bias": share(sd[h + "mlp.dense_4h_to_h.bias"]),
        }
        if bad_ln and i == 0:
            t["input_layernorm.weight"][1] = (t["input_layernorm.weight"][1].float() + 0.1).half()
        write(i + 2, t)
    write(n + 3, {"norm.weight": dup(sd["gpt_neox.final_layer_norm.weight"]),
                  "norm.bias": dup(sd["gpt_neox.final_layer_norm.bias"])})
    head = next(h for h in HEAD_NAMES if h in sd)
    write(n + 4, {"final_linear.weight": dim0(sd[head])})
    torch.save({"module": None, "dp_world_size": 1, "mp_world_size": parts, "iteration": 7},
               os.path.join(out, "global_step7", "mp_rank_00_model_states.pt"))
    with open(os.path.join(out, "configs", "tiny.yml"), "w") as f:
        f.write("""# GPT-NeoX tiny test config, 20B.yml style (comments, dashes and underscores, Python booleans)
{
  # parallelism settings
  "pipe-parallel-size": 1,
  "model-parallel-size": %d,

  # model settings
  "num-layers": %d,
  "hidden-size": %d,
  "num-attention-heads": %d,
  "seq-length": %d,
  "max-position-embeddings": %d,
  "norm": "layernorm",
  "pos-emb": "rotary",
  "rotary_pct": 0.25,
  "no-weight-tying": true,
  "gpt_j_residual": True,
  "output_layer_parallelism": "column",
  "scaled-upper-triang-masked-softmax-fusion": true,
  # false: NeoX's fused bias_gelu is GELU's tanh form; the Hugging Face oracle of these weights runs exact gelu
  "bias-gelu-fusion": false,
  "activation": "gelu",
  "layernorm-epsilon": 1.0e-5,

  # init methods
  "init_method": "small_init",
  "output_layer_init_method": "wang_init",
  "fp16": { "fp16": true, "enabled": true },
  "tokenizer_type": "HFTokenizer",
}
""" % (parts, n, HIDDEN, HEADS, MAXPOS, MAXPOS))


def rotary_inv_freq(cfg):
    rot = int(HIDDEN // HEADS * 0.25)
    return (1.0 / (10000 ** (torch.arange(0, rot, 2).float() / rot))).half()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    from transformers import GPTNeoXForCausalLM
    import transformers

    cfg = make_config(parallel=True, rotary_pct=0.25)
    m = GPTNeoXForCausalLM(cfg)
    randomize(m, 1)
    save_variant(out, "par_r25_f32_st", m, cfg, "st")
    sd16, exp16 = save_variant(out, "par_r25_f16_st", m, cfg, "st", dtype=torch.float16)
    save_variant(out, "par_r25_bf16_st", m, cfg, "st", dtype=torch.bfloat16)
    save_variant(out, "par_r25_f32_sharded", m, cfg, "st", shards=True)

    cfg2 = make_config(parallel=False, rotary_pct=1.0)
    m2 = GPTNeoXForCausalLM(cfg2)
    randomize(m2, 2)
    save_variant(out, "seq_r100_f32_bin", m2, cfg2, "bin", extra_buffers=True, legacy_names=True)

    cfg3 = make_config(parallel=False, rotary_pct=0.25, base=500.0, act="gelu_new", tie=True)
    m3 = GPTNeoXForCausalLM(cfg3)
    randomize(m3, 3)
    m3.tie_weights()
    save_variant(out, "seq_r25_base500_tanh_st", m3, cfg3, "st")

    for name, parts, shares, bad in (("slim", 2, (0.5, 0.5), False),
                                     ("slim4", 4, (0.5, 0.25, 0.125, 0.125), False),
                                     ("slim_bad_ln", 2, (0.5, 0.5), True)):
        d = os.path.join(out, name)
        split_slim(sd16, cfg, parts, d, shares, bad_ln=bad)
        if not bad:
            json.dump(exp16, open(os.path.join(d, "expected.json"), "w"))

    json.dump(dict(torch=torch.__version__, transformers=transformers.__version__,
                   safetensors=__import__("safetensors").__version__),
              open(os.path.join(out, "versions.json"), "w"), indent=1)
    print("done")


if __name__ == "__main__":
    main()

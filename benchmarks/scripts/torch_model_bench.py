#!/usr/bin/python3
"""PyTorch eager baseline for VectorLM's whole-model benchmark (ModelBench): the same work, the same weights.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 benchmarks/scripts/torch_model_bench.py \
        --model DIR [--threads 1] [--compute f32|bf16] [--runs 5] [--warmup 2] [--prompt 16] \
        [--new-tokens 128] [--prefill 128,512]

Reads a Hugging Face folder (config.json with model_type gpt2 or gpt_neox; model.safetensors, parsed
here by the spec, or pytorch_model.bin) into minimal eager implementations written below, since
Hugging Face transformers does not run on Debian's torch 1.13. They follow transformers' math:
  GPT-2: Conv1D as addmm(b, x, W) with W [in, out]; pre-LN blocks; fused qkv; causal softmax
         attention scaled by 1/sqrt(head_dim); tanh GELU (F.gelu(approximate="tanh"), the fused form
         of "gelu_new"); ln_f; LM head tied to wte.
  NeoX:  F.linear with W [out, in]; qkv rows [n_heads, 3, head_dim]; rotary embedding (rotate-half
         form, f32 cos/sin, base rotary_emb_base) on the first rotary_pct·head_dim dims of q and k;
         exact GELU; parallel residual x + attn(ln1(x)) + mlp(ln2(x)) (or sequential); untied embed_out.
Both with a preallocated KV cache (no torch.cat per step), under torch.inference_mode().

--compute f32 upcasts every weight to f32 (the usual way to run f16/bf16 checkpoints on a CPU);
--compute bf16 runs weights and activations in bfloat16 (oneDNN matmuls). torch 1.13 has no f16
matmul on the CPU ("addmm_impl_cpu_ not implemented for 'Half'"), so f16 runs as f32.

Measures exactly what ModelBench measures (see its class comment): per round, on an empty cache,
the prompt's prefill (timed alone), then new-tokens greedy decode steps (timed), then one prefill
of each --prefill length; warm-up rounds first. Prompt ids: (1000 + 7919·i) mod min(vocab, 50000).
Prints one JSON object, with the greedy ids for comparison with VectorLM's.
"""
import argparse
import json
import math
import os
import struct
import time

import torch
import torch.nn.functional as F

ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
             "I64": torch.int64, "I32": torch.int32, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """name → tensor (a copy in memory), by the safetensors spec: u64 header length, JSON header, data."""
    out = {}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        for name, meta in header.items():
            if name == "__metadata__":
                continue
            start, end = meta["data_offsets"]
            f.seek(base + start)
            buf = bytearray(f.read(end - start))
            dtype = ST_DTYPES[meta["dtype"]]
            t = torch.frombuffer(buf, dtype=dtype) if buf else torch.empty(0, dtype=dtype)
            out[name] = t.reshape(meta["shape"]).clone()
    return out


def read_weights(folder):
    st = os.path.join(folder, "model.safetensors")
    if os.path.isfile(st):
        return read_safetensors(st)
    return torch.load(os.path.join(folder, "pytorch_model.bin"), map_location="cpu")


def bench_ids(n, vocab):
    mod = min(vocab, 50000)
    return [(1000 + 7919 * i) % mod for i in range(n)]


class Gpt2:
    """GPT2LMHeadModel's forward, eager, with a preallocated KV cache."""

    def __init__(self, cfg, sd, dtype):
        p = "transformer." if "transformer.wte.weight" in sd else ""
        g = lambda name: sd[p + name].to(dtype).contiguous()
        self.d, self.heads, self.layers = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
        self.ctx, self.eps, self.vocab = cfg["n_positions"], cfg.get("layer_norm_epsilon", 1e-5), cfg["vocab_size"]
        act = cfg.get("activation_function", "gelu_new")
        self.approx = "tanh" if act in ("gelu_new", "gelu_fast", "gelu_pytorch_tanh") else "none"
        self.dtype = dtype
        self.wte, self.wpe = g("wte.weight"), g("wpe.weight")
        self.blocks = []
        for i in range(self.layers):
            b = "h.%d." % i
            self.blocks.append([g(b + n) for n in (
                "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                "mlp.c_proj.weight", "mlp.c_proj.bias")])
        self.lnf_w, self.lnf_b = g("ln_f.weight"), g("ln_f.bias")
        hd = self.d // self.heads
        self.k = torch.zeros(self.layers, self.heads, self.ctx, hd, dtype=dtype)
        self.v = torch.zeros(self.layers, self.heads, self.ctx, hd, dtype=dtype)
        self.pos = 0

    def reset(self):
        self.pos = 0

    def forward(self, ids):
        """Appends ids; returns the logits of the last position, [vocab] f32."""
        t, d, h = len(ids), self.d, self.heads
        hd = d // h
        p0 = self.pos
        x = self.wte[ids] + self.wpe[p0:p0 + t]
        mask = None
        if t > 1:
            mask = torch.full((t, p0 + t), float("-inf"), dtype=self.dtype).triu_(p0 + 1)
        for l, (w1, b1, wa, ba, wp, bp, w2, b2, wf, bf, wm, bm) in enumerate(self.blocks):
            a = F.layer_norm(x, (d,), w1, b1, self.eps)
            qkv = torch.addmm(ba, a, wa)
            q, k, v = qkv.split(d, dim=1)
            q = q.view(t, h, hd).transpose(0, 1)
            self.k[l, :, p0:p0 + t] = k.view(t, h, hd).transpose(0, 1)
            self.v[l, :, p0:p0 + t] = v.view(t, h, hd).transpose(0, 1)
            keys, values = self.k[l, :, :p0 + t], self.v[l, :, :p0 + t]
            s = torch.matmul(q, keys.transpose(1, 2)) * (1.0 / math.sqrt(hd))
            if mask is not None:
                s = s + mask
            o = torch.matmul(torch.softmax(s, dim=-1), values).transpose(0, 1).reshape(t, d)
            x = x + torch.addmm(bp, o, wp)
            m = F.layer_norm(x, (d,), w2, b2, self.eps)
            x = x + torch.addmm(bm, F.gelu(torch.addmm(bf, m, wf), approximate=self.approx), wm)
        self.pos += t
        last = F.layer_norm(x[-1:], (d,), self.lnf_w, self.lnf_b, self.eps)
        return F.linear(last, self.wte)[0].float()


class Neox:
    """GPTNeoXForCausalLM's forward, eager, with a preallocated KV cache."""

    def __init__(self, cfg, sd, dtype):
        g = lambda name: sd[name].to(dtype).contiguous()
        self.d, self.heads, self.layers = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
        self.ctx, self.eps, self.vocab = cfg["max_position_embeddings"], cfg.get("layer_norm_eps", 1e-5), cfg["vocab_size"]
        self.parallel = cfg.get("use_parallel_residual", True)
        act = cfg.get("hidden_act", "gelu")
        self.approx = "tanh" if act in ("gelu_new", "gelu_fast", "gelu_pytorch_tanh") else "none"
        self.dtype = dtype
        hd = self.d // self.heads
        pct = cfg.get("rotary_pct", cfg.get("partial_rotary_factor", 1.0))
        base = cfg.get("rotary_emb_base", cfg.get("rope_theta", 10000))
        self.rot = int(hd * pct)
        inv = 1.0 / (base ** (torch.arange(0, self.rot, 2, dtype=torch.int64).float() / self.rot))
        freqs = torch.outer(torch.arange(self.ctx, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos, self.sin = emb.cos().to(dtype), emb.sin().to(dtype)  # [ctx, rot]
        self.embed_in, self.embed_out = g("gpt_neox.embed_in.weight"), g("embed_out.weight")
        self.blocks = []
        for i in range(self.layers):
            b = "gpt_neox.layers.%d." % i
            self.blocks.append([g(b + n) for n in (
                "input_layernorm.weight", "input_layernorm.bias", "post_attention_layernorm.weight",
                "post_attention_layernorm.bias", "attention.query_key_value.weight",
                "attention.query_key_value.bias", "attention.dense.weight", "attention.dense.bias",
                "mlp.dense_h_to_4h.weight", "mlp.dense_h_to_4h.bias", "mlp.dense_4h_to_h.weight",
                "mlp.dense_4h_to_h.bias")])
        self.lnf_w, self.lnf_b = g("gpt_neox.final_layer_norm.weight"), g("gpt_neox.final_layer_norm.bias")
        self.k = torch.zeros(self.layers, self.heads, self.ctx, hd, dtype=dtype)
        self.v = torch.zeros(self.layers, self.heads, self.ctx, hd, dtype=dtype)
        self.pos = 0

    def reset(self):
        self.pos = 0

    def rope(self, x, cos, sin):
        """x [h, t, hd]: rotate-half rotary embedding on the first self.rot dims."""
        r = self.rot
        xr, xp = x[..., :r], x[..., r:]
        half = r // 2
        rotated = torch.cat((-xr[..., half:], xr[..., :half]), dim=-1)
        return torch.cat((xr * cos + rotated * sin, xp), dim=-1)

    def forward(self, ids):
        t, d, h = len(ids), self.d, self.heads
        hd = d // h
        p0 = self.pos
        x = self.embed_in[ids]
        cos, sin = self.cos[p0:p0 + t], self.sin[p0:p0 + t]
        mask = None
        if t > 1:
            mask = torch.full((t, p0 + t), float("-inf"), dtype=self.dtype).triu_(p0 + 1)
        for l, (w1, b1, w2, b2, wqkv, bqkv, wd, bd, wu, bu, wo, bo) in enumerate(self.blocks):
            a = F.layer_norm(x, (d,), w1, b1, self.eps)
            qkv = F.linear(a, wqkv, bqkv).view(t, h, 3, hd)
            q = qkv[:, :, 0].transpose(0, 1)
            k = qkv[:, :, 1].transpose(0, 1)
            v = qkv[:, :, 2].transpose(0, 1)
            if self.rot > 0:
                q, k = self.rope(q, cos, sin), self.rope(k, cos, sin)
            self.k[l, :, p0:p0 + t] = k
            self.v[l, :, p0:p0 + t] = v
            keys, values = self.k[l, :, :p0 + t], self.v[l, :, :p0 + t]
            s = torch.matmul(q, keys.transpose(1, 2)) * (1.0 / math.sqrt(hd))
            if mask is not None:
                s = s + mask
            o = torch.matmul(torch.softmax(s, dim=-1), values).transpose(0, 1).reshape(t, d)
            attn = F.linear(o, wd, bd)
            if self.parallel:
                m = F.layer_norm(x, (d,), w2, b2, self.eps)
                mlp = F.linear(F.gelu(F.linear(m, wu, bu), approximate=self.approx), wo, bo)
                x = mlp + attn + x
            else:
                x = x + attn
                m = F.layer_norm(x, (d,), w2, b2, self.eps)
                x = x + F.linear(F.gelu(F.linear(m, wu, bu), approximate=self.approx), wo, bo)
        self.pos += t
        last = F.layer_norm(x[-1:], (d,), self.lnf_w, self.lnf_b, self.eps)
        return F.linear(last, self.embed_out)[0].float()


def stats(values):
    s = sorted(values)
    n = len(s)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"median": median, "min": s[0], "max": s[-1], "all": values}


def rss():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "VmHWM"):
                out[key.lower() + "_bytes"] = int(line.split()[1]) * 1024
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--compute", choices=("f32", "bf16"), default="f32")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--prompt", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--prefill", default="128,512")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dtype = {"f32": torch.float32, "bf16": torch.bfloat16}[a.compute]

    t0 = time.perf_counter()
    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    sd = read_weights(a.model)
    stored = sorted({str(t.dtype).replace("torch.", "") for t in sd.values() if t.dim() == 2})
    kind = cfg["model_type"]
    with torch.inference_mode():
        model = {"gpt2": Gpt2, "gpt_neox": Neox}[kind](cfg, sd, dtype)
        del sd
        load_ms = (time.perf_counter() - t0) * 1e3
        vocab = model.vocab
        prompt = bench_ids(a.prompt, vocab)
        lengths = [int(n) for n in a.prefill.split(",") if n]
        prefill_ids = [bench_ids(n, vocab) for n in lengths]
        decode, prompt_rate, prefill = [], [], [[] for _ in lengths]
        greedy = []
        for rnd in range(-a.warmup, a.runs):
            model.reset()
            t0 = time.perf_counter()
            logits = model.forward(prompt)
            t1 = time.perf_counter()
            token = int(torch.argmax(logits))
            greedy = [token]
            t2 = time.perf_counter()
            for _ in range(a.new_tokens):
                logits = model.forward([token])
                token = int(torch.argmax(logits))
                greedy.append(token)
            t3 = time.perf_counter()
            rates = []
            for ids in prefill_ids:
                model.reset()
                p0 = time.perf_counter()
                model.forward(ids)
                rates.append(len(ids) / (time.perf_counter() - p0))
            if rnd >= 0:
                prompt_rate.append(len(prompt) / (t1 - t0))
                decode.append(a.new_tokens / (t3 - t2))
                for i, r in enumerate(rates):
                    prefill[i].append(r)

    result = {
        "impl": "pytorch", "model": a.model, "architecture": {"gpt2": "gpt2", "gpt_neox": "gpt-neox"}[kind],
        "weights": ",".join(stored), "compute": a.compute, "threads": a.threads, "runs": a.runs,
        "warmup": a.warmup, "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "load_ms": load_ms,
        "decode": {"prompt_tokens": a.prompt, "new_tokens": a.new_tokens, "tokens_per_s": stats(decode)},
        "prompt_prefill": {"tokens": a.prompt, "tokens_per_s": stats(prompt_rate)},
        "prefill": [{"tokens": n, "tokens_per_s": stats(r)} for n, r in zip(lengths, prefill)],
        "greedy_ids": greedy,
    }
    result.update(rss())
    print(json.dumps(result))


if __name__ == "__main__":
    main()

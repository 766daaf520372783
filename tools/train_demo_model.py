#!/usr/bin/env python3
"""Trains VectorLM's built-in demo model: a small GPT-2-architecture model on Tiny Shakespeare.

Reproducible (fixed seed), nanoGPT-style: the model class below follows nanoGPT's model.py
(exact-erf GELU, tied head, padded vocabulary), the data split is nanoGPT's shakespeare
prepare.py (first 90% of the characters train, last 10% validation, each encoded with the GPT-2
BPE, no special tokens).

Writes into OUTDIR:
  ckpt.pt            nanoGPT checkpoint dict (model weights in float16, model_args, iter_num,
                     best_val_loss, config); the optimizer state is left out to keep it small
  encoder.json, vocab.bpe   the GPT-2 tokenizer files (copied)
  score.json         the oracle for VectorLM's score test: the first 2000 validation tokens,
                     the validation text they came from, and the mean next-token cross-entropy
                     PyTorch computes for them with the shipped float16 weights (widened to
                     float32, on the CPU) under the sliding-window rule below
  train_log.json     losses, sizes, versions, timings, a sample

Sliding-window rule (identical to VectorLM's Scorer): ctx = block_size, stride = ctx // 2;
for begin = 0, stride, 2*stride, ...: window = ids[begin:end], end = min(begin + ctx, n);
score targets p in [max(prev_end, begin + 1), end) with the logits at p - 1; prev_end = end;
stop when end == n. Every target p in [1, n) is scored exactly once; loss = their mean.

Usage: python3 train_demo_model.py --text tinyshakespeare.txt --gpt2-dir DIR --out OUTDIR
"""
import argparse
import json
import math
import os
import shutil
import time

import torch
import torch.nn as nn
from torch.nn import functional as F


class LayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c["n_embd"], 3 * c["n_embd"], bias=c["bias"])
        self.c_proj = nn.Linear(c["n_embd"], c["n_embd"], bias=c["bias"])
        self.attn_dropout = nn.Dropout(c["dropout"])
        self.resid_dropout = nn.Dropout(c["dropout"])
        self.n_head = c["n_head"]
        self.n_embd = c["n_embd"]
        self.dropout = c["dropout"]
        n = c["block_size"]
        self.register_buffer("mask", torch.tril(torch.ones(n, n)).view(1, 1, n, n), persistent=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c["n_embd"], 4 * c["n_embd"], bias=c["bias"])
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * c["n_embd"], c["n_embd"], bias=c["bias"])
        self.dropout = nn.Dropout(c["dropout"])

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c["n_embd"], c["bias"])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c["n_embd"], c["bias"])
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c["vocab_size"], c["n_embd"]),
            wpe=nn.Embedding(c["block_size"], c["n_embd"]),
            drop=nn.Dropout(c["dropout"]),
            h=nn.ModuleList([Block(c) for _ in range(c["n_layer"])]),
            ln_f=LayerNorm(c["n_embd"], c["bias"]),
        ))
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied, as nanoGPT
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * c["n_layer"]))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        t = idx.size(1)
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


class Gpt2Bpe:
    """The GPT-2 tokenizer from encoder.json + vocab.bpe, built with Hugging Face tokenizers."""

    def __init__(self, gpt2_dir):
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers
        bpe = models.BPE.from_file(os.path.join(gpt2_dir, "encoder.json"), os.path.join(gpt2_dir, "vocab.bpe"))
        self.tok = Tokenizer(bpe)
        self.tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        self.tok.decoder = decoders.ByteLevel()

    def __call__(self, text):
        return {"input_ids": self.tok.encode(text).ids}

    def decode(self, ids):
        return self.tok.decode(ids)


def load_tokenizer(gpt2_dir):
    return Gpt2Bpe(gpt2_dir)


def sliding_window_loss(model, ids, ctx):
    """Mean next-token cross-entropy under the documented sliding-window rule."""
    n = len(ids)
    stride = ctx // 2
    total, count, prev_end = 0.0, 0, 0
    begin = 0
    with torch.no_grad():
        while True:
            end = min(begin + ctx, n)
            window = torch.tensor(ids[begin:end], dtype=torch.long)[None]
            logits = model(window)[0].float()
            first = max(prev_end, begin + 1)
            for p in range(first, end):
                lp = F.log_softmax(logits[p - 1 - begin].double(), dim=-1)
                total += -lp[ids[p]].item()
                count += 1
            prev_end = end
            if end == n:
                break
            begin += stride
    assert count == n - 1
    return total / count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", required=True)
    ap.add_argument("--gpt2-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--iters", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    started = time.time()

    torch.manual_seed(args.seed)
    torch.cuda.manual_seed_all(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    text = open(args.text, encoding="utf-8").read()
    split = int(len(text) * 0.9)
    tok = load_tokenizer(args.gpt2_dir)
    train_ids = tok(text[:split])["input_ids"]
    val_ids = tok(text[split:])["input_ids"]
    print(f"train {len(train_ids)} tokens, val {len(val_ids)} tokens", flush=True)

    c = dict(n_layer=6, n_head=4, n_embd=128, block_size=256, bias=True,
             vocab_size=50304, dropout=0.1)
    model = GPT(c).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params} parameters", flush=True)

    train = torch.tensor(train_ids, dtype=torch.long)
    val = torch.tensor(val_ids, dtype=torch.long)
    batch, ctx = 32, c["block_size"]
    gen = torch.Generator().manual_seed(args.seed)

    def get_batch(data):
        ix = torch.randint(len(data) - ctx - 1, (batch,), generator=gen)
        x = torch.stack([data[i:i + ctx] for i in ix])
        y = torch.stack([data[i + 1:i + 1 + ctx] for i in ix])
        return x.to(device), y.to(device)

    @torch.no_grad()
    def estimate(data, iters=40):
        model.eval()
        losses = torch.zeros(iters)
        for k in range(iters):
            x, y = get_batch(data)
            losses[k] = F.cross_entropy(model(x).view(-1, c["vocab_size"]), y.view(-1)).item()
        model.train()
        return losses.mean()

    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    warmup, lr_max, lr_min = 100, 1e-3, 1e-4
    best_val, best_state, best_iter, log = float("inf"), None, 0, []
    for it in range(args.iters + 1):
        if it < warmup:
            lr = lr_max * (it + 1) / warmup
        else:
            ratio = (it - warmup) / max(1, args.iters - warmup)
            lr = lr_min + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr_max - lr_min)
        for g in opt.param_groups:
            g["lr"] = lr
        if it % 250 == 0:
            tl, vl = estimate(train), estimate(val)
            log.append(dict(iter=it, train_loss=tl.item(), val_loss=vl.item()))
            print(f"iter {it}: train {tl:.4f} val {vl:.4f}", flush=True)
            if vl < best_val:
                best_val, best_iter = vl, it
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if it == args.iters:
            break
        x, y = get_batch(train)
        loss = F.cross_entropy(model(x).view(-1, c["vocab_size"]), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    # the shipped weights: best validation state, float16; wte and lm_head stay one storage
    model.load_state_dict(best_state)
    model.half()
    sd = model.state_dict()
    ckpt = {
        "model": sd,
        "model_args": c,
        "iter_num": best_iter,
        "best_val_loss": torch.tensor(float(best_val)),
        "config": dict(dataset="tinyshakespeare", batch_size=batch, block_size=ctx, learning_rate=lr_max,
                       min_lr=lr_min, warmup_iters=warmup, max_iters=args.iters, weight_decay=0.1,
                       dropout=c["dropout"], seed=args.seed, dtype="float16"),
    }
    ckpt_path = os.path.join(args.out, "ckpt.pt")
    torch.save(ckpt, ckpt_path)
    for f in ("encoder.json", "vocab.bpe"):
        shutil.copy(os.path.join(args.gpt2_dir, f), os.path.join(args.out, f))

    # oracle: reload what was written, widen to float32 on the CPU, no dropout
    loaded = torch.load(ckpt_path, map_location="cpu")
    cpu_c = dict(loaded["model_args"], dropout=0.0)
    cpu_model = GPT(cpu_c)
    cpu_model.load_state_dict({k: v.float() for k, v in loaded["model"].items()})
    cpu_model.eval()
    first = val_ids[:2000]
    # the validation text that yields exactly these tokens when encoded on its own
    val_text = text[split:]
    prefix_chars = len(tok.decode(first))
    score_loss = sliding_window_loss(cpu_model, first, ctx)
    with torch.no_grad():
        full_val_loss = sliding_window_loss(cpu_model, val_ids[:20000], ctx)
    print(f"score oracle: first 2000 val tokens loss {score_loss:.6f}", flush=True)

    # a sample for the model card: greedy-free sampling, fixed seed
    torch.manual_seed(42)
    ids = tok("ROMEO:")["input_ids"]
    x = torch.tensor(ids)[None]
    with torch.no_grad():
        for _ in range(120):
            logits = cpu_model(x[:, -ctx:])[0, -1] / 0.8
            v, _ = torch.topk(logits, 200)
            logits[logits < v[-1]] = -float("inf")
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
            x = torch.cat([x, nxt[None]], dim=1)
    sample = tok.decode(x[0].tolist())

    import tokenizers
    json.dump(dict(
        tokens=len(first), ids=first, text_chars=prefix_chars, text=val_text[:prefix_chars],
        window=ctx, stride=ctx // 2, loss=score_loss, perplexity=math.exp(score_loss),
        weights="float16 widened to float32", device="cpu", torch=torch.__version__,
    ), open(os.path.join(args.out, "score.json"), "w"), indent=1)
    json.dump(dict(
        log=log, best_iter=best_iter, best_val_loss_estimate=float(best_val),
        val_loss_first_20000_tokens_sliding=full_val_loss, parameters=n_params,
        train_tokens=len(train_ids), val_tokens=len(val_ids), model_args=c,
        ckpt_bytes=os.path.getsize(ckpt_path), seconds=time.time() - started, sample=sample,
        torch=torch.__version__, tokenizers=tokenizers.__version__, device=device,
        gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    ), open(os.path.join(args.out, "train_log.json"), "w"), indent=1)
    print(sample)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Trains a small GPT-NeoX (Hugging Face GPTNeoXForCausalLM, Pythia-style) on Tiny Shakespeare.

It gives VectorLM a NeoX model with real, trained weights: the int8 perplexity check ("within 1%
of f32 on real text") and a real-text scoring oracle need one. Reproducible (fixed seed), the
90/10 character split of nanoGPT's shakespeare prepare.py, the GPT-NeoX-20B tokenizer.

Writes into OUTDIR/neox-shakespeare/: config.json, model.safetensors (float16, tied embeddings to
stay small), tokenizer.json (the 20B tokenizer), score.json (first 2000 validation tokens, their
mean next-token loss from HF in float32 on the float16 weights, sliding window ctx/2 as VectorLM's
Scorer), train_log.json.

Usage: python3 train_neox_shakespeare.py --text tinyshakespeare.txt --tokenizer 20B_tokenizer.json --out OUTDIR
"""
import argparse
import json
import math
import os
import shutil
import time

import torch
from torch.nn import functional as F


def sliding_window_loss(model, ids, ctx):
    n, stride = len(ids), ctx // 2
    total, count, prev_end, begin = 0.0, 0, 0, 0
    with torch.no_grad():
        while True:
            end = min(begin + ctx, n)
            logits = model(torch.tensor([ids[begin:end]])).logits[0].float()
            lp = F.log_softmax(logits.double(), dim=-1)
            for p in range(max(prev_end, begin + 1), end):
                total += -lp[p - 1 - begin, ids[p]].item()
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
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--iters", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    started = time.time()
    out = os.path.join(args.out, "neox-shakespeare")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    from tokenizers import Tokenizer
    import transformers
    from transformers import GPTNeoXForCausalLM
    tok = Tokenizer.from_file(args.tokenizer)
    text = open(args.text, encoding="utf-8").read()
    split = int(len(text) * 0.9)
    train_ids = tok.encode(text[:split]).ids
    val_ids = tok.encode(text[split:]).ids
    ctx = 256
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from hf_neox_config import make_neox_config
    cfg = make_neox_config(0.25, 10000.0, vocab_size=50304, hidden_size=128, num_hidden_layers=4,
                           num_attention_heads=4, intermediate_size=512, hidden_act="gelu",
                           max_position_embeddings=ctx, layer_norm_eps=1e-5, use_parallel_residual=True,
                           tie_word_embeddings=True, attention_dropout=0.0, hidden_dropout=0.1,
                           bos_token_id=0, eos_token_id=0)
    model = GPTNeoXForCausalLM(cfg).to(device)
    model.tie_weights()
    train = torch.tensor(train_ids)
    val = torch.tensor(val_ids)
    gen = torch.Generator().manual_seed(args.seed)
    batch = 32

    def get_batch(data):
        ix = torch.randint(len(data) - ctx - 1, (batch,), generator=gen)
        x = torch.stack([data[i:i + ctx] for i in ix]).to(device)
        y = torch.stack([data[i + 1:i + 1 + ctx] for i in ix]).to(device)
        return x, y

    @torch.no_grad()
    def estimate(data):
        model.eval()
        ls = []
        for _ in range(40):
            x, y = get_batch(data)
            ls.append(F.cross_entropy(model(x).logits.view(-1, cfg.vocab_size), y.view(-1)).item())
        model.train()
        return sum(ls) / len(ls)

    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    best, best_state, best_iter, log = float("inf"), None, 0, []
    model.train()
    for it in range(args.iters + 1):
        lr = 1e-3 * min(1.0, (it + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * it / args.iters)))
        for g in opt.param_groups:
            g["lr"] = lr
        if it % 250 == 0:
            vl = estimate(val)
            log.append(dict(iter=it, val_loss=vl))
            print("iter", it, "val", vl, flush=True)
            if vl < best:
                best, best_iter = vl, it
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if it == args.iters:
            break
        x, y = get_batch(train)
        loss = F.cross_entropy(model(x).logits.view(-1, cfg.vocab_size), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    model.load_state_dict(best_state)
    model = model.to("cpu").half()
    model.config.hidden_dropout = 0.0
    model.save_pretrained(out)
    shutil.copy(args.tokenizer, os.path.join(out, "tokenizer.json"))

    ref = GPTNeoXForCausalLM.from_pretrained(out).float()
    ref.eval()
    first = val_ids[:2000]
    loss = sliding_window_loss(ref, first, ctx)
    json.dump(dict(tokens=len(first), ids=first, window=ctx, stride=ctx // 2, loss=loss,
                   perplexity=math.exp(loss), text=tok.decode(first),
                   weights="float16 widened to float32", torch=torch.__version__,
                   transformers=transformers.__version__),
              open(os.path.join(out, "score.json"), "w"), indent=1)
    json.dump(dict(log=log, best_iter=best_iter, best_val_estimate=best, seconds=time.time() - started,
                   files=sorted(os.listdir(out)), bytes={f: os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)}),
              open(os.path.join(out, "train_log.json"), "w"), indent=1)
    print("score loss", loss, flush=True)


if __name__ == "__main__":
    main()

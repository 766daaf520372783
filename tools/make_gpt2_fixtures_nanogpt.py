#!/usr/bin/python3
"""Writes nanoGPT-style GPT-2 checkpoints and the logits PyTorch computes from them.

Usage: /usr/bin/python3 tools/make_gpt2_fixtures_nanogpt.py [OUTDIR]
       (default OUTDIR: gpt2-model/src/test/resources/nanogpt)

The model below has the structure and parameter names of nanoGPT's model.py (transformer.wte,
.wpe, .h[i].ln_1 / attn.c_attn / attn.c_proj / ln_2 / mlp.c_fc / mlp.c_proj, .ln_f, lm_head tied
to wte, exact-erf nn.GELU(), LayerNorm eps 1e-5, optional biases); it is written here from that
description, not copied. Every parameter is random (LayerNorm weights 1 + 0.1*randn, biases
0.1*randn): nanoGPT's own init (LayerNorm 1, biases 0) would hide a swapped LayerNorm weight/bias
or a dropped bias. One AdamW step (nanoGPT's two parameter groups) is taken so the checkpoint
carries real optimizer state, as nanoGPT's train.py saves it.

Each folder OUTDIR/<variant>/ holds ckpt.pt and expected.json:
  f32       torch.save zip, state-dict keys as nanoGPT's raw model has them
  orig-mod  the same weights with '_orig_mod.' key prefixes (a torch.compile'd model's state dict)
  legacy    the same weights, _use_new_zipfile_serialization=False
  f16       the f32 model after .half() (model weights f16, tied storage kept)
  bf16      the f32 model after .to(torch.bfloat16)
  nobias    a bias=False model (no LayerNorm and no Linear biases), its own weights

expected.json: the config, the ids, "logits" [T][vocab] of a full forward, "decode" logits of a
KV-cached forward (prefill k tokens, then one token at a time; computed by a cached forward written
here, checked against the full forward), "generate" greedy continuation (full recompute per step,
as nanoGPT's generate does at temperature -> 0), "loss" = mean cross-entropy of ids[1:] given
ids[:-1] (float64 from float32 logits), the smallest top-1/top-2 logit gap seen during greedy
decoding, and the tool versions. f16/bf16 outputs are computed in float32 from the rounded weights.
"""
import copy
import json
import math
import os
import platform
import sys

import numpy
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240605
CONFIG = dict(n_layer=2, n_head=4, n_embd=48, block_size=48, vocab_size=96, dropout=0.0)
SEQ_LEN = 32          # ids of the full forward
PREFILL = 7           # cached decode: first chunk
PROMPT_LEN = 5        # greedy generation prompt = ids[:PROMPT_LEN]
NEW_TOKENS = 16
MIN_GREEDY_GAP = 1e-3  # refuse fixtures whose greedy choice a float32 rounding could flip


class LayerNorm(nn.Module):
    """nanoGPT's LayerNorm: optional bias, eps 1e-5."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c['n_head']
        self.n_embd = c['n_embd']
        self.c_attn = nn.Linear(c['n_embd'], 3 * c['n_embd'], bias=c['bias'])
        self.c_proj = nn.Linear(c['n_embd'], c['n_embd'], bias=c['bias'])
        # nanoGPT registers this mask buffer when flash attention is unavailable (torch < 2.0, as here),
        # so it is part of the state dict: loaders must ignore it.
        n = c['block_size']
        self.register_buffer('bias', torch.tril(torch.ones(n, n)).view(1, 1, n, n))

    def heads(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.n_head, self.n_embd // self.n_head).transpose(1, 2)

    def attend(self, q, k, v, start):
        """q [B, nh, T, hs] at positions start.., k/v [B, nh, start+T, hs]."""
        t_new = q.size(2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, start:start + t_new, :start + t_new] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        y = att @ v
        b = q.size(0)
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t_new, self.n_embd))

    def forward(self, x, cache=None):
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = self.heads(q), self.heads(k), self.heads(v)
        start = 0
        if cache is not None:
            if cache.get('k') is not None:
                start = cache['k'].size(2)
                k = torch.cat([cache['k'], k], dim=2)
                v = torch.cat([cache['v'], v], dim=2)
            cache['k'], cache['v'] = k, v
        return self.attend(q, k, v, start)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c['n_embd'], 4 * c['n_embd'], bias=c['bias'])
        self.gelu = nn.GELU()  # exact erf form, as nanoGPT
        self.c_proj = nn.Linear(4 * c['n_embd'], c['n_embd'], bias=c['bias'])

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = LayerNorm(c['n_embd'], c['bias'])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = LayerNorm(c['n_embd'], c['bias'])
        self.mlp = MLP(c)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(c['vocab_size'], c['n_embd']),
            wpe=nn.Embedding(c['block_size'], c['n_embd']),
            drop=nn.Dropout(c['dropout']),
            h=nn.ModuleList([Block(c) for _ in range(c['n_layer'])]),
            ln_f=LayerNorm(c['n_embd'], c['bias']),
        ))
        self.lm_head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT

    def forward(self, idx, caches=None, start=0):
        """Logits of every position of idx [B, T], at positions start..start+T-1."""
        t = idx.size(1)
        pos = torch.arange(start, start + t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for i, block in enumerate(self.transformer.h):
            x = block(x, None if caches is None else caches[i])
        return self.lm_head(self.transformer.ln_f(x))


def randomize(model, gen):
    """Every parameter random and distinct from nanoGPT's init, so mapping mistakes show."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('ln_1.weight') or name.endswith('ln_2.weight') or name.endswith('ln_f.weight'):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name == 'transformer.wte.weight':
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))
            elif name == 'transformer.wpe.weight':
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:
                # the MLP at twice the usual scale: pre-activations reach where tanh and erf GELU differ most
                gain = 2.0 if '.mlp.' in name else 1.0
                p.copy_(gain * torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]))


def adamw_step(model, gen):
    """One training step with nanoGPT's optimizer setup: decay for 2-D params, none for the rest."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    nodecay = [p for p in params if p.dim() < 2]
    groups = [{'params': decay, 'weight_decay': 0.1}, {'params': nodecay, 'weight_decay': 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=6e-4, betas=(0.9, 0.95))
    c = model.config
    x = torch.randint(0, c['vocab_size'], (2, 16), generator=gen)
    y = torch.randint(0, c['vocab_size'], (2, 16), generator=gen)
    logits = model(x)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return optimizer


def rows(t):
    """A float32 [T, V] tensor as nested lists of shortest float32-exact decimals."""
    return [[float('%.9g' % v) for v in row] for row in t.detach().to(torch.float32).tolist()]


def expected_outputs(model, ids):
    c = model.config
    model.eval()
    with torch.no_grad():
        idx = torch.tensor([ids])
        logits = model(idx)[0]
        targets = idx[0, 1:]
        loss = F.cross_entropy(logits[:-1].double(), targets).item()

        caches = [dict() for _ in range(c['n_layer'])]
        decode = [model(idx[:, :PREFILL], caches, 0)[0]]
        for pos in range(PREFILL, len(ids)):
            decode.append(model(idx[:, pos:pos + 1], caches, pos)[0])
        decode = torch.cat(decode)
        gap = (decode - logits).abs().max().item()
        assert gap < 1e-4, 'cached forward disagrees with full forward by %g' % gap

        generated = list(ids[:PROMPT_LEN])
        min_gap = float('inf')
        for _ in range(NEW_TOKENS):
            last = model(torch.tensor([generated[-c['block_size']:]]))[0, -1]
            top2 = torch.topk(last, 2).values
            min_gap = min(min_gap, (top2[0] - top2[1]).item())
            generated.append(int(torch.argmax(last)))
        assert min_gap > MIN_GREEDY_GAP, 'greedy step too close to a tie: %g' % min_gap
    return {
        'ids': ids,
        'logits': rows(logits),
        'decode': {'prefill': PREFILL, 'logits': rows(decode)},
        'generate': {'prompt': ids[:PROMPT_LEN], 'max_new_tokens': NEW_TOKENS,
                     'ids': generated[PROMPT_LEN:], 'min_top2_gap': min_gap},
        'loss': loss,
    }


def versions():
    return {'python': platform.python_version(), 'torch': torch.__version__, 'numpy': numpy.__version__,
            'script': 'tools/make_gpt2_fixtures_nanogpt.py', 'seed': SEED}


def checkpoint(model, optimizer, model_args, state_dict):
    """The dict nanoGPT's train.py saves."""
    train_config = {'out_dir': 'out', 'eval_interval': 2000, 'batch_size': 2, 'block_size': model_args['block_size'],
                    'learning_rate': 6e-4, 'weight_decay': 0.1, 'beta1': 0.9, 'beta2': 0.95, 'bias': model_args['bias'],
                    'dtype': 'float32', 'compile': False, 'init_from': 'scratch', 'dataset': 'fixture'}
    return {
        'model': state_dict,
        'optimizer': optimizer.state_dict(),
        'model_args': model_args,
        'iter_num': 1,
        'best_val_loss': torch.tensor(4.5678),  # a 0-d tensor, as estimate_loss() returns
        'config': train_config,
    }


def write(outdir, name, ckpt, expected, config, legacy=False):
    folder = os.path.join(outdir, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, 'ckpt.pt')
    if legacy:
        torch.save(ckpt, path, _use_new_zipfile_serialization=False)
    else:
        torch.save(ckpt, path)
    document = {'variant': name, 'model_args': config, 'versions': versions(),
                'tolerance_note': 'logits computed in float32 on CPU; f16/bf16 variants from the rounded weights'}
    document.update(expected)
    with open(os.path.join(folder, 'expected.json'), 'w') as f:
        json.dump(document, f, separators=(',', ':'))
        f.write('\n')
    size = os.path.getsize(path)
    assert size < 1_000_000, '%s is %d bytes' % (path, size)
    print('%-9s ckpt.pt %7d bytes, expected.json %7d bytes' % (name, size,
          os.path.getsize(os.path.join(folder, 'expected.json'))))


def float_copy(model, dtype):
    """The model with weights rounded to dtype (storage stays tied), and an f32 twin of the rounded weights."""
    low = copy.deepcopy(model).to(dtype)
    twin = GPT(model.config)
    twin.load_state_dict({k: v.to(torch.float32) for k, v in low.state_dict().items()})
    return low, twin


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else 'gpt2-model/src/test/resources/nanogpt'
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    torch.set_num_threads(1)

    for bias in (True, False):
        model_args = dict(CONFIG, bias=bias)
        model = GPT(model_args)
        randomize(model, gen)
        optimizer = adamw_step(model, gen)
        ids = torch.randint(0, model_args['vocab_size'], (SEQ_LEN,), generator=gen).tolist()
        expected = expected_outputs(model, ids)
        state = model.state_dict()
        if not bias:
            write(outdir, 'nobias', checkpoint(model, optimizer, model_args, state), expected, model_args)
            continue
        write(outdir, 'f32', checkpoint(model, optimizer, model_args, state), expected, model_args)
        prefixed = {'_orig_mod.' + k: v for k, v in state.items()}
        write(outdir, 'orig-mod', checkpoint(model, optimizer, model_args, prefixed), expected, model_args)
        write(outdir, 'legacy', checkpoint(model, optimizer, model_args, state), expected, model_args, legacy=True)
        for name, dtype in (('f16', torch.float16), ('bf16', torch.bfloat16)):
            low, twin = float_copy(model, dtype)
            write(outdir, name, checkpoint(low, optimizer, model_args, low.state_dict()),
                  expected_outputs(twin, ids), model_args)
    write_readme(outdir)


def write_readme(outdir):
    with open(os.path.join(outdir, 'README.md'), 'w') as f:
        f.write('# nanoGPT-style GPT-2 fixtures\n\nMade by `/usr/bin/python3 tools/make_gpt2_fixtures_nanogpt.py %s` '
                'with:\n\n' % outdir)
        for k, v in versions().items():
            f.write('- %s: %s\n' % (k, v))
        f.write('\nEach folder holds `ckpt.pt` (a nanoGPT checkpoint dict: `model`, `optimizer` (AdamW after one '
                'step), `model_args`, `iter_num`, `best_val_loss`, `config`) and `expected.json` (PyTorch\'s '
                'float32 logits of a full forward and of a cached decode, greedy ids, mean loss):\n\n'
                '- `f32`: zip format; `orig-mod`: keys prefixed `_orig_mod.`; `legacy`: '
                '`_use_new_zipfile_serialization=False` (its storage keys vary from run to run);\n'
                '- `f16`, `bf16`: the model converted, expected outputs from the rounded weights;\n'
                '- `nobias`: a `bias=False` model with its own weights.\n\n'
                'The script documents the model and how every parameter was randomized.\n')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Writes tiny random GPT-2 models with Hugging Face transformers, in every layout HF produces, and
the logits transformers computes from them: the oracle of VectorLM's GPT-2 loader tests.

Usage (on a machine with torch 2.x, transformers and safetensors; no network needed):
    python3 tools/make_gpt2_fixtures_hf.py gpt2-model/src/test/resources/hf

Every parameter is random (LayerNorm weights 1 + 0.1*randn, biases 0.1*randn, matrices
randn/sqrt(fan_in)): HF's own init (LayerNorm 1, biases 0) would hide a swapped LayerNorm
weight/bias or a dropped bias.

OUTDIR/
  f32-safetensors/   GPT2LMHeadModel.save_pretrained (model.safetensors, names 'transformer.*')
  f32-bin/           save_pretrained(safe_serialization=False) -> pytorch_model.bin; transformers v5
                     dropped that option, so there the state dict is torch.save'd as v4 did (see README)
  f32-sharded/       save_pretrained(max_shard_size=...) -> model-0000i-of-0000n.safetensors + index.json
  f32-unprefixed/    the same weights saved as GPT2Model (model.transformer): names without 'transformer.'
  f32-hubstyle-bin/  the layout of the 'gpt2' hub repo's pytorch_model.bin: unprefixed names plus the
                     h.{i}.attn.bias / attn.masked_bias buffers, legacy (non-zip) torch.save
  f16/, bf16/        the f32 model after .half() / .to(bfloat16), save_pretrained
  gelu/              another random model with activation_function="gelu" (exact erf)
  openai-tf-src/     the f32 weights under OpenAI's TF names and shapes (model/h0/attn/c_attn/w is
                     [1, in, out]) as model.safetensors, with hparams.json and a 'checkpoint' file:
                     the input of tools/tf-fixtures (TensorFlow Java SaveV2) for a real TF bundle
  expected-f32.json, expected-f16.json, expected-bf16.json, expected-gelu.json
  README.md          versions and how each file was made

expected-*.json: "ids", "logits" [T][vocab] of a full forward (float32, CPU), "decode" logits of a
cached forward via past_key_values (prefill k tokens then one at a time), "generate" greedy ids of
model.generate(do_sample=False), "loss" = model(ids, labels=ids).loss (mean cross-entropy of ids[1:]),
"min_top2_gap" the smallest top-1/top-2 logit gap in the greedy run. f16/bf16 outputs are computed
in float32 by a model holding the f16/bf16-rounded weights.
"""
import copy
import json
import math
import os
import platform
import shutil
import sys

import torch

import safetensors
import transformers
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel

SEED = 20240606
VOCAB, N_POSITIONS, N_EMBD, N_LAYER, N_HEAD = 131, 32, 64, 2, 4
SEQ_LEN = 24
PREFILL = 7
PROMPT_LEN = 5
NEW_TOKENS = 12
MIN_GREEDY_GAP = 1e-3
MAX_TOTAL_BYTES = 5_000_000


def make_config(**overrides):
    kw = dict(vocab_size=VOCAB, n_positions=N_POSITIONS, n_embd=N_EMBD, n_layer=N_LAYER, n_head=N_HEAD,
              resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=None, eos_token_id=None)
    kw.update(overrides)
    return GPT2Config(**kw)


def randomize(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split('.')
            if leaf[-2] in ('ln_1', 'ln_2', 'ln_f') and leaf[-1] == 'weight':
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith('wte.weight'):
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))
            elif name.endswith('wpe.weight'):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:  # Conv1D weight [in, out]
                # the MLP at twice the usual scale: pre-activations reach where tanh and erf GELU differ most
                gain = 2.0 if '.mlp.' in name else 1.0
                p.copy_(gain * torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[0]))


def new_model(gen, **overrides):
    model = GPT2LMHeadModel(make_config(**overrides))
    randomize(model, gen)
    model.eval()
    # the layout VectorLM's table expects: Conv1D [in, out]; stop here if transformers ever changes it
    h0 = model.transformer.h[0]
    assert tuple(h0.attn.c_attn.weight.shape) == (N_EMBD, 3 * N_EMBD), h0.attn.c_attn.weight.shape
    assert tuple(h0.mlp.c_fc.weight.shape) == (N_EMBD, 4 * N_EMBD), h0.mlp.c_fc.weight.shape
    assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr(), 'lm_head not tied'
    return model


def rows(t):
    return [[float('%.9g' % v) for v in row] for row in t.detach().to(torch.float32).tolist()]


def expected_outputs(model, ids):
    with torch.no_grad():
        idx = torch.tensor([ids])
        out = model(idx, labels=idx)
        logits = out.logits[0].float()
        loss = out.loss.item()
        loss64 = torch.nn.functional.cross_entropy(logits[:-1].double(), idx[0, 1:]).item()

        o = model(idx[:, :PREFILL], use_cache=True)
        past = o.past_key_values
        decode = [o.logits[0].float()]
        for pos in range(PREFILL, len(ids)):
            o = model(idx[:, pos:pos + 1], past_key_values=past, use_cache=True)
            past = o.past_key_values
            decode.append(o.logits[0].float())
        decode = torch.cat(decode)
        gap = (decode - logits).abs().max().item()
        assert gap < 1e-4, 'cached decode disagrees with the full forward by %g' % gap

        prompt = idx[:, :PROMPT_LEN]
        generated = model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                   max_new_tokens=NEW_TOKENS, pad_token_id=0)
        new_ids = generated[0, PROMPT_LEN:].tolist()
        assert len(new_ids) == NEW_TOKENS, new_ids
        # the same greedy run by full recompute, and how close each choice came to a tie
        full = model(generated).logits[0, PROMPT_LEN - 1:-1].float()
        assert full.argmax(-1).tolist() == new_ids, 'generate() disagrees with argmax of the full forward'
        top2 = torch.topk(full, 2, dim=-1).values
        min_gap = (top2[:, 0] - top2[:, 1]).min().item()
        assert min_gap > MIN_GREEDY_GAP, 'greedy choice too close to a tie: %g' % min_gap
    return {
        'ids': ids,
        'logits': rows(logits),
        'decode': {'prefill': PREFILL, 'logits': rows(decode)},
        'generate': {'prompt': ids[:PROMPT_LEN], 'max_new_tokens': NEW_TOKENS, 'ids': new_ids,
                     'min_top2_gap': min_gap},
        'loss': loss,
        'loss_float64': loss64,
    }


def twin_of(low):
    """A float32 model holding low's (rounded) weights."""
    twin = GPT2LMHeadModel(copy.deepcopy(low.config)).to(torch.float32)
    twin.load_state_dict({k: v.to(torch.float32) for k, v in low.state_dict().items()})
    twin.eval()
    assert all(p.dtype == torch.float32 for p in twin.parameters())
    return twin


def versions():
    return {'python': platform.python_version(), 'torch': torch.__version__,
            'transformers': transformers.__version__, 'safetensors': safetensors.__version__,
            'script': 'tools/make_gpt2_fixtures_hf.py', 'seed': SEED}


def write_expected(outdir, name, model, ids, variants, notes):
    doc = {'weights': name, 'variants': variants, 'versions': versions(), 'notes': notes,
           'config': {'vocab_size': VOCAB, 'n_positions': N_POSITIONS, 'n_embd': N_EMBD, 'n_layer': N_LAYER,
                      'n_head': N_HEAD, 'activation_function': model.config.activation_function},
           'attn_implementation': getattr(model.config, '_attn_implementation', None)}
    doc.update(expected_outputs(model, ids))
    with open(os.path.join(outdir, 'expected-%s.json' % name), 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')


def save_bin(model, folder, notes):
    """pytorch_model.bin as save_pretrained(safe_serialization=False) writes it, or as v4 did where v5 refuses."""
    try:
        model.save_pretrained(folder, safe_serialization=False)
        if os.path.exists(os.path.join(folder, 'pytorch_model.bin')):
            notes.append('f32-bin: save_pretrained(safe_serialization=False)')
            return
    except TypeError:
        pass
    # transformers v5 removed the option; v4 wrote torch.save(state_dict) into pytorch_model.bin with the
    # tied lm_head.weight sharing wte's storage, which is what this does.
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    model.config.save_pretrained(folder)
    torch.save(model.state_dict(), os.path.join(folder, 'pytorch_model.bin'))
    notes.append('f32-bin: transformers %s has no safe_serialization=False; torch.save(model.state_dict()) '
                 'into pytorch_model.bin + config.save_pretrained' % transformers.__version__)


def save_hubstyle_bin(model, folder):
    """The layout of the original 'gpt2' hub file: GPT2Model names, mask buffers, legacy torch.save."""
    os.makedirs(folder, exist_ok=True)
    model.config.save_pretrained(folder)
    state = {}
    mask = torch.tril(torch.ones(N_POSITIONS, N_POSITIONS)).view(1, 1, N_POSITIONS, N_POSITIONS)
    for k, v in model.transformer.state_dict().items():
        state[k] = v
        if k.endswith('.ln_1.bias'):
            layer = k[:-len('ln_1.bias')]
            state[layer + 'attn.bias'] = mask.clone()
            state[layer + 'attn.masked_bias'] = torch.tensor(-1e4)
    torch.save(state, os.path.join(folder, 'pytorch_model.bin'), _use_new_zipfile_serialization=False)


def openai_tensors(model):
    """The weights under OpenAI's TensorFlow names: conv weights [1, in, out], LayerNorm g/b."""
    t = model.transformer
    out = {'model/wte': t.wte.weight, 'model/wpe': t.wpe.weight,
           'model/ln_f/g': t.ln_f.weight, 'model/ln_f/b': t.ln_f.bias}
    for i, h in enumerate(t.h):
        p = 'model/h%d/' % i
        out[p + 'ln_1/g'] = h.ln_1.weight
        out[p + 'ln_1/b'] = h.ln_1.bias
        out[p + 'ln_2/g'] = h.ln_2.weight
        out[p + 'ln_2/b'] = h.ln_2.bias
        for conv, module in (('attn/c_attn', h.attn.c_attn), ('attn/c_proj', h.attn.c_proj),
                             ('mlp/c_fc', h.mlp.c_fc), ('mlp/c_proj', h.mlp.c_proj)):
            out[p + conv + '/w'] = module.weight.unsqueeze(0)
            out[p + conv + '/b'] = module.bias
    return {k: v.detach().to(torch.float32).contiguous().clone() for k, v in out.items()}


def check_openai_tensors(tensors, model, ids):
    """The renamed tensors, put back into a fresh HF model, must give the same logits bit for bit."""
    back = GPT2LMHeadModel(copy.deepcopy(model.config))
    sd = {'transformer.wte.weight': tensors['model/wte'], 'transformer.wpe.weight': tensors['model/wpe'],
          'transformer.ln_f.weight': tensors['model/ln_f/g'], 'transformer.ln_f.bias': tensors['model/ln_f/b'],
          'lm_head.weight': tensors['model/wte']}
    for i in range(N_LAYER):
        p, q = 'model/h%d/' % i, 'transformer.h.%d.' % i
        sd[q + 'ln_1.weight'], sd[q + 'ln_1.bias'] = tensors[p + 'ln_1/g'], tensors[p + 'ln_1/b']
        sd[q + 'ln_2.weight'], sd[q + 'ln_2.bias'] = tensors[p + 'ln_2/g'], tensors[p + 'ln_2/b']
        for conv, name in (('attn/c_attn', 'attn.c_attn'), ('attn/c_proj', 'attn.c_proj'),
                           ('mlp/c_fc', 'mlp.c_fc'), ('mlp/c_proj', 'mlp.c_proj')):
            sd[q + name + '.weight'] = tensors[p + conv + '/w'][0]
            sd[q + name + '.bias'] = tensors[p + conv + '/b']
    back.load_state_dict(sd, strict=False)
    back.eval()
    with torch.no_grad():
        a = model(torch.tensor([ids])).logits
        b = back(torch.tensor([ids])).logits
    assert torch.equal(a, b), 'OpenAI-named tensors do not reproduce the model'


def write_openai_src(model, folder, ids):
    os.makedirs(folder, exist_ok=True)
    tensors = openai_tensors(model)
    check_openai_tensors(tensors, model, ids)
    save_file(tensors, os.path.join(folder, 'model.safetensors'))
    with open(os.path.join(folder, 'hparams.json'), 'w') as f:
        json.dump({'n_vocab': VOCAB, 'n_ctx': N_POSITIONS, 'n_embd': N_EMBD, 'n_head': N_HEAD,
                   'n_layer': N_LAYER}, f, indent=2)
        f.write('\n')
    with open(os.path.join(folder, 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "model.ckpt"\nall_model_checkpoint_paths: "model.ckpt"\n')


def folder_files(folder):
    return sorted(os.listdir(folder))


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: make_gpt2_fixtures_hf.py OUTDIR')
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(SEED)
    notes = []

    model = new_model(gen)
    ids = torch.randint(0, VOCAB, (SEQ_LEN,), generator=gen).tolist()

    d = lambda name: os.path.join(outdir, name)
    model.save_pretrained(d('f32-safetensors'))
    save_bin(model, d('f32-bin'), notes)
    model.save_pretrained(d('f32-sharded'), max_shard_size='200KB')
    model.transformer.save_pretrained(d('f32-unprefixed'))
    save_hubstyle_bin(model, d('f32-hubstyle-bin'))
    write_openai_src(model, d('openai-tf-src'), ids)
    assert os.path.exists(os.path.join(d('f32-safetensors'), 'model.safetensors'))
    assert os.path.exists(os.path.join(d('f32-sharded'), 'model.safetensors.index.json')), \
        folder_files(d('f32-sharded'))
    assert os.path.exists(os.path.join(d('f32-unprefixed'), 'model.safetensors'))
    write_expected(outdir, 'f32', model, ids,
                   ['f32-safetensors', 'f32-bin', 'f32-sharded', 'f32-unprefixed', 'f32-hubstyle-bin',
                    'openai-tf (made from openai-tf-src by tools/tf-fixtures)'], notes)

    for name, dtype in (('f16', torch.float16), ('bf16', torch.bfloat16)):
        low = copy.deepcopy(model).to(dtype)
        low.save_pretrained(d(name))
        write_expected(outdir, name, twin_of(low), ids, [name],
                       ['computed in float32 from the %s-rounded weights' % name])

    gelu = new_model(gen, activation_function='gelu')
    gelu.save_pretrained(d('gelu'))
    write_expected(outdir, 'gelu', gelu, ids, ['gelu'], [])

    total = 0
    listing = []
    for root, _, files in sorted(os.walk(outdir)):
        for f in sorted(files):
            size = os.path.getsize(os.path.join(root, f))
            total += size
            listing.append('%-60s %9d' % (os.path.relpath(os.path.join(root, f), outdir), size))
    with open(d('README.md'), 'w') as f:
        f.write('# Hugging Face GPT-2 fixtures\n\nMade by `python3 tools/make_gpt2_fixtures_hf.py %s` with:\n\n'
                % outdir)
        for k, v in versions().items():
            f.write('- %s: %s\n' % (k, v))
        f.write('- attention implementation: %s\n' % getattr(model.config, '_attn_implementation', None))
        f.write('\nNotes:\n\n')
        for n in notes or ['(none)']:
            f.write('- %s\n' % n)
        f.write('\nThe OpenAI TensorFlow bundle is made from `openai-tf-src/` by TensorFlow Java:\n\n'
                '    tools/tf-fixtures/run.sh from-safetensors %s/openai-tf-src/model.safetensors '
                '%s/openai-tf/model.ckpt\n    cp %s/openai-tf-src/{hparams.json,checkpoint} %s/openai-tf/\n'
                % (outdir, outdir, outdir, outdir))
        f.write('\nFiles:\n\n```\n' + '\n'.join(listing) + '\n```\n')
    print('\n'.join(listing))
    print('total %d bytes' % total)
    assert total < MAX_TOTAL_BYTES, 'fixtures too large: %d bytes' % total


if __name__ == '__main__':
    main()

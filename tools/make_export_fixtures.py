#!/usr/bin/env python3
"""Oracle fixtures for `vectorlm export --to hf`: Hugging Face transformers' logits on exported folders.

For each case it runs `vectorlm export` (the launcher given by --vectorlm, default ./vectorlm) on a
committed test model, loads the exported folder with transformers' `from_pretrained` (PyTorch,
float32 compute: an f16 or bf16 export is upcast, as VectorLM computes in f32 with 16-bit weights),
runs the ids of the original model's own oracle fixture, and writes

    gpt2-model/src/test/resources/export/<case>.json
    neox-model/src/test/resources/export/<case>.json

with the ids, transformers' logits on the export, the original oracle's logits' largest difference
(relative to each row's largest |logit|), and the tool versions. It also checks that the exported
tokenizer.json loads in Hugging Face `tokenizers` and gives the ids the original files give on
tinyshakespeare (GPT-2: transformers' slow GPT2Tokenizer on encoder.json + vocab.bpe; NeoX: the
original tokenizer.json), and writes the first ids as tokenizer fixtures.

Usage (transformers 5 with torch 2.x; e.g. pip install --target /tmp/pylib-export torch transformers):
    PYTHONPATH=/tmp/pylib-export python3 tools/make_export_fixtures.py
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

import torch
import transformers
import tokenizers
import safetensors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
G = "gpt2-model/src/test/resources"
N = "neox-model/src/test/resources"

# case, module resources, source model, original oracle fixture, extra export arguments, tolerance note
CASES = [
    ("gpt2-hf-f32", G, f"{G}/hf/f32-safetensors", f"{G}/hf/expected-f32.json", []),
    ("gpt2-hf-f32-sharded", G, f"{G}/hf/f32-safetensors", f"{G}/hf/expected-f32.json", ["--max-shard-size", "100000"]),
    ("gpt2-hf-f16", G, f"{G}/hf/f16", f"{G}/hf/expected-f16.json", []),
    ("gpt2-hf-bf16", G, f"{G}/hf/bf16", f"{G}/hf/expected-bf16.json", []),
    ("gpt2-hf-f32-to-f16", G, f"{G}/hf/f32-safetensors", f"{G}/hf/expected-f32.json", ["--quantize", "f16"]),
    ("gpt2-openai-tf", G, f"{G}/hf/openai-tf", f"{G}/hf/expected-f32.json", []),
    ("gpt2-nanogpt-f32", G, f"{G}/nanogpt/f32", f"{G}/nanogpt/f32/expected.json", []),
    ("gpt2-nanogpt-nobias", G, f"{G}/nanogpt/nobias", f"{G}/nanogpt/nobias/expected.json", []),
    ("neox-par-f32", N, f"{N}/hf/par_r25_f32_st", f"{N}/hf/par_r25_f32_st/expected.json", []),
    ("neox-seq-tanh", N, f"{N}/hf/seq_r25_base500_tanh_st", f"{N}/hf/seq_r25_base500_tanh_st/expected.json", []),
    ("neox-slim", N, f"{N}/hf/slim", f"{N}/hf/slim/expected.json", []),
    ("neox-slim4", N, f"{N}/hf/slim4", f"{N}/hf/slim4/expected.json", []),
]


def export(vectorlm, model, out, extra, to="hf"):
    cmd = [vectorlm, "export", "--model", os.path.join(ROOT, model), "--to", to, out, "--force"] + extra
    subprocess.run(cmd, check=True, cwd=ROOT, env=dict(os.environ, VECTORLM_NO_BUILD="1"))


def max_rel(a, b):
    worst = 0.0
    for ra, rb in zip(a, b):
        scale = max(1.0, max(abs(x) for x in rb))
        worst = max(worst, max(abs(x - y) for x, y in zip(ra, rb)) / scale)
    return worst


def logits_of(folder, ids):
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        out = model(torch.tensor([ids])).logits[0]
    return out.double().tolist(), type(model).__name__


def versions():
    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "safetensors": safetensors.__version__, "script": "tools/make_export_fixtures.py"}


def tokenizer_fixtures(vectorlm, tmp):
    text = open("/work/shared/data/text/tinyshakespeare.txt", encoding="utf-8").read() \
        if os.path.exists("/work/shared/data/text/tinyshakespeare.txt") else None
    if text is None:
        sys.exit("tinyshakespeare.txt not found")
    sample = text[:20000]
    results = {}
    for name, module, model in [("gpt2-shakespeare", G, "models/gpt2-shakespeare"),
                                ("neox-shakespeare", N, "models/neox-shakespeare")]:
        out = os.path.join(tmp, name)
        export(vectorlm, model, out, [])
        exported = tokenizers.Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
        ids = exported.encode(text).ids
        if name.startswith("gpt2"):
            original = transformers.GPT2Tokenizer(os.path.join(ROOT, model, "encoder.json"),
                                                  os.path.join(ROOT, model, "vocab.bpe"))
            reference = original.encode(text)
        else:
            reference = tokenizers.Tokenizer.from_file(os.path.join(ROOT, model, "tokenizer.json")).encode(text).ids
        assert ids == reference, f"{name}: exported tokenizer.json gives other ids than the original on tinyshakespeare"
        fast = transformers.AutoTokenizer.from_pretrained(out)
        assert fast.encode(text) == reference, f"{name}: AutoTokenizer on the export differs"
        results[name] = len(ids)
        os.makedirs(os.path.join(ROOT, module, "export"), exist_ok=True)
        with open(os.path.join(ROOT, module, "export", f"tokenizer-{name}.json"), "w") as f:
            json.dump({"text": sample, "ids": exported.encode(sample).ids,
                       "all_ids_count": len(ids), "versions": versions(),
                       "note": "ids of Hugging Face tokenizers on the exported tokenizer.json; the whole of "
                               "tinyshakespeare.txt gave the original's ids (GPT-2: transformers' GPT2Tokenizer on "
                               "encoder.json + vocab.bpe)"}, f)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectorlm", default=os.path.join(ROOT, "vectorlm"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="vectorlm-export-")
    try:
        for case, module, model, oracle, extra in CASES:
            out = os.path.join(tmp, case)
            export(args.vectorlm, model, out, extra)
            expected = json.load(open(os.path.join(ROOT, oracle)))
            ids = expected["ids"]
            logits, cls = logits_of(out, ids)
            diff = max_rel(logits, expected["logits"])
            print(f"{case}: {cls}, {len(ids)} positions, transformers on the export vs the original's oracle: "
                  f"{diff:.2e} of the row scale", flush=True)
            os.makedirs(os.path.join(ROOT, module, "export"), exist_ok=True)
            with open(os.path.join(ROOT, module, "export", f"{case}.json"), "w") as f:
                json.dump({"case": case, "source": model, "export_args": extra, "model_class": cls,
                           "oracle": oracle, "max_rel_vs_oracle": diff, "versions": versions(),
                           "ids": ids, "logits": logits}, f)
        print("tokenizers:", tokenizer_fixtures(args.vectorlm, tmp))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Oracle fixtures for `vectorlm export --to gguf`: llama.cpp's own converter and llama.cpp itself.

For each demo model (models/gpt2-shakespeare, a nanoGPT ckpt.pt; models/neox-shakespeare, a
Hugging Face GPT-NeoX folder) and type (f32, f16, q8_0) it
  1. exports the model with `vectorlm export --to hf` (f32) and converts that folder with llama.cpp's
     convert_hf_to_gguf.py (path in $LLAMA_CPP_CONVERTER), --outtype as the type;
  2. exports the model with `vectorlm export --to gguf --quantize TYPE`;
  3. lists both files with gguf-py (every key's type and value, long arrays as count + SHA-256,
     every tensor's type, shape and data SHA-256) and records the differences;
  4. runs both through llama.cpp ($LLAMA_LOGITS: a program printing llama.cpp's logits of an id list
     as JSON, built against libllama outside this repository) and records the largest difference,
     and llama.cpp's logits on the exported file at a few positions (top 10 and 64 fixed ids).
The listing of the converter's file and llama.cpp's logits are written to
gpt2-model/src/test/resources/export/gguf-<model>-<type>.json (and neox-model/...), which the Java
tests compare their own export with. No llama.cpp code or build step is here: both programs are
given by path.

Usage:
  LLAMA_CPP_CONVERTER=.../convert_hf_to_gguf.py LLAMA_LOGITS=.../llama-logits \
  PYTHONPATH=/tmp/pylib-export python3 tools/make_gguf_export_fixtures.py
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONVERTER = os.environ["LLAMA_CPP_CONVERTER"]
LOGITS = os.environ["LLAMA_LOGITS"]
sys.path.insert(0, os.path.join(os.path.dirname(CONVERTER), "gguf-py"))
import gguf  # noqa: E402  (the converter's own gguf-py)
import numpy as np  # noqa: E402

MODELS = [("gpt2-shakespeare", "gpt2-model", "models/gpt2-shakespeare"),
          ("neox-shakespeare", "neox-model", "models/neox-shakespeare")]
TYPES = ["f32", "f16", "q8_0"]
IDS = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13, 50256, 198]
POSITIONS = [0, 5, 11]
PROBE = list(range(0, 50257, 797))[:64]


def sha(b):
    return hashlib.sha256(b).hexdigest()


def listing(path):
    r = gguf.GGUFReader(path)
    keys = {}
    for k, f in r.fields.items():
        if k.startswith("GGUF."):
            continue
        t = f.types
        if t[0] == gguf.GGUFValueType.ARRAY:
            if t[-1] == gguf.GGUFValueType.STRING:
                items = [bytes(f.parts[i]).decode("utf-8") for i in f.data]
                keys[k] = {"type": "ARRAY:STRING", "count": len(items),
                           "sha256": sha("\n".join(items).encode("utf-8")), "first": items[:3]}
            else:
                items = [int(f.parts[i][0]) for i in f.data]
                keys[k] = {"type": "ARRAY:" + t[-1].name, "count": len(items),
                           "sha256": sha(",".join(map(str, items)).encode()), "first": items[:3]}
        elif t[0] == gguf.GGUFValueType.STRING:
            keys[k] = {"type": "STRING", "value": bytes(f.parts[f.data[0]]).decode("utf-8")}
        else:
            v = f.parts[f.data[0]][0]
            keys[k] = {"type": t[0].name, "value": bool(v) if t[0] == gguf.GGUFValueType.BOOL else v.item()}
    tensors = {}
    for t in r.tensors:
        tensors[t.name] = {"type": t.tensor_type.name, "shape": [int(x) for x in reversed(t.shape)],
                           "sha256": sha(np.ascontiguousarray(t.data).view(np.uint8).tobytes())}
    return {"keys": keys, "tensors": tensors}


def run(cmd, **kw):
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def llama_logits(path, tmp):
    out = os.path.join(tmp, "logits.json")
    r = subprocess.run([LOGITS, path, ",".join(map(str, IDS)), out], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
    return json.load(open(out))["logits"], None


def max_rel(a, b):
    return max(max(abs(x - y) for x, y in zip(ra, rb)) / max(1.0, max(abs(y) for y in rb)) for ra, rb in zip(a, b))


def main():
    env = dict(os.environ, VECTORLM_NO_BUILD="1")
    vectorlm = os.path.join(ROOT, "vectorlm")
    tmp = tempfile.mkdtemp(prefix="vectorlm-gguf-")
    for name, module, model in MODELS:
        hf = os.path.join(tmp, name + "-hf")
        run([vectorlm, "export", "--model", model, "--to", "hf", hf, "--quantize", "f32", "--force"], env=env)
        for typ in TYPES:
            conv = os.path.join(tmp, f"{name}-conv-{typ}.gguf")
            ours = os.path.join(tmp, f"{name}-ours-{typ}.gguf")
            run([sys.executable, CONVERTER, hf, "--outtype", typ, "--outfile", conv], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            run([vectorlm, "export", "--model", model, "--to", "gguf", ours, "--quantize", typ, "--force"], env=env)
            a, b = listing(ours), listing(conv)
            diffs = [k for k in sorted(set(a["keys"]) | set(b["keys"])) if a["keys"].get(k) != b["keys"].get(k)]
            tdiffs = [t for t in sorted(set(a["tensors"]) | set(b["tensors"]))
                      if a["tensors"].get(t) != b["tensors"].get(t)]
            ours_logits, ours_err = llama_logits(ours, tmp)
            conv_logits, conv_err = llama_logits(conv, tmp)
            result = {"model": model, "type": typ, "ids": IDS,
                      "converter": os.path.relpath(CONVERTER, os.path.dirname(os.path.dirname(CONVERTER))),
                      "converter_listing": b, "differing_keys": diffs, "differing_tensors": tdiffs,
                      "llama_cpp_on_export": ours_err or "ok", "llama_cpp_on_converter_file": conv_err or "ok"}
            if ours_logits and conv_logits:
                result["llama_cpp_export_vs_converter_max_rel"] = max_rel(ours_logits, conv_logits)
            if ours_logits:
                result["positions"] = POSITIONS
                result["probe_ids"] = PROBE
                result["llama_cpp_probe_logits"] = [[ours_logits[p][i] for i in PROBE] for p in POSITIONS]
                result["llama_cpp_top10"] = [sorted(range(len(ours_logits[p])), key=lambda i: -ours_logits[p][i])[:10]
                                             for p in POSITIONS]
            print(name, typ, "keys differing:", diffs, "tensors differing:", tdiffs, "| llama.cpp:",
                  ours_err or "ok", "/", conv_err or "ok", result.get("llama_cpp_export_vs_converter_max_rel"),
                  flush=True)
            os.makedirs(os.path.join(ROOT, module, "src/test/resources/export"), exist_ok=True)
            with open(os.path.join(ROOT, module, "src/test/resources/export", f"gguf-{name}-{typ}.json"), "w") as f:
                json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()

"""What tools/make_gpt2_bench_model.py and tools/make_neox_bench_model.py share: random tensors and a
safetensors file written by hand, one tensor at a time (8-byte little-endian header length, JSON
header padded to 8 bytes, tensor bytes), so that even a model larger than memory never sits in it.
Runs with Debian's python3-torch (1.13) and nothing else.
"""
import json
import os
import struct
import sys
import time

import torch

DTYPES = {"f32": (torch.float32, "F32", "float32"), "f16": (torch.float16, "F16", "float16"),
          "bf16": (torch.bfloat16, "BF16", "bfloat16")}


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def make_tensor(shape, kind, seed, dtype):
    """N(0, 0.02); a LayerNorm weight ("norm") 1 + N(0, 0.02). One torch.Generator per tensor."""
    g = torch.Generator().manual_seed(seed)
    t = 0.02 * torch.randn(shape, generator=g)
    if kind == "norm":
        t += 1
    return t.to(dtype).contiguous()


def tensor_bytes(t):
    # raw little-endian bytes; numpy has no bfloat16, so 16-bit types go through an int16 view
    if t.dtype in (torch.bfloat16, torch.float16):
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def output_folder(out):
    """The absolute path of OUTDIR, created; exits if it lies inside the repository (benchmark models are never committed)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.abspath(out)
    if out == repo or out.startswith(repo + os.sep):
        sys.exit("refusing to write %s inside the repository %s: benchmark models are never committed" % (out, repo))
    os.makedirs(out, exist_ok=True)
    return out


def write_random_safetensors(path, specs, dtype_name, seed, made_by, progress_every=0):
    """Writes the (name, shape, kind) specs as random tensors of dtype_name; tensor i is seeded with
    seed * 100003 + i. Prints progress every progress_every tensors (0: never).
    Returns (file bytes, parameters, seconds)."""
    dtype, st_dtype, _ = DTYPES[dtype_name]
    size = torch.tensor([], dtype=dtype).element_size()
    header, offset = {}, 0
    for name, shp, _ in specs:
        n = numel(shp) * size
        header[name] = {"dtype": st_dtype, "shape": list(shp), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt", "made_by": made_by}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the data starts 8-byte aligned
    start = time.time()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for i, (name, shp, kind) in enumerate(specs):
            f.write(tensor_bytes(make_tensor(shp, kind, seed * 100003 + i, dtype)))
            if progress_every and i % progress_every == 0:
                print("%5.1f%% %s" % (100.0 * (i + 1) / len(specs), name), flush=True)
    total = os.path.getsize(path)
    assert total == 8 + len(raw) + offset, (total, offset)
    return total, sum(numel(s) for _, s, _ in specs), round(time.time() - start, 1)


def write_info(out, info):
    """Writes the model's description to OUTDIR/bench_model.json and prints it as one JSON line."""
    with open(os.path.join(out, "bench_model.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))

#!/usr/bin/env python3
"""Writes the safetensors test fixtures of checkpoint-io, and the values a reader must find.

    python3 tools/make_safetensors_fixtures.py OUTDIR

Run where Hugging Face's `safetensors` (and ideally `huggingface_hub`) are installed: the files
are then written by `safetensors.torch.save_file` / `safetensors.numpy.save_file`, which is the
oracle the Java reader is tested against. Where `safetensors` is missing (a machine with only
Debian's torch), the files are written by this script's own spec-following writer
(`by_hand_save`) and `expected.json` says so: an interim oracle only.

Outputs (all small):
  dtypes.safetensors      one tensor per dtype torch can save here (F8 / U16-U64 when available)
  numpy.safetensors       numpy arrays, incl. U16/U32/U64 (via safetensors.numpy)
  metadata.safetensors    __metadata__, a 0-d tensor, empty tensors, a transposed (made contiguous) one
  sharded/                model-0000i-of-00002.safetensors + model.safetensors.index.json
  sharded-bin/            the same state dict as torch.save shards + pytorch_model.bin.index.json
  expected.json           every tensor's dtype, shape and values (as torch/numpy read them) per file
Deterministic: fixed values and seed; no network.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

try:
    import safetensors
    import safetensors.numpy
    import safetensors.torch
    HAVE_ST = True
except ImportError:  # interim: only Debian's torch here
    HAVE_ST = False

try:
    import huggingface_hub
    HAVE_HUB = hasattr(huggingface_hub, "split_torch_state_dict_into_shards")
except ImportError:
    HAVE_HUB = False

# --------------------------------------------------------------------------- dtype tables

TORCH_TO_ST = [  # (torch attribute, safetensors name)
    ("bool", "BOOL"), ("uint8", "U8"), ("int8", "I8"), ("float8_e5m2", "F8_E5M2"),
    ("float8_e4m3fn", "F8_E4M3"), ("int16", "I16"), ("uint16", "U16"), ("float16", "F16"),
    ("bfloat16", "BF16"), ("int32", "I32"), ("uint32", "U32"), ("float32", "F32"),
    ("float64", "F64"), ("int64", "I64"), ("uint64", "U64"),
]
ST_ITEM = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2,
           "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
NUMPY_TO_ST = {np.dtype(np.bool_): "BOOL", np.dtype(np.uint8): "U8", np.dtype(np.int8): "I8",
               np.dtype(np.int16): "I16", np.dtype(np.uint16): "U16", np.dtype(np.float16): "F16",
               np.dtype(np.int32): "I32", np.dtype(np.uint32): "U32", np.dtype(np.float32): "F32",
               np.dtype(np.float64): "F64", np.dtype(np.int64): "I64", np.dtype(np.uint64): "U64"}

# Exactly representable values; F8 bit patterns for the by-hand writer where torch lacks float8.
F8_VALUES = {
    "F8_E4M3": ([1.0, -0.5, 448.0, 0.015625, 2.0 ** -9], [0x38, 0xB0, 0x7E, 0x08, 0x01]),
    "F8_E5M2": ([1.0, -0.75, 57344.0, 2.0 ** -16], [0x3C, 0xBA, 0x7B, 0x01]),
}


def decode_f8(bits, name):
    """Independent decoder, used only for the by-hand interim files."""
    out = []
    for b in bits:
        sign = -1.0 if b & 0x80 else 1.0
        if name == "F8_E4M3":
            e, m = (b >> 3) & 0xF, b & 0x7
            out.append(sign * (m / 8.0 * 2.0 ** -6 if e == 0 else (1 + m / 8.0) * 2.0 ** (e - 7)))
        else:
            out.append(float(np.frombuffer(bytes([0, b]), dtype="<f2")[0]))
    return out


def torch_tensors():
    """name -> (torch tensor, safetensors dtype name) for every dtype this torch has."""
    g = torch.Generator().manual_seed(1234)
    out = {}
    for attr, st in TORCH_TO_ST:
        dt = getattr(torch, attr, None)
        if dt is None:
            continue
        name = "t_" + st.lower()
        if st == "BOOL":
            t = torch.tensor([[True, False, True], [False, False, True]])
        elif st.startswith("F8"):
            t = torch.tensor(F8_VALUES[st][0], dtype=torch.float32).to(dt)
        elif st in ("F16", "BF16", "F32", "F64"):
            t = (torch.randn(3, 4, generator=g, dtype=torch.float64) * 3).to(dt)
            t[0, 0] = -0.0
            t[0, 1] = 1.0e4 if st == "F16" else 3.0e38 if st in ("BF16", "F32") else 1.0e300
        elif st.startswith("U"):
            if st == "U8":
                t = torch.tensor([0, 1, 127, 128, 255], dtype=dt)
            else:
                try:
                    t = torch.tensor([0, 1, 2, 3], dtype=torch.int64).to(dt)
                except Exception:  # noqa: BLE001 - this torch cannot make the type: skip it
                    continue
        else:
            info = torch.iinfo(dt)
            t = torch.tensor([info.min, -1, 0, 1, info.max], dtype=dt)
        out[name] = (t, st)
    return out


def values_of(t):
    """Flat list of python values: floats via float64 (exact for every float type), ints, bools."""
    if t.dtype == torch.bool:
        return [bool(x) for x in t.reshape(-1).tolist()]
    if t.is_floating_point():
        # via float32 first: every conversion from float8/bf16/f16 to float32 exists and is exact
        wide = t if t.dtype == torch.float64 else t.to(torch.float32)
        return [float(x) for x in wide.to(torch.float64).reshape(-1).tolist()]
    if str(t.dtype) in ("torch.uint16", "torch.uint32", "torch.uint64"):
        try:
            return [int(x) for x in t.numpy().reshape(-1).tolist()]
        except Exception:  # noqa: BLE001 - a torch whose numpy() lacks the type
            return [int(x) for x in t.to(torch.int64).reshape(-1).tolist()]
    return [int(x) for x in t.reshape(-1).tolist()]


def raw_bytes(t, st):
    if st.startswith("F8") and not hasattr(torch, "float8_e4m3fn"):
        raise AssertionError("unreachable")
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().tobytes()


def by_hand_save(tensors, path, metadata=None):
    """The safetensors format as the spec and the reference writer define it: header entries
    sorted by (alignment desc, name), data in that order, header padded with spaces to 8 bytes.
    `tensors`: name -> (st dtype, shape list, raw little-endian bytes)."""
    order = sorted(tensors, key=lambda n: (-ST_ITEM[tensors[n][0]], n))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for n in order:
        st, shape, data = tensors[n]
        header[n] = {"dtype": st, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for n in order:
            f.write(tensors[n][2])


def save_torch(named, path, metadata=None):
    """named: name -> torch tensor (all contiguous)."""
    if HAVE_ST:
        safetensors.torch.save_file(named, path, metadata=metadata)
        return
    st_of = {getattr(torch, a): s for a, s in TORCH_TO_ST if getattr(torch, a, None) is not None}
    by_hand_save({n: (st_of[t.dtype], list(t.shape), raw_bytes(t, st_of[t.dtype])) for n, t in named.items()},
                 path, metadata)


def expected_entry(st, t):
    return {"dtype": st, "shape": list(t.shape), "values": values_of(t)}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "sharded"), exist_ok=True)
    writer = ("safetensors %s (safetensors.torch.save_file / safetensors.numpy.save_file)" % safetensors.__version__
              if HAVE_ST else "by hand, following the safetensors spec (interim: HF safetensors not installed)")
    expected = {"writer": writer, "torch": torch.__version__, "numpy": np.__version__, "files": {}}

    # dtypes.safetensors ---------------------------------------------------------------------
    named = torch_tensors()
    tensors = {n: t for n, (t, _) in named.items()}
    extra = {}
    if not HAVE_ST or not hasattr(torch, "float8_e4m3fn"):
        # torch without float8: add the F8 tensors as raw bit patterns (by-hand files only)
        for st, (vals, bits) in F8_VALUES.items():
            extra["t_" + st.lower()] = (st, [len(bits)], bytes(bits), decode_f8(bits, st))
    if HAVE_ST:
        # safetensors refuses what it cannot map; drop such dtypes rather than fail
        for n in list(tensors):
            try:
                safetensors.torch.save({n: tensors[n]})
            except Exception as e:  # noqa: BLE001
                print("skipping %s: %s" % (n, e), file=sys.stderr)
                del tensors[n]
        save_torch(tensors, os.path.join(out, "dtypes.safetensors"))
        file_expected = {n: expected_entry(named[n][1], t) for n, t in tensors.items()}
    else:
        raw = {n: (named[n][1], list(t.shape), raw_bytes(t, named[n][1])) for n, t in tensors.items()}
        for n, (st, shape, data, _) in extra.items():
            raw[n] = (st, shape, data)
        by_hand_save(raw, os.path.join(out, "dtypes.safetensors"))
        file_expected = {n: expected_entry(named[n][1], t) for n, t in tensors.items()}
        for n, (st, shape, _, vals) in extra.items():
            file_expected[n] = {"dtype": st, "shape": shape, "values": vals}
    expected["files"]["dtypes.safetensors"] = {"metadata": None, "tensors": file_expected}

    # numpy.safetensors ----------------------------------------------------------------------
    rng = np.random.default_rng(99)
    arrays = {
        "n_u16": np.array([0, 1, 65535], dtype=np.uint16),
        "n_u32": np.array([[0, 4294967295]], dtype=np.uint32),
        "n_u64": np.array([0, 2 ** 63, 2 ** 64 - 1], dtype=np.uint64),
        "n_f16": rng.standard_normal((2, 3)).astype(np.float16),
        "n_f32": rng.standard_normal((5,)).astype(np.float32),
        "n_i64": np.array([-(2 ** 63), 2 ** 63 - 1], dtype=np.int64),
        "n_bool": np.array([True, False]),
    }
    path = os.path.join(out, "numpy.safetensors")
    if HAVE_ST:
        safetensors.numpy.save_file(arrays, path)
    else:
        by_hand_save({n: (NUMPY_TO_ST[a.dtype], list(a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes())
                      for n, a in arrays.items()}, path)
    expected["files"]["numpy.safetensors"] = {"metadata": None, "tensors": {
        n: {"dtype": NUMPY_TO_ST[a.dtype], "shape": list(a.shape),
            "values": [bool(x) if a.dtype == np.bool_ else float(x) if a.dtype.kind == "f" else int(x)
                       for x in a.reshape(-1).tolist()]}
        for n, a in arrays.items()}}

    # metadata.safetensors -------------------------------------------------------------------
    g = torch.Generator().manual_seed(7)
    base = torch.randn(3, 5, generator=g)
    meta_tensors = {
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "empty_i64": torch.zeros(2, 0, dtype=torch.int64),
        "transposed": base.t().contiguous(),   # save_file needs contiguous tensors
        "weight": base,
    }
    metadata = {"format": "pt", "note": "h\u00e9llo \u2603", "empty": ""}
    save_torch(meta_tensors, os.path.join(out, "metadata.safetensors"), metadata)
    st_of = {getattr(torch, a): s for a, s in TORCH_TO_ST if getattr(torch, a, None) is not None}
    expected["files"]["metadata.safetensors"] = {"metadata": metadata, "tensors": {
        n: expected_entry(st_of[t.dtype], t) for n, t in meta_tensors.items()}}

    # sharded/ -------------------------------------------------------------------------------
    g = torch.Generator().manual_seed(11)
    state = {
        "transformer.wte.weight": torch.randn(16, 8, generator=g),
        "transformer.h.0.attn.c_attn.weight": torch.randn(8, 24, generator=g),
        "transformer.h.0.attn.c_attn.bias": torch.randn(24, generator=g),
        "transformer.h.1.mlp.c_fc.weight": torch.randn(8, 32, generator=g).to(torch.float16),
        "transformer.ln_f.weight": torch.ones(8),
    }
    shard_dir = os.path.join(out, "sharded")
    total = sum(t.numel() * t.element_size() for t in state.values())
    if HAVE_HUB:
        split = huggingface_hub.split_torch_state_dict_into_shards(
            state, filename_pattern="model{suffix}.safetensors", max_shard_size=1300)  # 2 shards: [wte, c_attn.weight], [the rest]
        files = {f: {n: state[n] for n in names} for f, names in split.filename_to_tensors.items()}
        weight_map = dict(split.tensor_to_filename)
        index_meta = dict(split.metadata)
        sharder = "huggingface_hub %s split_torch_state_dict_into_shards" % huggingface_hub.__version__
    else:
        names = list(state)
        first = names[:2]
        files = {"model-00001-of-00002.safetensors": {n: state[n] for n in first},
                 "model-00002-of-00002.safetensors": {n: state[n] for n in names[2:]}}
        weight_map = {n: f for f, part in files.items() for n in part}
        index_meta = {"total_size": total}
        sharder = "by hand (huggingface_hub not installed)"
    if len(files) < 2:
        raise SystemExit("expected at least two shards, got %s" % list(files))
    for f, part in files.items():
        save_torch(part, os.path.join(shard_dir, f), {"format": "pt"})
    with open(os.path.join(shard_dir, "model.safetensors.index.json"), "w") as fh:
        json.dump({"metadata": index_meta, "weight_map": dict(sorted(weight_map.items()))}, fh, indent=2)
    expected["sharded"] = {"sharder": sharder, "weight_map": weight_map, "tensors": {
        n: expected_entry(st_of[t.dtype], t) for n, t in state.items()}}

    # sharded-bin/: the same state dict as torch.save shards + pytorch_model.bin.index.json, for
    # ShardedCheckpoint over the PyTorch reader (torch.save is the oracle; works with any torch).
    bin_dir = os.path.join(out, "sharded-bin")
    os.makedirs(bin_dir, exist_ok=True)
    names = list(state)
    bin_files = {"pytorch_model-00001-of-00002.bin": names[:2], "pytorch_model-00002-of-00002.bin": names[2:]}
    for f, part in bin_files.items():
        torch.save({n: state[n] for n in part}, os.path.join(bin_dir, f))
    with open(os.path.join(bin_dir, "pytorch_model.bin.index.json"), "w") as fh:
        json.dump({"metadata": {"total_size": total},
                   "weight_map": {n: f for f, part in bin_files.items() for n in part}}, fh, indent=2)

    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    print("wrote %s with %s" % (out, writer), file=sys.stderr)


if __name__ == "__main__":
    main()

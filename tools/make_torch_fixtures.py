#!/usr/bin/python3
"""Writes the PyTorch checkpoint fixtures of checkpoint-io's tests, and their expected values.

Usage:
    /usr/bin/python3 tools/make_torch_fixtures.py [OUT_DIR]
        OUT_DIR defaults to checkpoint-io/src/test/resources/torch (Debian's torch 1.13).
        With PyTorch 2.x, write checkpoint-io/src/test/resources/torch2: the tests read both sets.
    /usr/bin/python3 tools/make_torch_fixtures.py --gpt2-sized FILE.pt [--legacy]
        writes a GPT-2 124M-shaped state dict of random f32 weights (548 MB like Hugging Face's
        pytorch_model.bin; zip format, or legacy with --legacy) for the open-time measurement;
        not a fixture, never committed.

Reruns give the same bytes except for legacy files, whose storage keys are memory addresses
(torch's choice). Everything is made by the real writer, torch.save (Debian's python3-torch), except the few files
that are re-zipped (zip64, DEFLATE, a big-endian byte order record) or hand-written byte by byte
(the malicious and broken pickles): those are made here from torch-written files or from pickle
opcodes spelled out below, so every test input is reproducible from this script.

expected.json holds, per file: the format, every tensor (name, dtype, shape, strides, storage
offset, a storage group id: tensors with the same id share one storage, and the values as a
flat row-major list read back by torch.load) and the whole content with tensors replaced by
{"__tensor__": name}. Tensor names follow the reader's documented rule (the path of dict keys
and list indices from the root, joined by '.'); the values come from torch itself.
"""

import collections
import io
import json
import os
import pickle
import platform
import re
import struct
import sys
import zipfile

import numpy
import torch
import torch.nn as nn

SEED = 1234


# ---------------------------------------------------------------------------------------------
# Expected values


def segment(key):
    """A dict key as a name segment, as the Java reader spells it."""
    if isinstance(key, bool):
        return "True" if key else "False"
    if key is None:
        return "None"
    if isinstance(key, (bytes, bytearray)):
        return bytes(key).decode("latin-1")
    if isinstance(key, tuple):
        return "(" + ", ".join(segment(k) for k in key) + ")"
    return str(key)


def is_tensor(obj):
    return isinstance(obj, torch.Tensor)


def is_storage(obj):
    return isinstance(obj, torch.storage.TypedStorage) or torch.is_storage(obj)


def name_tensors(root):
    """[(name, tensor or storage)] in depth-first order; each container is entered once."""
    names = []
    taken = set()
    seen = set()

    def add(path, obj):
        name = ".".join(path)
        if name in taken:
            n = 2
            while f"{name}#{n}" in taken:
                n += 1
            name = f"{name}#{n}"
        taken.add(name)
        names.append((name, obj))
        return name

    ids = {}

    def visit(path, obj):
        if is_tensor(obj) or is_storage(obj):
            ids.setdefault(id(obj), [])
            ids[id(obj)].append(add(path, obj))
            return
        if isinstance(obj, (dict, list, tuple, set, frozenset)):
            if id(obj) in seen:
                return
            seen.add(id(obj))
            if isinstance(obj, dict):
                for k, v in obj.items():
                    visit(path + [segment(k)], v)
            else:
                for i, v in enumerate(obj):
                    visit(path + [str(i)], v)

    visit([], root)
    return names


DTYPE_NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
# dtypes of newer PyTorch, which pickles them with _rebuild_tensor_v3 over untyped storages
for _attr, _name in (("uint16", "U16"), ("uint32", "U32"), ("uint64", "U64"),
                     ("float8_e4m3fn", "F8_E4M3"), ("float8_e5m2", "F8_E5M2")):
    if hasattr(torch, _attr):
        DTYPE_NAMES[getattr(torch, _attr)] = _name


def flat_values(t):
    t = t.detach()
    if t.dtype.is_floating_point:
        return t.double().reshape(-1).tolist()
    if t.dtype == torch.bool:
        return t.reshape(-1).tolist()
    if t.dtype == getattr(torch, "uint64", None):
        # no wider type in torch: reinterpret as int64 and read the bits back as unsigned
        return [v % 2**64 for v in t.view(torch.int64).reshape(-1).tolist()]
    return t.to(torch.int64).reshape(-1).tolist()


def describe(name, obj, groups):
    if is_storage(obj):
        dtype = obj.dtype
        t = torch.tensor([], dtype=dtype).set_(obj) if obj.size() > 0 else torch.empty(0, dtype=dtype)
        key = obj.data_ptr() if obj.size() > 0 else None
    else:
        t = obj
        key = t.storage().data_ptr() if t.storage().size() > 0 else None
    group = None if key is None else groups.setdefault(key, len(groups))
    return {
        "name": name,
        "dtype": DTYPE_NAMES[t.dtype],
        "shape": list(t.shape),
        "strides": list(t.stride()),
        "storage_offset": t.storage_offset(),
        "storage_group": group,
        "values": flat_values(t),
    }


def content_json(obj, names_by_id):
    if is_tensor(obj) or is_storage(obj):
        return {"__tensor__": names_by_id[id(obj)].pop(0)}
    if isinstance(obj, dict):
        return {"__dict__": [[content_json(k, names_by_id), content_json(v, names_by_id)]
                             for k, v in obj.items()]}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [content_json(v, names_by_id) for v in obj]
    if isinstance(obj, (bytes, bytearray)):
        return {"__bytes__": bytes(obj).hex()}
    if isinstance(obj, torch.dtype):
        return str(obj)
    if isinstance(obj, torch.device):
        return str(obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"no JSON form for {type(obj)}")


def expectation(fmt, obj, loaded_back):
    """Expected tensors and content, read from what torch.load returns (the oracle)."""
    named = name_tensors(loaded_back)
    groups = {}
    tensors = [describe(name, t, groups) for name, t in named]
    names_by_id = {}
    for name, t in named:
        names_by_id.setdefault(id(t), []).append(name)
    # content_json walks in the same order as name_tensors, but enters a shared container at
    # every occurrence; the fixtures share no containers, so both orders agree.
    return {"format": fmt, "tensors": tensors, "content": content_json(loaded_back, names_by_id)}


# ---------------------------------------------------------------------------------------------
# Objects to save


def small_state_dict():
    g = torch.Generator().manual_seed(SEED)
    sd = collections.OrderedDict()
    sd["transformer.wte.weight"] = torch.randn(16, 8, generator=g)
    sd["transformer.wpe.weight"] = torch.randn(8, 8, generator=g)
    sd["transformer.h.0.ln_1.weight"] = torch.ones(8) + 0.1 * torch.randn(8, generator=g)
    sd["transformer.h.0.ln_1.bias"] = 0.1 * torch.randn(8, generator=g)
    sd["transformer.h.0.attn.c_attn.weight"] = torch.randn(8, 24, generator=g)
    sd["transformer.ln_f.weight"] = torch.ones(8)
    return sd


def torch_version():
    return tuple(int(p) for p in re.findall(r"\d+", torch.__version__)[:2])


def dtype_tensors(legacy=False):
    """Every dtype; for the legacy format only those it can round-trip (PyTorch 2.x cannot load the
    legacy files it writes for uint16/32/64 and float8: their storages lose the dtype)."""
    g = torch.Generator().manual_seed(SEED + 1)
    base = torch.randn(3, 4, generator=g)
    d = collections.OrderedDict()
    d["f32"] = base.clone()
    d["f16"] = torch.tensor([[0.0, -0.0, 1.0, -2.5], [65504.0, 6.1e-5, 5.96e-8, 0.333]], dtype=torch.float16)
    d["bf16"] = (base * 100).to(torch.bfloat16)
    d["f64"] = base.double() / 3
    d["i64"] = torch.tensor([0, 1, -1, 2**62, -(2**63), 2**63 - 1], dtype=torch.int64)
    d["i32"] = torch.tensor([[0, -1], [2**31 - 1, -(2**31)]], dtype=torch.int32)
    d["i16"] = torch.tensor([1, -1, 32767, -32768], dtype=torch.int16)
    d["i8"] = torch.tensor([1, -1, 127, -128], dtype=torch.int8)
    d["u8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([[True, False, True]], dtype=torch.bool)
    if legacy:
        return d
    if hasattr(torch, "uint16") and torch_version() >= (2, 3):  # saved and loaded since PyTorch 2.3
        d["u16"] = torch.tensor([0, 1, 65535], dtype=torch.int32).to(torch.uint16)
        d["u32"] = torch.tensor([0, 1, 2**32 - 1], dtype=torch.int64).to(torch.uint32)
        d["u64"] = torch.tensor([0, 1, -1], dtype=torch.int64).view(torch.uint64)
    if hasattr(torch, "float8_e4m3fn"):
        d["f8_e4m3"] = torch.tensor([0.0, 1.0, -2.0, 448.0, 0.015625]).to(torch.float8_e4m3fn)
        d["f8_e5m2"] = torch.tensor([0.0, 1.0, -2.0, 57344.0, 0.0000152587890625]).to(torch.float8_e5m2)
    return d


def views():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    w = torch.randn(5, 3, generator=torch.Generator().manual_seed(SEED + 2))
    d = collections.OrderedDict()
    d["base"] = base
    d["row"] = base[1]
    d["column"] = base[:, 2]
    d["transposed"] = base.t()
    d["block"] = base[1:3, 2:5]
    d["tail"] = base.view(-1)[5:]
    d["strided"] = base[::2, ::3]
    d["tied_a"] = w
    d["tied_b"] = w                      # the same tensor object twice (a pickle memo reference)
    d["tied_detached"] = w.detach()      # another tensor object over the same storage
    d["scalar"] = torch.tensor(3.5)
    d["scalar_view"] = base[2, 3]        # 0-d view into a shared storage
    d["empty"] = torch.zeros(0, 3)
    d["empty_1d"] = torch.zeros(0, dtype=torch.int64)
    d["raw_storage"] = torch.arange(4, dtype=torch.int32).storage()
    return d


def nested():
    g = torch.Generator().manual_seed(SEED + 3)
    shared_list = [1, 2]
    return {
        "ints": [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -(2**31), 2**40, -(2**63), 2**63 - 1,
                 2**64, -(2**70) - 3],
        "floats": [0.0, -0.0, 1.5, -2.25, 1e-300, 1.7976931348623157e308, 0.1],
        "strings": ["", "plain", "ünïcödé ✓", "line\nbreak", "a" * 300],
        "bytes": b"\x00\x01\xfe\xff bytes",
        "bytearray": bytearray(b"\x10\x20"),
        "none": None,
        "bools": (True, False),
        "tuple_of_list": ([1, (2, "x")], {"k": [torch.ones(2) * 7]}),
        "list_of_dict": [{"t": torch.tensor([1, 2, 3], dtype=torch.int32)}, {"u": None}],
        "int_keys": {0: "zero", 1: torch.full((2,), 0.5), -7: "neg"},
        "tuple_key": {(1, "a"): "tk"},
        "set": {3, 1, 2},
        "frozenset": frozenset(["x"]),
        "dtype": torch.float16,
        "device": torch.device("cpu"),
        "size": torch.Size([2, 3]),
        "shared_a": shared_list,
        "shared_b": shared_list,
        "param": nn.Parameter(torch.randn(2, 2, generator=g)),
        "a.b": torch.zeros(1),
        "a": {"b": torch.ones(1)},
        "deep": [[[[[[[[torch.arange(3)]]]]]]]],
    }


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        k = k.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        v = v.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / (k.size(-1) ** 0.5)
        att = att.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf")).softmax(dim=-1)
        return self.c_proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(collections.OrderedDict(
            c_fc=nn.Linear(n_embd, 4 * n_embd), gelu=nn.GELU(), c_proj=nn.Linear(4 * n_embd, n_embd)))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TinyGPT(nn.Module):
    """nanoGPT's module layout and parameter names, at toy size."""

    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT does

    def forward(self, idx):
        pos = torch.arange(idx.shape[1])
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def nanogpt_checkpoint():
    torch.manual_seed(SEED + 4)
    model_args = dict(n_layer=2, n_head=2, n_embd=8, block_size=8, bias=True, vocab_size=16, dropout=0.0)
    model = TinyGPT(model_args["vocab_size"], model_args["block_size"], model_args["n_layer"],
                    model_args["n_head"], model_args["n_embd"])
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=6e-4, betas=(0.9, 0.95))
    idx = torch.randint(0, 16, (2, 8))
    targets = torch.randint(0, 16, (2, 8))
    loss = nn.functional.cross_entropy(model(idx).view(-1, 16), targets.view(-1))
    loss.backward()
    optimizer.step()
    # torch.compile'd models save their keys under "_orig_mod."; nanoGPT checkpoints carry them
    state = collections.OrderedDict(("_orig_mod." + k, v) for k, v in model.state_dict().items())
    config = dict(out_dir="out", eval_interval=2000, log_interval=1, eval_iters=200, always_save_checkpoint=True,
                  init_from="scratch", dataset="shakespeare_char", batch_size=12, learning_rate=6e-4,
                  max_iters=600000, weight_decay=1e-1, beta1=0.9, beta2=0.95, grad_clip=1.0, decay_lr=True,
                  device="cpu", dtype="bfloat16", compile=True)
    return {
        "model": state,
        "optimizer": optimizer.state_dict(),
        "model_args": model_args,
        "iter_num": 1,
        "best_val_loss": loss.detach(),
        "config": config,
    }, optimizer


# ---------------------------------------------------------------------------------------------
# Hand-made and re-zipped files


def rezip(src, dst, compression=zipfile.ZIP_STORED, force_zip64=False, rename=None, replace=None):
    """Copies a torch zip entry by entry; rename maps old names to new, replace supplies new bytes.

    force_zip64 writes zip64 records everywhere: local headers, central directory entries and the
    zip64 end of central directory (python only writes the latter two when sizes need them, so the
    limit is lowered while writing).
    """
    limit = zipfile.ZIP64_LIMIT
    if force_zip64:
        zipfile.ZIP64_LIMIT = -1
    try:
        _rezip(src, dst, compression, force_zip64, rename, replace)
    finally:
        zipfile.ZIP64_LIMIT = limit


def _rezip(src, dst, compression, force_zip64, rename, replace):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=compression) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = info.filename
            if replace and name in replace:
                data = replace[name]
            if rename:
                name = rename(name)
            out = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            out.compress_type = compression
            with zout.open(out, "w", force_zip64=force_zip64) as f:
                f.write(data)
        if replace:
            for name, data in replace.items():
                if name not in zin.namelist():
                    out = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                    with zout.open(out, "w", force_zip64=force_zip64) as f:
                        f.write(data)


STORAGE_ELEMENT_SIZES = {
    "FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2, "DoubleStorage": 8, "LongStorage": 8,
    "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
}


def storage_element_sizes(pickled):
    """Storage key -> element size, from the persistent ids of a torch data.pkl."""
    sizes = {}

    def rebuild_v3(storage, offset, size, stride, requires_grad, hooks, dtype, *rest):
        sizes[storage] = dtype.itemsize  # PyTorch >= 2.3: untyped storage, dtype in the call
        return None

    class KeyFinder(pickle.Unpickler):
        def persistent_load(self, pid):
            if pid[1].__name__ in STORAGE_ELEMENT_SIZES:
                sizes[pid[2]] = STORAGE_ELEMENT_SIZES[pid[1].__name__]
            return pid[2]

        def find_class(self, module, name):
            if module == "torch._utils" and name == "_rebuild_tensor_v3":
                return rebuild_v3
            if module == "torch._utils":
                return lambda *args: None  # tensors are not needed, only the storage ids
            return super().find_class(module, name)

    KeyFinder(io.BytesIO(pickled)).load()
    return sizes


def big_endian_copy(src, dst):
    """The same archive with every storage byte-swapped and a byteorder record saying 'big'."""
    with zipfile.ZipFile(src) as z:
        prefix = z.namelist()[0].split("/")[0]
        sizes = storage_element_sizes(z.read(f"{prefix}/data.pkl"))
        replace = {}
        for key, size in sizes.items():
            raw = numpy.frombuffer(z.read(f"{prefix}/data/{key}"), dtype=f"<u{size}" if size > 1 else "u1")
            replace[f"{prefix}/data/{key}"] = raw.byteswap().tobytes()
    replace[f"{prefix}/byteorder"] = b"big"
    rezip(src, dst, replace=replace)


def write_entries(dst, entries):
    """A STORED zip of (name, bytes) with fixed timestamps, so reruns give the same bytes."""
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)


def pickle_zip(dst, pickled, storages=None, prefix="archive"):
    """A torch-shaped zip around a hand-written data.pkl (and optional storage entries)."""
    entries = [(f"{prefix}/data.pkl", pickled)]
    entries += [(f"{prefix}/data/{key}", data) for key, data in (storages or {}).items()]
    entries.append((f"{prefix}/version", b"3\n"))
    write_entries(dst, entries)


def rebuild_v2_pickle(storage_type, numel, offset, size, stride):
    """data.pkl of one tensor: _rebuild_tensor_v2(storage '0', offset, size, stride, False, OrderedDict())."""
    def ints(values):
        out = b"("
        for v in values:
            out += b"\x8a" + bytes([8]) + v.to_bytes(8, "little", signed=True)  # LONG1, 8 bytes
        return out + b"t"

    return (b"\x80\x02"
            + b"}X\x01\x00\x00\x00w"
            + b"ctorch._utils\n_rebuild_tensor_v2\n"
            + b"((X\x07\x00\x00\x00storage" + b"ctorch\n" + storage_type.encode() + b"\n"
            + b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
            + b"\x8a\x08" + numel.to_bytes(8, "little", signed=True) + b"tQ"
            + b"\x8a\x08" + offset.to_bytes(8, "little", signed=True)
            + ints(size) + ints(stride)
            + b"\x89ccollections\nOrderedDict\n)Rt"
            + b"Rs.")


def write_bad_inputs(out, good_zip, good_legacy):
    bad = os.path.join(out, "bad")
    os.makedirs(bad, exist_ok=True)
    files = {}

    def zip_with(name, pickled, storages=None, why=""):
        pickle_zip(os.path.join(bad, name), pickled, storages)
        files[name] = why

    # Globals that run code. Written as the opcodes a malicious file would hold.
    zip_with("os_system.pt", b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.",
             why="GLOBAL os.system + REDUCE")
    zip_with("builtins_eval_p4.pt",
             b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x041+1\x85R.",
             why="STACK_GLOBAL builtins.eval + REDUCE (protocol 4)")
    zip_with("builtin_eval_p2.pt", b"\x80\x02c__builtin__\neval\nX\x03\x00\x00\x001+1\x85R.",
             why="GLOBAL __builtin__.eval (python 2 spelling of builtins.eval)")

    class Popen:  # pickled as a reference to subprocess.Popen, as an attack would be
        def __reduce__(self):
            import subprocess
            return (subprocess.Popen, (["id"],))

    zip_with("subprocess_popen.pt", b"\x80\x02csubprocess\nPopen\n]X\x02\x00\x00\x00ida\x85R.",
             why="GLOBAL subprocess.Popen + REDUCE")
    zip_with("subprocess_popen_p4.pt", pickle.dumps({"x": Popen()}, protocol=4),
             why="subprocess.Popen pickled by python's own pickler at protocol 4")
    zip_with("commands_popen_p2.pt", pickle.dumps({"x": Popen()}, protocol=2),
             why="python's protocol 2 pickler writes subprocess.Popen under its python 2 name commands.Popen")
    zip_with("unknown_opcode.pt", b"\x80\x02}\xff.", why="opcode 0xff")
    zip_with("no_stop.pt", b"\x80\x02}X\x01\x00\x00\x00a", why="pickle ends without STOP")
    zip_with("string_past_end.pt", b"\x80\x02X\xff\xff\xff\x7fabc.", why="BINUNICODE length past the end")
    zip_with("storage_2e60.pt", rebuild_v2_pickle("FloatStorage", 2**60, 0, [2**60], [1]),
             {"0": b"\x00" * 16}, why="storage claims 2^60 elements")
    zip_with("offset_past_end.pt", rebuild_v2_pickle("FloatStorage", 4, 3, [2], [1]),
             {"0": b"\x00" * 16}, why="tensor reaches element 4 of a 4-element storage")
    zip_with("entry_too_short.pt", rebuild_v2_pickle("FloatStorage", 4, 0, [4], [1]),
             {"0": b"\x00" * 12}, why="storage of 4 floats in a 12-byte entry")
    zip_with("storage_missing.pt", rebuild_v2_pickle("FloatStorage", 4, 0, [4], [1]),
             why="no data/0 entry")

    write_entries(os.path.join(bad, "no_data_pkl.pt"), [("archive/data/0", b"\x00" * 16), ("archive/version", b"3\n")])
    files["no_data_pkl.pt"] = "zip without data.pkl"

    with open(good_zip, "rb") as f:
        data = f.read()
    with open(os.path.join(bad, "truncated_zip.pt"), "wb") as f:
        f.write(data[: len(data) // 2])
    files["truncated_zip.pt"] = "first half of state_dict_zip.pt"

    with open(good_legacy, "rb") as f:
        data = f.read()
    with open(os.path.join(bad, "truncated_legacy.pt"), "wb") as f:
        f.write(data[: len(data) - 40])
    files["truncated_legacy.pt"] = "state_dict_legacy.pt less its last 40 bytes"

    # A legacy file whose only storage claims 2^60 elements in its 8-byte count.
    legacy = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True,
                                                 "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(header, legacy, protocol=2)
    legacy.write(rebuild_v2_pickle("FloatStorage", 4, 0, [4], [1]))
    pickle.dump(["0"], legacy, protocol=2)
    legacy.write(struct.pack("<q", 2**60) + b"\x00" * 16)
    with open(os.path.join(bad, "legacy_storage_2e60.pt"), "wb") as f:
        f.write(legacy.getvalue())
    files["legacy_storage_2e60.pt"] = "legacy storage count 2^60"
    return files


# ---------------------------------------------------------------------------------------------


def save(out, expected, name, obj, legacy=False, protocol=2):
    path = os.path.join(out, name)
    torch.save(obj, path, pickle_protocol=protocol, _use_new_zipfile_serialization=not legacy)
    loaded = torch.load(path, weights_only=False)  # PyTorch >= 2.6 defaults to weights_only=True
    expected[name] = expectation("TORCH_LEGACY" if legacy else "TORCH_ZIP", obj, loaded)
    return path


def plain_pickles(out, expected):
    """Bare pickles of plain data in every protocol, to test the VM's opcodes against python."""
    shared = ["shared"]
    obj = {
        "int": [0, 1, -1, 200, 70000, -70000, 2**31, 2**63, -(2**64) - 1, 10**30],
        "float": [0.5, -1.25e-7, 3.0e200],
        "str": ["", "abc", "Ωmega ✓", "quote'\"back\\slash\n"],
        "bytes": b"\x00\xffraw",
        "bool": [True, False],
        "none": None,
        "tuple": (1, (2, (3,)), ()),
        "set": {5},
        "frozenset": frozenset([6]),
        "nested": {"k": [{"deeper": [1.0]}]},
        7: "int key",
        "shared_1": shared,
        "shared_2": shared,
    }
    folder = os.path.join(out, "pickles")
    os.makedirs(folder, exist_ok=True)
    for protocol in range(0, 6):
        name = f"plain_p{protocol}.pkl"
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(obj, f, protocol=protocol)
        expected["pickles/" + name] = {"content": content_json(obj, {})}
    # protocol 5 bytearray (BYTEARRAY8)
    name = "bytearray_p5.pkl"
    with open(os.path.join(folder, name), "wb") as f:
        pickle.dump([bytearray(b"\x01\x02\x03")], f, protocol=5)
    expected["pickles/" + name] = {"content": content_json([bytearray(b"\x01\x02\x03")], {})}


def make_fixtures(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    expected = {}

    zip_sd = save(out, expected, "state_dict_zip.pt", small_state_dict())
    legacy_sd = save(out, expected, "state_dict_legacy.pt", small_state_dict(), legacy=True)
    save(out, expected, "dtypes_zip_p4.pt", dtype_tensors(), protocol=4)
    save(out, expected, "dtypes_legacy_p2.pt", dtype_tensors(legacy=True), legacy=True)
    save(out, expected, "views_zip.pt", views())
    save(out, expected, "views_legacy_p4.pt", views(), legacy=True, protocol=4)
    save(out, expected, "nested_zip_p2.pt", nested())
    save(out, expected, "nested_zip_p4.pt", nested(), protocol=4)
    save(out, expected, "nested_legacy_p2.pt", nested(), legacy=True)
    ckpt, optimizer = nanogpt_checkpoint()
    save(out, expected, "nanogpt_ckpt.pt", ckpt)
    save(out, expected, "adamw_state_legacy.pt", optimizer.state_dict(), legacy=True)
    save(out, expected, "tensor_root.pt", torch.arange(6, dtype=torch.int16).reshape(2, 3).t())

    rezip(zip_sd, os.path.join(out, "state_dict_zip64.pt"), force_zip64=True)
    expected["state_dict_zip64.pt"] = expected["state_dict_zip.pt"]
    rezip(zip_sd, os.path.join(out, "state_dict_deflated.pt"), compression=zipfile.ZIP_DEFLATED)
    expected["state_dict_deflated.pt"] = expected["state_dict_zip.pt"]
    rezip(zip_sd, os.path.join(out, "state_dict_nested_prefix.pt"),
          rename=lambda n: "outer/" + n)
    expected["state_dict_nested_prefix.pt"] = expected["state_dict_zip.pt"]
    dtypes_zip = os.path.join(out, "dtypes_zip_p4.pt")
    big_endian_copy(dtypes_zip, os.path.join(out, "dtypes_big_endian.pt"))
    expected["dtypes_big_endian.pt"] = expected["dtypes_zip_p4.pt"]

    plain_pickles(out, expected)
    bad = write_bad_inputs(out, zip_sd, legacy_sd)
    torch_says = {name: torch_verdict(os.path.join(out, "bad", name)) for name in bad}

    meta = {
        "generator": "tools/make_torch_fixtures.py",
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "seed": SEED,
        "bad_inputs": bad,
        "torch_weights_only_load_of_bad_inputs": torch_says,
    }
    text = json.dumps({"meta": meta, "files": expected}, indent=1, ensure_ascii=False)
    # one line per list of numbers keeps the file short and its diffs readable
    text = re.sub(r"\[[-0-9.eE+,\s]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    text = re.sub(r"\[[a-z,\s]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")


def torch_verdict(path):
    """What torch.load(weights_only=True) says about a bad input: the second opinion."""
    if "2e60" in path:
        return "not tried: torch would try to allocate the claimed 2^60 elements"
    try:
        torch.load(path, weights_only=True)
        return "loaded without error"
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return f"{type(e).__name__}: " + str(e).split("trusted source.")[-1].strip()[:200]


def make_gpt2_sized(path, legacy=False):
    """GPT-2 124M's parameter shapes (HF naming), random f32, torch zip format: about 500 MB."""
    torch.manual_seed(SEED)
    n_layer, n_embd, vocab, ctx = 12, 768, 50257, 1024
    sd = collections.OrderedDict()
    sd["transformer.wte.weight"] = torch.randn(vocab, n_embd)
    sd["transformer.wpe.weight"] = torch.randn(ctx, n_embd)
    for i in range(n_layer):
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"] = torch.ones(n_embd)
        sd[p + "ln_1.bias"] = torch.zeros(n_embd)
        sd[p + "attn.bias"] = torch.tril(torch.ones(ctx, ctx)).view(1, 1, ctx, ctx)
        sd[p + "attn.c_attn.weight"] = torch.randn(n_embd, 3 * n_embd)
        sd[p + "attn.c_attn.bias"] = torch.zeros(3 * n_embd)
        sd[p + "attn.c_proj.weight"] = torch.randn(n_embd, n_embd)
        sd[p + "attn.c_proj.bias"] = torch.zeros(n_embd)
        sd[p + "ln_2.weight"] = torch.ones(n_embd)
        sd[p + "ln_2.bias"] = torch.zeros(n_embd)
        sd[p + "mlp.c_fc.weight"] = torch.randn(n_embd, 4 * n_embd)
        sd[p + "mlp.c_fc.bias"] = torch.zeros(4 * n_embd)
        sd[p + "mlp.c_proj.weight"] = torch.randn(4 * n_embd, n_embd)
        sd[p + "mlp.c_proj.bias"] = torch.zeros(n_embd)
    sd["transformer.ln_f.weight"] = torch.ones(n_embd)
    sd["transformer.ln_f.bias"] = torch.zeros(n_embd)
    sd["lm_head.weight"] = sd["transformer.wte.weight"]
    torch.save(sd, path, _use_new_zipfile_serialization=not legacy)
    print(f"{path}: {os.path.getsize(path)} bytes, {len(sd)} tensors, {'legacy' if legacy else 'zip'} format")


def main(argv):
    if len(argv) >= 2 and argv[1] == "--gpt2-sized":
        make_gpt2_sized(argv[2], legacy="--legacy" in argv[3:])
        return
    here = os.path.dirname(os.path.abspath(__file__))
    out = argv[1] if len(argv) > 1 else os.path.join(here, "..", "checkpoint-io", "src", "test", "resources", "torch")
    make_fixtures(os.path.abspath(out))
    print(f"wrote fixtures into {os.path.abspath(out)} with torch {torch.__version__}")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""Writes the GGUF test fixtures of checkpoint-io, and the values a reader must find.

    pip install --user gguf        # llama.cpp's own gguf-py (0.19.0 made the committed files)
    python3 tools/make_gguf_fixtures.py checkpoint-io/src/test/resources/gguf

Every file is written by gguf-py's `GGUFWriter` (the writer llama.cpp's converters use) and every
block-quantized tensor is dequantized by `gguf.quants.dequantize`, gguf-py's numpy port of
ggml's `dequantize_row_*`: those are the oracle the Java reader is tested against. Where gguf-py
can quantize (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, BF16) its `gguf.quants.quantize` makes the blocks
from random floats; every dequantized type also gets a tensor of random block bytes (finite f16
scales), which reaches bit patterns a quantizer never writes.

Two deviations from gguf-py, both following ggml's C source (ggml/src/ggml-common.h):
  * Q8_1 blocks are 36 bytes (f16 d, f16 s, 32 x int8), as `block_q8_1` has been since late 2023;
    gguf-py's GGML_QUANT_SIZES still says 40 (two f32). ggml has no `to_float` for Q8_1 and gguf-py
    no dequantizer: its reference values here are `d * q` in float32 (the block's definition).
  * `metadata_v2.gguf` is `metadata_v3.gguf` with the version field set to 2: gguf-py writes
    version 3 only, and a little-endian v2 file has the same layout (v3 added big-endian files).

Outputs (all small):
  metadata_v3.gguf   every metadata value type, arrays of each, nested arrays, general.alignment 64,
                     plain tensors F32/F16/BF16/F64/I8/I16/I32/I64 of rank 0 to 4, an empty tensor
  metadata_v2.gguf   the same, version 2
  quantized.gguf     every dequantized block type: quantized (where gguf-py can) and random blocks;
                     one F32 tensor
  layout_only.gguf   one block of each type with a size but no dequantizer here (IQ*, TQ*, ...)
  big_endian.gguf    a big-endian v3 file (the reader refuses it by name)
  dequantized.f32    the reference values of quantized.gguf's tensors, little-endian float32
  expected.json      tool versions; every key's GGUF type and value; every tensor's ggml type, shape
                     (row-major, numpy order), ne (file order), absolute data offset and byte count as
                     gguf-py's GGUFReader sees them, values (plain tensors) or where its reference
                     values lie in dequantized.f32
Deterministic: fixed seed; no network.
"""
import json
import math
import os
import platform
import struct
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T, GGUFValueType as V

OUT = sys.argv[1] if len(sys.argv) > 1 else "checkpoint-io/src/test/resources/gguf"
RNG = np.random.default_rng(19)

# ggml-common.h: block_q8_1 is {ggml_half d; ggml_half s; int8_t qs[32];}
gguf.GGML_QUANT_SIZES[T.Q8_1] = (32, 36)

# Dequantized here, and the byte ranges of each block's f16 fields (kept finite in random blocks).
F16_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0], T.Q8_1: [0, 2],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
QUANTIZABLE = [T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0]
# Layout known (inspect lists them, sizes validated) but not dequantized by the reader.
LAYOUT_ONLY = [T.Q8_K, T.IQ2_XXS, T.IQ2_XS, T.IQ3_XXS, T.IQ1_S, T.IQ4_NL, T.IQ3_S, T.IQ2_S,
               T.IQ4_XS, T.IQ1_M, T.TQ1_0, T.TQ2_0, T.MXFP4, T.NVFP4, T.Q1_0]


def jsonable(value):
    """A metadata value as JSON: NaN and infinities as strings, floats as their exact double."""
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    return value


def f32(x):
    return float(np.float32(x))


def write(path, writer):
    writer.write_header_to_file(path)
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def describe_tensors(path):
    """What gguf-py's own reader sees: the independent check of our offsets and shapes."""
    reader = gguf.GGUFReader(path)
    out = {}
    for t in reader.tensors:
        out[t.name] = {"ggml_type": t.tensor_type.name, "ne": [int(x) for x in t.shape],
                       "data_offset": int(t.data_offset), "n_bytes": int(t.n_bytes)}
    return out


# --------------------------------------------------------------------------- metadata file

def metadata_file():
    w = gguf.GGUFWriter(None, "gpt2")
    w.add_custom_alignment(64)
    meta = {}  # key -> {"type", "element_type"?, "value"}

    def kv(key, value, vtype, sub=None):
        w.add_key_value(key, value, vtype, sub_type=sub)
        entry = {"type": vtype.name}
        element = None
        if vtype == V.ARRAY:  # (UINT8 is 0: test for None, not truth)
            element = sub if sub is not None else V.get_type(value[0])
            entry["element_type"] = element.name
        if vtype == V.FLOAT32:
            value = f32(value)
        if element == V.FLOAT32:
            value = [f32(v) for v in value]
        entry["value"] = jsonable(value)
        meta[key] = entry

    kv("test.u8", 255, V.UINT8)
    kv("test.i8", -128, V.INT8)
    kv("test.u16", 65535, V.UINT16)
    kv("test.i16", -32768, V.INT16)
    kv("test.u32", 4294967295, V.UINT32)
    kv("test.i32", -2147483648, V.INT32)
    kv("test.f32", 0.1, V.FLOAT32)
    kv("test.f32_nan", float("nan"), V.FLOAT32)
    kv("test.bool_true", True, V.BOOL)
    kv("test.bool_false", False, V.BOOL)
    kv("test.string", "h\u00e9llo \u2603 \u65e5\u672c\u8a9e\ttab\nline", V.STRING)
    kv("test.string_empty", "", V.STRING)
    kv("test.u64", 18446744073709551615, V.UINT64)
    kv("test.u64_small", 7, V.UINT64)
    kv("test.i64", -9223372036854775808, V.INT64)
    kv("test.f64", -1.5e300, V.FLOAT64)
    kv("test.f64_inf", float("-inf"), V.FLOAT64)
    kv("test.array.u8", [0, 1, 255], V.ARRAY, V.UINT8)
    kv("test.array.i8", [-128, 0, 127], V.ARRAY, V.INT8)
    kv("test.array.u16", [0, 65535], V.ARRAY, V.UINT16)
    kv("test.array.i16", [-32768, 32767], V.ARRAY, V.INT16)
    kv("test.array.u32", [0, 4294967295], V.ARRAY, V.UINT32)
    kv("test.array.i32", [-2147483648, 2147483647, 0], V.ARRAY, V.INT32)
    kv("test.array.f32", [1.0, -0.0, 1e-45, 3.4028234663852886e38, float("inf"), 0.1], V.ARRAY, V.FLOAT32)
    kv("test.array.bool", [True, False, True], V.ARRAY, V.BOOL)
    kv("test.array.string", ["a", "", "\u65e5\u672c\u8a9e", "\u0120the"], V.ARRAY, V.STRING)
    kv("test.array.u64", [0, 9223372036854775808, 18446744073709551615], V.ARRAY, V.UINT64)
    kv("test.array.i64", [-9223372036854775808, 9223372036854775807], V.ARRAY, V.INT64)
    kv("test.array.f64", [0.5, -2.0 ** -1074, 1e308], V.ARRAY, V.FLOAT64)
    # nested: an array's elements are arrays (gguf-py writes each inner one as type, count, values)
    kv("test.array.nested_i32", [[1, 2], [3], [4, 5, 6]], V.ARRAY)
    kv("test.array.nested_string", [["x"], ["y", "z"]], V.ARRAY)
    kv("test.array.nested3", [[[1], [2, 3]], [[4]]], V.ARRAY)
    # the shape a tokenizer has in a real file
    kv("tokenizer.ggml.model", "gpt2", V.STRING)
    kv("tokenizer.ggml.tokens", ["!", "\"", "\u0120the", "<|endoftext|>"], V.ARRAY, V.STRING)
    kv("tokenizer.ggml.token_type", [1, 1, 1, 3], V.ARRAY, V.INT32)
    kv("tokenizer.ggml.merges", ["\u0120 t", "h e"], V.ARRAY, V.STRING)
    kv("gpt2.context_length", 1024, V.UINT32)
    kv("gpt2.attention.layer_norm_epsilon", 1e-5, V.FLOAT32)

    tensors = {}

    def tensor(name, array, raw_dtype=None, values=None):
        if raw_dtype is None:
            w.add_tensor(name, array)
        else:
            w.add_tensor(name, array, raw_dtype=raw_dtype)
        tensors[name] = {"shape": list(values.shape), "values": jsonable([v.item() for v in values.reshape(-1)])}

    f32m = np.array([[0.5, -1.25, 3.0], [-0.0, 1e-40, 65504.0]], dtype=np.float32)
    tensor("f32.matrix", f32m, values=f32m.astype(np.float64))
    f16c = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 11.5).astype(np.float16)
    f16c[0, 0, 0] = np.float16(2.0 ** -24)
    f16c[1, 2, 3] = np.float16(-0.0)
    tensor("f16.cube", f16c, values=f16c.astype(np.float64))
    bf = np.array([1.0, -2.5, 3.0e38, 1.0e-38, 0.1], dtype=np.float32)
    bf_bytes = gguf.quants.quantize(bf, T.BF16)
    tensor("bf16.vector", bf_bytes, raw_dtype=T.BF16, values=gguf.quants.dequantize(bf_bytes, T.BF16).astype(np.float64))
    f64r = np.array([[1.0 / 3.0, -2.0 ** -1074, 1e300, -0.0]], dtype=np.float64)
    tensor("f64.row", f64r, values=f64r)
    i8 = np.array([-128, -1, 0, 127], dtype=np.int8)
    tensor("i8.x", i8, values=i8)
    i16 = np.array([[-32768, 1], [2, 32767]], dtype=np.int16)
    tensor("i16.x", i16, values=i16)
    i32 = np.array([-2147483648, 0, 2147483647], dtype=np.int32)
    tensor("i32.x", i32, values=i32)
    i64 = np.array([-9223372036854775808, 9223372036854775807], dtype=np.int64)
    tensor("i64.x", i64, values=i64)
    r4 = RNG.standard_normal((2, 1, 3, 2)).astype(np.float32)
    tensor("f32.rank4", r4, values=r4.astype(np.float64))
    sc = np.array(42.5, dtype=np.float32)
    tensor("f32.scalar", sc, values=sc.astype(np.float64))
    empty = np.zeros((0, 4), dtype=np.float32)
    tensor("f32.empty", empty, values=empty.astype(np.float64))

    path = os.path.join(OUT, "metadata_v3.gguf")
    write(path, w)
    meta["general.architecture"] = {"type": "STRING", "value": "gpt2"}
    meta["general.alignment"] = {"type": "UINT32", "value": 64}
    seen = describe_tensors(path)
    for name, t in tensors.items():
        t.update(seen[name])
    # key order as the file has it
    reader = gguf.GGUFReader(path)
    order = [f.name for f in reader.fields.values() if not f.name.startswith("GGUF.")]
    with open(path, "rb") as f:
        v3 = bytearray(f.read())
    v2 = bytearray(v3)
    struct.pack_into("<I", v2, 4, 2)
    with open(os.path.join(OUT, "metadata_v2.gguf"), "wb") as f:
        f.write(v2)
    return {"alignment": 64, "key_order": order, "metadata": meta, "tensors": tensors,
            "tensor_order": [t.name for t in reader.tensors]}


# --------------------------------------------------------------------------- quantized file

def random_blocks(qtype, n_blocks):
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    raw = RNG.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for start in F16_FIELDS.get(qtype, []):
        scales = RNG.uniform(-2.0, 2.0, size=n_blocks).astype(np.float16)
        scales[0] = np.float16(2.0 ** -20)        # subnormal
        if n_blocks > 1:
            scales[1] = np.float16(-0.0)
        if n_blocks > 2:
            scales[2] = np.float16(65504.0)
        raw[:, start:start + 2] = scales.view(np.uint8).reshape(n_blocks, 2)
    return raw


def dequantize(raw, qtype):
    if qtype == T.Q8_1:  # d * q, in float32 (see the module docstring)
        d = raw[:, 0:2].copy().view(np.float16).astype(np.float32)
        q = raw[:, 4:36].copy().view(np.int8).astype(np.float32)
        return q * d
    return gguf.quants.dequantize(raw, qtype)


def quantized_file():
    w = gguf.GGUFWriter(None, "gpt2")
    tensors = {}
    reference = []
    offset = [0]

    def tensor(name, qtype, shape, raw, values=None):
        block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
        byte_shape = (*shape[:-1], shape[-1] // block_size * type_size)
        w.add_tensor(name, raw.reshape(byte_shape), raw_dtype=qtype)
        entry = {"shape": list(shape)}
        if values is not None:
            flat = values.astype(np.float32).reshape(-1)
            entry["values_at"] = offset[0]
            entry["values_count"] = int(flat.size)
            reference.append(flat)
            offset[0] += int(flat.size)
        tensors[name] = entry

    for qtype in QUANTIZABLE:
        x = RNG.standard_normal((3, 64)).astype(np.float32)
        x[0, :32] = 0.0                    # an all-zero block: d = 0
        raw = gguf.quants.quantize(x, qtype)
        raw = raw.reshape(-1, gguf.GGML_QUANT_SIZES[qtype][1])
        tensor(f"{qtype.name}.quantized", qtype, (3, 64), raw, dequantize(raw, qtype).reshape(3, 64))
    for qtype in F16_FIELDS:
        block_size, _ = gguf.GGML_QUANT_SIZES[qtype]
        shape = (2, 3 * block_size) if block_size == 32 else (2, 2 * block_size)
        n_blocks = shape[0] * shape[1] // block_size
        raw = random_blocks(qtype, n_blocks)
        tensor(f"{qtype.name}.random", qtype, shape, raw, dequantize(raw, qtype).reshape(shape))
    raw = random_blocks(T.Q8_0, 4)
    tensor("Q8_0.rank3", T.Q8_0, (2, 2, 32), raw, dequantize(raw, T.Q8_0).reshape(2, 2, 32))
    f32 = RNG.standard_normal((2, 8)).astype(np.float32)
    w.add_tensor("F32.plain", f32)
    tensors["F32.plain"] = {"shape": [2, 8], "values_at": offset[0], "values_count": 16}
    reference.append(f32.reshape(-1))
    offset[0] += 16

    path = os.path.join(OUT, "quantized.gguf")
    write(path, w)
    seen = describe_tensors(path)
    for name, t in tensors.items():
        t.update(seen[name])
    np.concatenate(reference).astype("<f4").tofile(os.path.join(OUT, "dequantized.f32"))
    reader = gguf.GGUFReader(path)
    sizes = {t.name: list(gguf.GGML_QUANT_SIZES[t]) for t in QUANTIZABLE + list(F16_FIELDS) + LAYOUT_ONLY}
    return {"alignment": 32, "tensors": tensors, "tensor_order": [t.name for t in reader.tensors],
            "block_sizes": sizes, "ggml_type_ids": {t.name: int(t.value) for t in T}}


def layout_only_file():
    w = gguf.GGUFWriter(None, "gpt2")
    tensors = {}
    for qtype in LAYOUT_ONLY:
        block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
        w.add_tensor(f"{qtype.name}.layout", random_blocks(qtype, 1), raw_dtype=qtype)
        tensors[f"{qtype.name}.layout"] = {"shape": [1, block_size]}
    path = os.path.join(OUT, "layout_only.gguf")
    write(path, w)
    seen = describe_tensors(path)
    for name, t in tensors.items():
        t.update(seen[name])
    return {"alignment": 32, "tensors": tensors, "tensor_order": list(tensors)}


def big_endian_file():
    w = gguf.GGUFWriter(None, "gpt2", endianess=gguf.GGUFEndian.BIG)
    w.add_tensor("w", np.arange(4, dtype=np.float32))
    write(os.path.join(OUT, "big_endian.gguf"), w)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {
        "writer": f"gguf-py {gguf.__version__ if hasattr(gguf, '__version__') else version('gguf')} (GGUFWriter; "
                  "gguf.quants.quantize / dequantize)",
        "numpy": np.__version__,
        "python": platform.python_version(),
        "metadata_v3.gguf": metadata_file(),
        "quantized.gguf": quantized_file(),
        "layout_only.gguf": layout_only_file(),
    }
    big_endian_file()
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


def version(name):
    from importlib.metadata import version as v
    return v(name)


if __name__ == "__main__":
    main()

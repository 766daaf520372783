#!/usr/bin/env python3
"""Writes tensor-core/src/test/resources/blocks/quantize.bin: the oracle of BlockType.quantize.

gguf-py's `gguf.quants.quantize` (llama.cpp's own numpy port of ggml's quantize_row_q8_0_ref and
quantize_row_q4_0_ref) quantizes 6 rows of 256 float32 values to Q8_0 and to Q4_0. The rows:
standard normal; normal times 1e-3; a row with ties (block maximum 127 or -8, so d = 1 and the
values k + 0.5 land exactly between two integers); an all-zero block beside large values;
subnormal-scale values; a row with a single non-zero per block.
File layout, little-endian: int32 rows, int32 columns, rows×columns float32, then the Q8_0 bytes,
then the Q4_0 bytes. Run: python3 tools/make_block_quant_fixture.py (gguf-py 0.19.0, numpy 2.4.6).
"""
import os

import gguf
import numpy as np

rng = np.random.default_rng(19)
cols = 256
rows = [
    rng.standard_normal(cols),
    rng.standard_normal(cols) * 1e-3,
]
ties = np.arange(cols, dtype=np.float64) % 100 - 50 + 0.5
ties[0::32] = 127.0
ties[16::32] = -126.5
rows.append(ties)
ties4 = (np.arange(cols) % 15 - 7) + 0.5
ties4[0::32] = -8.0
rows.append(ties4)
mixed = rng.standard_normal(cols) * 100
mixed[:32] = 0.0
mixed[40] = 1e-30
rows.append(mixed)
single = np.zeros(cols)
single[5::32] = -3.25
rows.append(single)
x = np.stack(rows).astype(np.float32)
q8 = gguf.quants.quantize(x, gguf.GGMLQuantizationType.Q8_0)
q4 = gguf.quants.quantize(x, gguf.GGMLQuantizationType.Q4_0)
out = os.path.join(os.path.dirname(__file__), "..", "tensor-core", "src", "test", "resources", "blocks", "quantize.bin")
with open(out, "wb") as f:
    f.write(np.array([x.shape[0], x.shape[1]], dtype="<i4").tobytes())
    f.write(x.astype("<f4").tobytes())
    f.write(np.ascontiguousarray(q8).tobytes())
    f.write(np.ascontiguousarray(q4).tobytes())
print(out, x.shape, q8.nbytes, q4.nbytes)

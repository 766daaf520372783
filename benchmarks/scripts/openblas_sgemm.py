#!/usr/bin/python3
"""Times OpenBLAS sgemm through numpy on VectorLM's prefill GEMM shapes.

Usage: openblas_sgemm.py RUNS OUT.json   (thread count from OPENBLAS_NUM_THREADS)

For each run and shape (rows x in x out) it times y = x @ W (W stored [in, out], VectorLM's
IN_OUT) and y = x @ W.T (W stored [out, in], OUT_IN) for about a second each and records the
median GFLOP/s (2*rows*in*out per call) of that run. Writes the per-run values as JSON.
"""
import json
import os
import statistics
import sys
import time

import numpy as np

SHAPES = [(128, 768, 2304), (512, 768, 3072), (512, 3072, 768)]


def time_call(f, flops, seconds=1.0):
    f()
    rates = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        f()
        rates.append(flops / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates)


def main():
    runs = int(sys.argv[1])
    rng = np.random.default_rng(1)
    results = []
    for run in range(runs):
        for rows, n_in, n_out in SHAPES:
            x = rng.standard_normal((rows, n_in), dtype=np.float32)
            w_in_out = rng.standard_normal((n_in, n_out), dtype=np.float32)
            w_out_in = np.ascontiguousarray(w_in_out.T)
            flops = 2.0 * rows * n_in * n_out
            for layout, f in (("IN_OUT", lambda: x @ w_in_out), ("OUT_IN", lambda: x @ w_out_in.T)):
                results.append({"run": run, "shape": f"{rows}x{n_in}x{n_out}", "layout": layout,
                                "gflops": time_call(f, flops)})
    config = np.__config__
    info = {"numpy": np.__version__, "threads": os.environ.get("OPENBLAS_NUM_THREADS"), "results": results}
    try:
        info["blas"] = str(config.get_info("blas_opt_info").get("libraries"))
    except Exception:  # numpy >= 1.26 has no get_info
        info["blas"] = "see numpy.show_config()"
    with open(sys.argv[2], "w") as out:
        json.dump(info, out, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Prints VectorLM's JMH kernel results beside OpenBLAS and the measured read bandwidth.

Usage: compare_table.py DIR    (DIR holds jmh.json and openblas-1.json, openblas-2.json)

Every figure is "median [min-max]" over all measurement iterations of all forks (JMH) or over all
runs (OpenBLAS), so the spread across runs is visible. Ratios use the medians.
"""
import json
import os
import statistics
import sys

TARGET_GEMM = 0.8
TARGET_SCALING = 1.7
TARGET_GEMV = 0.8


def spread(values):
    return statistics.median(values), min(values), max(values)


def fmt(values, scale=1.0, digits=1):
    m, lo, hi = spread([v * scale for v in values])
    return f"{m:.{digits}f} [{lo:.{digits}f}-{hi:.{digits}f}]"


def raw(metric):
    return [v for fork in metric["rawData"] for v in fork]


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "jmh.json")) as f:
        jmh = json.load(f)
    blas = {}
    for t in ("1", "2"):
        path = os.path.join(directory, f"openblas-{t}.json")
        if os.path.exists(path):
            with open(path) as f:
                for r in json.load(f)["results"]:
                    blas.setdefault((r["shape"], r["layout"], t), []).append(r["gflops"])

    gemm, gemv, bandwidth = {}, {}, {}
    for b in jmh:
        name = b["benchmark"].rsplit(".", 2)[-2]
        p = b.get("params", {})
        sec = b.get("secondaryMetrics", {})
        if name == "GemmBenchmark" and "flops" in sec:
            gemm[(p["shape"], p["layout"], p["dtype"], p["threads"])] = [v / 1e9 for v in raw(sec["flops"])]
        elif name == "GemvBenchmark" and "weightBytes" in sec:
            gemv[(p["shape"], p["dtype"], p["layout"], p["threads"])] = [v / 1e9 for v in raw(sec["weightBytes"])]
        elif name == "BandwidthBenchmark" and "bytes" in sec:
            bandwidth[p["threads"]] = [v / 1e9 for v in raw(sec["bytes"])]

    if bandwidth:
        print("Read bandwidth (1 GiB off-heap sum, Vector API), GB/s:")
        for t in sorted(bandwidth):
            print(f"  {t} thread(s): {fmt(bandwidth[t])}")
        print()

    if gemm:
        print("GEMM f32, GFLOP/s (VectorLM: JMH GemmBenchmark; OpenBLAS: numpy sgemm)")
        print(f"{'shape':<14} {'layout':<7} {'thr':>3}  {'VectorLM':<22} {'OpenBLAS':<22} {'ratio':>6}  target")
        for key in sorted(gemm):
            shape, layout, dtype, t = key
            ours = statistics.median(gemm[key])
            theirs = blas.get((shape, layout, t))
            ratio = ours / statistics.median(theirs) if theirs else float("nan")
            ok = "ok" if ratio >= TARGET_GEMM else f"< {TARGET_GEMM}"
            print(f"{shape:<14} {layout:<7} {t:>3}  {fmt(gemm[key]):<22} "
                  f"{(fmt(theirs) if theirs else 'n/a'):<22} {ratio:6.2f}  {ok}")
        print("2-thread speedup over 1 thread:")
        for key in sorted(gemm):
            shape, layout, dtype, t = key
            if t == "2" and (shape, layout, dtype, "1") in gemm:
                s = statistics.median(gemm[key]) / statistics.median(gemm[(shape, layout, dtype, "1")])
                print(f"  {shape:<14} {layout:<7} {s:.2f}x  {'ok' if s >= TARGET_SCALING else f'< {TARGET_SCALING}'}")
        print()

    if gemv:
        print("GEMV, GB/s of weight bytes read (weights rotate through 256 MiB: DRAM, not cache)")
        print(f"{'shape':<10} {'dtype':<5} {'layout':<7} {'thr':>3}  {'VectorLM':<22} {'of bandwidth':>12}  "
              f"{'rows/s':>9}  target")
        for key in sorted(gemv, key=lambda k: (k[0], k[2], k[3], k[1])):
            shape, dtype, layout, t = key
            ours = statistics.median(gemv[key])
            bw = statistics.median(bandwidth[t]) if t in bandwidth else float("nan")
            n_in, n_out = (int(v) for v in shape.split("x"))
            size = 4 if dtype == "F32" else 2
            calls = ours * 1e9 / (n_in * n_out * size)
            ratio = ours / bw
            ok = "ok" if ratio >= TARGET_GEMV else f"< {TARGET_GEMV}"
            print(f"{shape:<10} {dtype:<5} {layout:<7} {t:>3}  {fmt(gemv[key]):<22} {ratio:12.2f}  "
                  f"{calls:9.0f}  {ok}")


if __name__ == "__main__":
    main()

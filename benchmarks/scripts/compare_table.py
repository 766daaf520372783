#!/usr/bin/python3
"""Prints VectorLM's JMH kernel results beside OpenBLAS and the measured read bandwidth.

Usage: compare_table.py DIR    (DIR holds jmh.json and openblas-1.json, openblas-2.json, and
                                machine.txt, whose machine= line heads the output)

Every figure is "median [min-max]" over all measurement iterations of all forks (JMH) or over all
runs (OpenBLAS), so the spread across runs is visible. Ratios use the medians.

GEMV comes from GemvBenchmark.gemvBesideRead: each iteration times the GEMV and a plain read
(ReadProbe) of the same weight copies in turns, in the same fork. The GEMV target is judged on
that same-memory ratio (per iteration, then the median): the memory each fork gets reads at
different speeds on this machine (18 to 28 GB/s for the same loop in separate runs), so a ratio to
BandwidthBenchmark, measured in another fork, carries that spread; it is printed beside it.
"""
import json
import os
import statistics
import sys

TARGET_GEMM = 0.8
TARGET_SCALING = 1.7
TARGET_GEMV = 0.8
TARGET_16BIT_ROWS = 1.6   # "~2x the rows per second of F32"
TARGET_INT8_ROWS = 1.8


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
    int8_path = os.path.join(directory, "jmh-int8.json")
    if os.path.exists(int8_path):
        with open(int8_path) as f:
            jmh += json.load(f)
    machine_path = os.path.join(directory, "machine.txt")
    if os.path.exists(machine_path):
        with open(machine_path) as f:
            machine = dict(line.rstrip("\n").partition("=")[::2] for line in f if "=" in line)
        print(f"Machine: {machine.get('machine', '?')}")
        print(f"Measured {machine.get('date', '?')}, {machine.get('runs', '?')} runs.")
        print()
    blas = {}
    for t in ("1", "2"):
        path = os.path.join(directory, f"openblas-{t}.json")
        if os.path.exists(path):
            with open(path) as f:
                for r in json.load(f)["results"]:
                    blas.setdefault((r["shape"], r["layout"], t), []).append(r["gflops"])

    gemm, gemv, same_memory, bandwidth = {}, {}, {}, {}
    for b in jmh:
        name = b["benchmark"].rsplit(".", 2)[-2]
        p = b.get("params", {})
        sec = b.get("secondaryMetrics", {})
        if name == "GemmBenchmark" and "flops" in sec:
            gemm[(p["shape"], p["layout"], p["dtype"], p["threads"])] = [v / 1e9 for v in raw(sec["flops"])]
        elif name == "GemvBenchmark" and "gemvNanos" in sec:
            key = (p["shape"], p["dtype"], p["layout"], p["threads"])
            gemv[key] = [b / t for b, t in zip(raw(sec["gemvBytes"]), raw(sec["gemvNanos"]))]
            same_memory[key] = [b / t for b, t in zip(raw(sec["readBytes"]), raw(sec["readNanos"]))]
        elif name == "BandwidthBenchmark" and "bytes" in sec:
            bandwidth[p["threads"]] = [v / 1e9 for v in raw(sec["bytes"])]

    if bandwidth:
        print("Read bandwidth (1 GiB off-heap sum, Vector API), GB/s:")
        for t in sorted(bandwidth):
            print(f"  {t} thread(s): {fmt(bandwidth[t])}")
    native = {}
    for t in ("1", "2"):
        path = os.path.join(directory, f"native-read-t{t}.json")
        if os.path.exists(path):
            with open(path) as f:
                native[t] = json.load(f)["gbs"]
    if native:
        print("Native C read of 1 GiB (benchmarks/native/read_probe.c, gcc -O3), GB/s:")
        for t in sorted(native):
            ratio = (f"; the Java probe reaches {statistics.median(bandwidth[t]) / statistics.median(native[t]):.2f} of it"
                     if t in bandwidth else "")
            print(f"  {t} thread(s): {fmt(native[t])}{ratio}")
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
        print("GEMV, GB/s of weight bytes read (weights rotate through 256 MiB: DRAM, not cache);")
        print("'read' is a plain read of the same weight copies in the same fork, 'of read' the GEMV's share")
        print("of it (the target), 'of 1 GiB' the share of BandwidthBenchmark's figure (another fork)")
        print(f"{'shape':<10} {'dtype':<5} {'layout':<7} {'thr':>3}  {'VectorLM':<22} {'read':<22} "
              f"{'of read':<18} {'of 1 GiB':>8}  {'rows/s':>9} {'vs F32':>7}  target")
        size = {"F32": 4, "BF16": 2, "F16": 2, "I8": 1}
        order = {"F32": 0, "BF16": 1, "F16": 2, "I8": 3}

        def calls(key):
            shape, dtype = key[0], key[1]
            n_in, n_out = (int(v) for v in shape.split("x"))
            return statistics.median(gemv[key]) * 1e9 / (n_in * n_out * size[dtype])

        for key in sorted(gemv, key=lambda k: (k[0], k[2], k[3], order[k[1]])):
            shape, dtype, layout, t = key
            ours = statistics.median(gemv[key])
            shares = [g / r for g, r in zip(gemv[key], same_memory[key])]
            share = statistics.median(shares)
            bw = statistics.median(bandwidth[t]) if t in bandwidth else float("nan")
            f32 = (shape, "F32", layout, t)
            speedup = calls(key) / calls(f32) if f32 in gemv else float("nan")
            if dtype == "I8":
                ok = "ok" if speedup >= TARGET_INT8_ROWS else f"< {TARGET_INT8_ROWS}x F32"
            elif share < TARGET_GEMV:
                ok = f"< {TARGET_GEMV}"
            elif dtype != "F32" and speedup < TARGET_16BIT_ROWS:
                ok = f"< {TARGET_16BIT_ROWS}x F32"
            else:
                ok = "ok"
            print(f"{shape:<10} {dtype:<5} {layout:<7} {t:>3}  {fmt(gemv[key]):<22} {fmt(same_memory[key]):<22} "
                  f"{fmt(shares, digits=2):<18} {ours / bw:8.2f}  {calls(key):9.0f} {speedup:7.2f}  {ok}")


if __name__ == "__main__":
    main()

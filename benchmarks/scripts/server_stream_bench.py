#!/usr/bin/env python3
"""Aggregate decode tokens/s of an OpenAI-compatible server with N concurrent streaming clients.

  server_stream_bench.py URL MODEL --clients 8 --prompt-tokens 16 --new-tokens 64 --runs 3 --warmup 1 [--vocab V]

Each run starts N streaming /v1/completions requests together (N threads, Python's http.client):
PROMPT random token ids each (seeded per run, as `vectorlm bench --parallel` makes its prompts),
greedy, `ignore_eos` so that every stream decodes exactly NEW tokens. The aggregate is what
`vectorlm bench --parallel` reports for the engine: all tokens after each stream's first, over the
time from the first stream's first token to the last stream's last. Prints one JSON object:
{"clients", "runs", "aggregate": [per run], "firstTokenMillis": [per run, mean of the streams]}.
Standard library only.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse


def stream(url, body, out, index, start_barrier):
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)
    payload = json.dumps(body).encode()
    conn.connect()  # before the barrier: the streams start together, as the engine bench's sequences do
    start_barrier.wait()
    sent = time.perf_counter()
    conn.request("POST", "/v1/completions", payload, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise SystemExit(f"request {index}: HTTP {resp.status}: {resp.read()[:300]!r}")
    first = last = None
    tokens = 0
    for raw in resp:
        line = raw.strip()
        if not line.startswith(b"data: "):
            continue
        if line == b"data: [DONE]":
            break
        event = json.loads(line[6:])
        if event.get("usage"):  # its own chunk (OpenAI, VectorLM) or on the last choice (llama-server)
            tokens = event["usage"]["completion_tokens"]
        if not event["choices"]:
            continue
        now = time.perf_counter()
        if event["choices"][0]["finish_reason"] is None:
            if first is None:
                first = now
            last = now
    conn.close()
    out[index] = (sent, first, last, tokens)


def one_run(url, model, clients, prompt_tokens, new_tokens, vocab, seed):
    rng = random.Random(seed)
    bodies = [{"model": model, "prompt": [rng.randrange(vocab) for _ in range(prompt_tokens)],
               "max_tokens": new_tokens, "temperature": 0, "stream": True, "ignore_eos": True,
               "stream_options": {"include_usage": True}} for _ in range(clients)]
    out = [None] * clients
    barrier = threading.Barrier(clients)
    threads = [threading.Thread(target=stream, args=(url, bodies[i], out, i, barrier)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if any(o is None for o in out):
        raise SystemExit("a stream failed (see above)")
    for sent, first, last, tokens in out:
        if tokens != new_tokens:
            raise SystemExit(f"a stream decoded {tokens} tokens, not {new_tokens}")
    first_start = min(o[1] for o in out)
    last_end = max(o[2] for o in out)
    decoded = sum(o[3] - 1 for o in out)
    ttft = sum((o[1] - o[0]) * 1000 for o in out) / clients
    return decoded / (last_end - first_start), ttft


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("model")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--prompt-tokens", type=int, default=16)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--vocab", type=int, default=50257)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    aggregate, ttft = [], []
    for r in range(-a.warmup, a.runs):
        rate, first = one_run(a.url, a.model, a.clients, a.prompt_tokens, a.new_tokens, a.vocab, a.seed + r)
        print(f"{'warm-up' if r < 0 else 'run'} {r}: {rate:.1f} tokens/s, first token {first:.0f} ms", file=sys.stderr)
        if r >= 0:
            aggregate.append(rate)
            ttft.append(first)
    print(json.dumps({"clients": a.clients, "runs": a.runs, "aggregate": aggregate, "firstTokenMillis": ttft}))


if __name__ == "__main__":
    main()

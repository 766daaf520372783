#!/usr/bin/env python3
"""Writes the GGUF model fixtures of gpt2-model and neox-model with llama.cpp's own tools, and
llama.cpp's logits on them.

    LLAMA_CPP_SRC=/path/to/llama.cpp            # source tree: convert_hf_to_gguf.py and gguf-py/
    LLAMA_CPP_BIN=/path/to/llama.cpp/build/bin  # holds llama-quantize
    LLAMA_LOGITS=/path/to/llama-logits          # prints llama.cpp's logits, see below
    PYTHONPATH=<transformers, tokenizers, safetensors, sentencepiece> python3 tools/make_gguf_model_fixtures.py

This script only RUNS llama.cpp's converter and binaries (given by path); it builds nothing.
`llama-logits` is a ~60-line C++ program against libllama (llama_model_load_from_file,
llama_init_from_model, one llama_decode of all ids with logits on every position,
llama_get_logits_ith; `--tokenize` mode: llama_tokenize without BOS or special parsing), kept
outside this repository; any program with that CLI works:
    llama-logits MODEL.gguf ID,ID,... OUT.json          -> {"ids": [...], "vocab": V, "logits": [[...], ...]}
    llama-logits --tokenize MODEL.gguf TEXT_FILE OUT.json -> {"ids": [...]}

What it does, per model (the small Hugging Face fixtures of the model modules, plus one NeoX model
256 wide made here so that llama-quantize's Q4_0 keeps the output matrix in Q6_K):
  1. copies the HF folder to a temporary one, adding the config keys this converter (llama.cpp
     c392e50) reads but transformers 5 no longer writes (GPT-2 `n_ctx`; NeoX `rotary_pct`,
     `rotary_emb_base`), and a tiny byte-level BPE tokenizer of exactly the model's vocabulary
     (printable ASCII as byte-level symbols, `<|endoftext|>`, and the most frequent merges of
     tinyshakespeare), since the fixtures ship none;
  2. runs convert_hf_to_gguf.py --outtype f32|f16|q8_0 and llama-quantize F32.gguf Q4_0. The
     converter recognises a tokenizer's pre-tokenizer by hashing its output on a test string;
     a tiny tokenizer has no known hash, so the converter is run through a wrapper that answers
     "gpt-2" (what it answers for GPT-2's and GPT-NeoX-20B's own tokenizers) instead of raising;
     nothing else of the converter is changed;
  3. runs llama-logits on the HF fixture's ids and writes <name>.llama.json next to the GGUF.
Also a vocabulary-only GGUF of GPT-2's real tokenizer (`--vocab-only`, from
models/gpt2-shakespeare's encoder.json + vocab.bpe) with Hugging Face's ids and llama.cpp's ids
for a tinyshakespeare excerpt (generation/src/test/resources/gguf-tokenizer/).
"""
import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.environ["LLAMA_CPP_SRC"]
BIN = os.environ["LLAMA_CPP_BIN"]
LOGITS = os.environ["LLAMA_LOGITS"]
SHAKESPEARE = os.environ.get("SHAKESPEARE", "/work/shared/data/text/tinyshakespeare.txt")

WRAPPER = r"""
import sys
sys.path.insert(0, sys.argv.pop(1))
import convert_hf_to_gguf as c
_orig = c.Model.get_vocab_base_pre
def _pre(self, tokenizer):
    try:
        return _orig(self, tokenizer)
    except NotImplementedError:
        return "gpt-2"   # a tiny test tokenizer: use GPT-2's pre-tokenizer, as for GPT-2 and NeoX-20B
c.Model.get_vocab_base_pre = _pre
c.main()
"""


def run(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def byte_level_symbols():
    """GPT-2's bytes_to_unicode."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def tiny_tokenizer(vocab_size, text):
    """A byte-level BPE of exactly vocab_size tokens: <|endoftext|>, printable ASCII + \\n, merges."""
    sym = byte_level_symbols()
    alphabet = [sym[b] for b in [10] + list(range(32, 127))]
    vocab = {"<|endoftext|>": 0}
    for s in alphabet:
        vocab[s] = len(vocab)
    words = collections.Counter()
    for w in text.replace("\n", " \n ").split(" "):
        if w:
            words[tuple(sym[b] for b in (" " + w).encode())] += 1
    merges = []
    while len(vocab) < vocab_size:
        pairs = collections.Counter()
        for w, n in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += n
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append((a, b))
        vocab[a + b] = len(vocab)
        new = collections.Counter()
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] += n
        words = new
    return vocab, merges


def write_tokenizer(folder, vocab, merges, klass):
    from tokenizers import Tokenizer, decoders, pre_tokenizers
    from tokenizers.models import BPE
    tok = Tokenizer(BPE(vocab, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    from tokenizers import AddedToken
    tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": klass, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                   "add_prefix_space": False}, f)


def convert(folder, outfile, outtype, extra=()):
    run([sys.executable, "-c", WRAPPER, SRC, folder,
         "--outtype", outtype, "--outfile", outfile, *extra])


def llama_logits(gguf, ids, out):
    run([LOGITS, gguf, ",".join(str(i) for i in ids), out])
    with open(out) as f:
        data = json.load(f)
    with open(out, "w") as f:   # keep the fixture small: 7 significant digits
        f.write(json.dumps({"ids": data["ids"], "vocab": data["vocab"],
                            "logits": [[float("%.7g" % v) for v in row] for row in data["logits"]]}))


def prepare(src, tmp, kind, text, vocab_size):
    shutil.copytree(src, tmp)
    cfg_path = os.path.join(tmp, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    if kind == "gpt2":
        cfg.setdefault("n_ctx", cfg["n_positions"])
        cfg["architectures"] = cfg.get("architectures") or ["GPT2LMHeadModel"]
        klass = "GPT2TokenizerFast"
    else:
        rope = cfg.get("rope_parameters") or {}
        cfg.setdefault("rotary_pct", rope.get("partial_rotary_factor", cfg.get("partial_rotary_factor", 1.0)))
        cfg.setdefault("rotary_emb_base", rope.get("rope_theta", cfg.get("rope_theta", 10000.0)))
        klass = "PreTrainedTokenizerFast"
        cfg["architectures"] = cfg.get("architectures") or ["GPTNeoXForCausalLM"]
    cfg["bos_token_id"] = 0
    cfg["eos_token_id"] = 0
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=1)
    vocab, merges = tiny_tokenizer(vocab_size, text)
    write_tokenizer(tmp, vocab, merges, klass)


def make_neox_q6k(folder):
    """A random GPT-NeoX of hidden 256 (one layer, vocab 128) in HF names, so that the head's rows
    are whole Q6_K blocks."""
    import torch
    from safetensors.torch import save_file
    torch.manual_seed(20261207)
    h, v, inter = 256, 128, 256
    t = {"gpt_neox.embed_in.weight": torch.randn(v, h) * 0.5,
         "embed_out.weight": torch.randn(v, h) * 0.1,
         "gpt_neox.final_layer_norm.weight": 1 + 0.1 * torch.randn(h),
         "gpt_neox.final_layer_norm.bias": 0.1 * torch.randn(h)}
    p = "gpt_neox.layers.0."
    for n, shape in [("input_layernorm", None), ("post_attention_layernorm", None)]:
        t[p + n + ".weight"] = 1 + 0.1 * torch.randn(h)
        t[p + n + ".bias"] = 0.1 * torch.randn(h)
    for n, (o, i) in [("attention.query_key_value", (3 * h, h)), ("attention.dense", (h, h)),
                      ("mlp.dense_h_to_4h", (inter, h)), ("mlp.dense_4h_to_h", (h, inter))]:
        t[p + n + ".weight"] = torch.randn(o, i) / i ** 0.5
        t[p + n + ".bias"] = 0.05 * torch.randn(o)
    os.makedirs(folder)
    save_file({k: x.contiguous() for k, x in t.items()}, os.path.join(folder, "model.safetensors"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "vocab_size": v,
                   "hidden_size": h, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": inter,
                   "max_position_embeddings": 64, "rotary_pct": 0.25, "rotary_emb_base": 10000,
                   "use_parallel_residual": True, "hidden_act": "gelu", "layer_norm_eps": 1e-5,
                   "tie_word_embeddings": False, "attention_bias": True}, f, indent=1)


def main():
    with open(SHAKESPEARE) as f:
        text = f.read()
    sample = text[:20000]
    fixtures = [
        # (HF folder, kind, output folder, name, outtypes, ids from)
        ("gpt2-model/src/test/resources/hf/f32-safetensors", "gpt2", "gpt2-model/src/test/resources/gguf", "gpt2",
         ["f32", "f16", "q8_0"], "gpt2-model/src/test/resources/hf/expected-f32.json"),
        ("neox-model/src/test/resources/hf/par_r25_f32_st", "gptneox", "neox-model/src/test/resources/gguf", "neox-par",
         ["f32", "q8_0"], "neox-model/src/test/resources/hf/par_r25_f32_st/expected.json"),
        ("neox-model/src/test/resources/hf/seq_r100_f32_bin", "gptneox", "neox-model/src/test/resources/gguf", "neox-seq",
         ["f32"], "neox-model/src/test/resources/hf/seq_r100_f32_bin/expected.json"),
        (None, "gptneox", "neox-model/src/test/resources/gguf", "neox-q6k", [], None),
    ]
    produced = {}
    with tempfile.TemporaryDirectory() as work:
        for src, kind, outdir, name, outtypes, ids_from in fixtures:
            outdir = os.path.join(ROOT, outdir)
            os.makedirs(outdir, exist_ok=True)
            folder = os.path.join(work, name)
            if src is None:
                make_neox_q6k(os.path.join(work, name + "-src"))
                src = os.path.join(work, name + "-src")
            with open(os.path.join(ROOT, src, "config.json") if not os.path.isabs(src) else os.path.join(src, "config.json")) as f:
                vocab_size = json.load(f)["vocab_size"]
            prepare(os.path.join(ROOT, src), folder, kind, sample, vocab_size)
            if ids_from:
                with open(os.path.join(ROOT, ids_from)) as f:
                    ids = json.load(f)["ids"]
            else:
                ids = [5, 17, 99, 3, 64, 127, 0, 42, 42, 8, 77, 120]
            f32 = os.path.join(work, name + "-f32.gguf")
            convert(folder, f32, "f32")
            files = []
            for t in outtypes:
                out = os.path.join(outdir, name + "-" + t + ".gguf")
                if t == "f32":
                    shutil.copy(f32, out)
                else:
                    convert(folder, out, t)
                files.append(out)
            q4 = os.path.join(outdir, name + "-q4_0.gguf")
            run([os.path.join(BIN, "llama-quantize"), f32, q4, "Q4_0", "1"], stdout=subprocess.DEVNULL)
            files.append(q4)
            for g in files:
                llama_logits(g, ids, g[:-len(".gguf")] + ".llama.json")
                produced[os.path.relpath(g, ROOT)] = os.path.getsize(g)
            # the tiny tokenizer's ids on a text, by Hugging Face's tokenizers and by llama.cpp
            if name == "gpt2":
                from tokenizers import Tokenizer
                tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
                excerpt = text[:600]
                txt = os.path.join(work, "excerpt.txt")
                with open(txt, "w") as f:
                    f.write(excerpt)
                run([LOGITS, "--tokenize", f32, txt, os.path.join(work, "llama-ids.json")])
                with open(os.path.join(work, "llama-ids.json")) as f:
                    llama_ids = json.load(f)["ids"]
                with open(os.path.join(outdir, "gpt2-tokenizer.json"), "w") as f:
                    json.dump({"text": excerpt, "hf_ids": tok.encode(excerpt).ids, "llama_ids": llama_ids}, f)

        # GPT-2's real tokenizer, vocabulary only
        folder = os.path.join(work, "gpt2-vocab")
        os.makedirs(folder)
        demo = os.path.join(ROOT, "models/gpt2-shakespeare")
        shutil.copy(os.path.join(demo, "encoder.json"), os.path.join(folder, "vocab.json"))
        shutil.copy(os.path.join(demo, "vocab.bpe"), os.path.join(folder, "merges.txt"))
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50257, "n_layer": 1,
                       "n_ctx": 1024, "n_positions": 1024, "n_embd": 64, "n_head": 1, "layer_norm_epsilon": 1e-5,
                       "bos_token_id": 50256, "eos_token_id": 50256}, f)
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
            json.dump({"tokenizer_class": "GPT2TokenizerFast", "bos_token": "<|endoftext|>",
                       "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}, f)
        outdir = os.path.join(ROOT, "generation/src/test/resources/gguf-tokenizer")
        os.makedirs(outdir, exist_ok=True)
        vocab_gguf = os.path.join(work, "gpt2-vocab.gguf")
        convert(folder, vocab_gguf, "f32", ["--vocab-only"])
        with open(vocab_gguf, "rb") as f, open(os.path.join(outdir, "gpt2-vocab.gguf.gz"), "wb") as g:
            import gzip
            g.write(gzip.compress(f.read(), 9, mtime=0))
        from transformers import AutoTokenizer
        hf = AutoTokenizer.from_pretrained(folder)
        excerpt = text[:4000] + " naïve café — “quotes” 12345 \t tabs  and   spaces<|endoftext|>"
        txt = os.path.join(work, "excerpt.txt")
        with open(txt, "w") as f:
            f.write(excerpt)
        run([LOGITS, "--tokenize", vocab_gguf, txt, os.path.join(work, "llama-ids.json")])
        with open(os.path.join(work, "llama-ids.json")) as f:
            llama_ids = json.load(f)["ids"]
        with open(os.path.join(outdir, "gpt2-ids.json"), "w") as f:
            json.dump({"text": excerpt, "hf_ids": hf(excerpt, add_special_tokens=False)["input_ids"],
                       "llama_ids": llama_ids}, f)
        produced["generation/src/test/resources/gguf-tokenizer/gpt2-vocab.gguf.gz"] = os.path.getsize(
            os.path.join(outdir, "gpt2-vocab.gguf.gz"))

    import transformers, tokenizers
    versions = {"llama.cpp source": os.path.realpath(SRC), "convert_hf_to_gguf.py sha256":
                hashlib.sha256(open(os.path.join(SRC, "convert_hf_to_gguf.py"), "rb").read()).hexdigest(),
                "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                "python": sys.version.split()[0], "files": produced}
    for d in ["gpt2-model/src/test/resources/gguf", "neox-model/src/test/resources/gguf"]:
        with open(os.path.join(ROOT, d, "versions.json"), "w") as f:
            json.dump(versions, f, indent=1)
    print(json.dumps(versions, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the Hugging Face oracle fixtures for VectorLM's tokenizer tests.

    python3 tools/make_tokenizer_fixtures.py OUTDIR [--gpt2-dir DIR] [--neox-json FILE] [--shakespeare FILE]

Needs the Hugging Face `tokenizers` package (transformers is optional: when present, its
GPT2TokenizerFast is checked against the tokenizer built here). Reads no network.

Writes into OUTDIR:
  gpt2.json           GPT-2 from encoder.json + vocab.bpe, <|endoftext|> a special token
                      (what transformers' GPT2TokenizerFast builds)
  neox-20b.json       GPT-NeoX's 20B_tokenizer.json, loaded as it is
  gpt2-variants.json  tokenizer.json features exercised on GPT-2's vocabulary: add_prefix_space,
                      use_regex off, NFC/NFKC normalizers, Sequence pre-tokenizer, added tokens
                      with single_word / lstrip / rstrip / normalized flags

Each file is JSON: {"tokenizer", "versions", "texts": [{"text", "ids", "tokens", "decoded"}]};
"decoded" is tokenizer.decode(ids, skip_special_tokens=False). A variant also holds its
"tokenizer_json" (the tokenizer.json Hugging Face writes for it) without model.vocab and
model.merges, which are GPT-2's: the Java test puts them back (merges as [left, right] pairs),
and this script checks that such a file gives the very same ids.

The defaults for the input files are tools/data/{gpt2/encoder.json, gpt2/vocab.bpe,
neox/20B_tokenizer.json, text/tinyshakespeare.txt}, then ../shared/data/... beside the repository.
Everything is deterministic (the random texts come from a seeded generator).
"""

import argparse
import json
import os
import platform
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The hard cases of issues 5 and 6, by name.
HARD_TEXTS = [
    ("empty", ""),
    ("one space", " "),
    ("one letter", "a"),
    ("hello", "Hello world"),
    ("leading and trailing spaces", "  Hello world  "),
    ("leading newline", "\nHello"),
    ("trailing newline", "Hello\n"),
    ("spaces 1..9", "a b  c   d    e     f      g       h        i         j"),
    ("spaces 1..9 before punctuation", "a !b  !c   !d    !e     !f      !g       !h        !i         !j"),
    ("spaces 1..9 at the end", "x         "),
    ("only spaces 25", " " * 25),
    ("only spaces 30", " " * 30),
    ("tabs", "a\tb\t\tc\t\t\td"),
    ("newlines", "a\nb\n\nc\n\n\nd"),
    ("crlf", "line one\r\nline two\r\n\r\nline three"),
    ("mixed whitespace", "a \t \n  b\n \n\t c \u00a0 d\u3000e\u2009f"),
    ("indented code", "def f(x):\n    if x:\n        return 1\n    return 2\n"),
    ("contractions", "I'm sure you'll see it's what they've said: we'd, we're, don't."),
    ("uppercase contractions", "DON'T WON'T IT'S I'M YOU'LL WE'D THEY'RE WE'VE"),
    ("apostrophe runs", "''s ''t 's' 'sss 'lll 'rex 'vet"),
    ("curly apostrophe", "it\u2019s don\u2019t"),
    ("digits", "12345 6.02e23 3.14159 1,000,000 0x1F 2024-01-01 007"),
    ("long number", "1234567890123456789012345678901234567890"),
    ("emoji zwj family", "family: \U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466!"),
    ("emoji skin tone", "thumbs \U0001F44D\U0001F3FD up \U0001F44B\U0001F3FF"),
    ("emoji flags and keycap", "\U0001F1EF\U0001F1F5 \U0001F1FA\U0001F1F8 1\uFE0F\u20E3 #\uFE0F\u20E3"),
    ("emoji run", "\U0001F600\U0001F601\U0001F602\U0001F923\U0001F60A"),
    ("cjk", "\u4eca\u65e5\u306f\u826f\u3044\u5929\u6c17\u3067\u3059\u3002\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8"),
    ("korean", "\ud55c\uad6d\uc5b4 \ud14c\uc2a4\ud2b8"),
    ("accent nfc", "caf\u00e9 na\u00efve r\u00e9sum\u00e9"),
    ("accent nfd", "cafe\u0301 nai\u0308ve re\u0301sume\u0301"),
    ("combining only", "\u0301\u0301 a\u0301\u0302\u0303"),
    ("hangul jamo nfd", "\u1112\u1161\u11ab\u1100\u1173\u11af"),
    ("nfkc forms", "\ufb01le \u2460 \uff21\uff22\uff23 x\u00b2 \u2167"),
    ("special token inside", "a<|endoftext|>b"),
    ("special tokens around spaces", " <|endoftext|> <|endoftext|><|endoftext|>  x"),
    ("broken special token", "<|endoftext| <|endoftext <endoftext|>"),
    ("unk lookalike", "<|unk|> token"),
    ("long word", "Pneumonoultramicroscopicsilicovolcanoconiosis " + "x" * 300),
    ("long mixed word", "abc123def456" * 20),
    ("mixed scripts", "English \u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac "
                      "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea \u0939\u093f\u0928\u094d\u0926\u0940 "
                      "\u0e44\u0e17\u0e22 \u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8"),
    ("devanagari marks", "\u0915\u094d\u0937\u093f \u0928\u092e\u0938\u094d\u0924\u0947"),
    ("supplementary letters and digits", "\U0001D400\U0001D401 \U0001D7D8\U0001D7D9 \U00010400\U00010428 \U00020000\U0002A6D6"),
    ("letter numbers and other numbers", "\u216b \u00bd \u00b2 \u2155 \u0660\u0661\u0662"),
    ("modifier and titlecase letters", "\u02b0\u02b1 \u01c5\u01c8 \u00df\u1e9e"),
    ("unusual spaces", "a\u1680b\u2000c\u200ad\u2028e\u2029f\u202fg\u205fh\u0085i\u000bj\u000ck"),
    ("control characters", "a\u0000b\u0001c\u001cd\u001fe\u007ff"),
    ("replacement and private use", "\ufffd \ue000 \U000F0000 \uffff"),
    ("zero width", "a\u200bb\u200cc\u200dd\ufeffe"),
    ("punctuation runs", "Wait... what?!? (yes) [no] {maybe} <tag/> --flag ==> ~~~"),
    ("url and email", "https://example.com/path?q=1&r=two#frag mail@example.org"),
    ("json", '{"key": [1, 2.5, "three"], "nested": {"a": null}}'),
]

# Extra texts for the feature variants (added-token flags, normalizers, prefix space).
VARIANT_TEXTS = [
    ("mask lstrip", "I saw a   <mask> there"),
    ("mask at start", "<mask> first"),
    ("mask twice", "a <mask><mask> b"),
    ("sep rstrip", "one[SEP]   two [SEP]\n\nthree"),
    ("single word hit", "say hello world now"),
    ("single word miss", "sayhello world, hello worlds, hello world_x"),
    ("single word at edges", "hello world"),
    ("single word after punctuation", "(hello world)"),
    ("ligature token", "file \ufb01le fi"),
    ("fullwidth raw token", "\uff21\uff22 \uff21"),
    ("two spaces token", "a  b   c    d"),
    ("new id token", "x <new_token> y<new_token>"),
    ("prefix space", "Hello"),
    ("prefix space after token", "<mask>Hello<mask> world"),
]


def find_input(given, *relative):
    """The file given, else tools/data/..., else ../shared/data/... beside the repository."""
    if given:
        return given
    for base in (os.path.join(HERE, "data"), os.path.join(REPO, "..", "shared", "data")):
        path = os.path.join(base, *relative)
        if os.path.exists(path):
            return path
    sys.exit("cannot find %s: pass it as an argument" % os.path.join("tools", "data", *relative))


def random_texts(count, seed):
    """Random strings over characters whose classes matter to the GPT-2 pattern."""
    pool = (
        list("abcXYZ") + list("0129") + list(".,!?-_'\"()") + ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S"]
        + [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2009", "\u3000", "\u000b", "\u000c", "\u001c", "\u0085"]
        + ["\u00e9", "e\u0301", "\u0308", "\u094d", "\u093f", "\u4e2d", "\u6587", "\uac00", "\u0627", "\u05d0"]
        + ["\U0001F600", "\U0001F44D\U0001F3FD", "\u200d", "\U0001D400", "\U0001D7D8", "\u216b", "\u00bd", "\u02b0", "\u01c5"]
        + ["<|endoftext|>", "\ufb01", "\uff21", "\u00df", "\u0130", "\u2167"]
    )
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        n = rng.randint(1, 40)
        texts.append(("random %d (seed %d)" % (i, seed), "".join(rng.choice(pool) for _ in range(n))))
    return texts


def all_texts(corpus):
    """The texts every tokenizer is run on: the hard cases, random ones, and tinyshakespeare."""
    return (HARD_TEXTS + random_texts(60, 20240601)
            + [("tinyshakespeare first 2000 chars", corpus[:2000]),
               ("tinyshakespeare first 100000 chars", corpus[:100000])])


def record(tok, texts):
    out = []
    for name, text in texts:
        enc = tok.encode(text)
        r = {"name": name, "text": text, "ids": list(enc.ids)}
        if len(text) <= 5000:
            r["tokens"] = list(enc.tokens)  # for reading failures; left out of the long texts
        r["decoded"] = tok.decode(enc.ids, skip_special_tokens=False)
        out.append(r)
    return out


def versions():
    import tokenizers
    v = {"tokenizers": tokenizers.__version__, "python": platform.python_version()}
    try:
        import transformers
        v["transformers"] = transformers.__version__
    except ImportError:
        v["transformers"] = None
    return v


def gpt2_tokenizer(encoder, merges):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    tok = Tokenizer(models.BPE.from_file(encoder, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
    return tok


def check_against_transformers(tok, encoder, merges, texts):
    """When transformers is installed, its GPT2TokenizerFast must agree with the tokenizer built here."""
    try:
        import transformers
        from transformers import GPT2TokenizerFast
    except ImportError:
        return None
    if int(transformers.__version__.split(".")[0]) >= 5:
        fast = GPT2TokenizerFast(vocab=encoder, merges=merges)  # transformers 5 renamed the arguments
    else:
        fast = GPT2TokenizerFast(vocab_file=encoder, merges_file=merges)
    if len(fast) != tok.get_vocab_size():
        sys.exit("GPT2TokenizerFast did not load the vocabulary: %d ids instead of %d" % (len(fast), tok.get_vocab_size()))
    for name, text in texts:
        ours = tok.encode(text).ids
        theirs = fast(text)["input_ids"]
        if list(ours) != list(theirs):
            sys.exit("GPT2TokenizerFast disagrees on %r: %s vs %s" % (name, theirs, ours))
    return True


def variant_specs():
    """(name, normalizer, pre_tokenizer, added tokens, extra special tokens) on GPT-2's vocabulary."""
    from tokenizers import AddedToken, normalizers, pre_tokenizers
    flags = [
        ("special", AddedToken("<|endoftext|>", special=True, normalized=False)),
        ("special", AddedToken("<mask>", special=True, lstrip=True, normalized=False)),
        ("special", AddedToken("[SEP]", special=True, rstrip=True, normalized=False)),
        ("added", AddedToken("hello world", single_word=True, normalized=True)),
        ("added", AddedToken("\ufb01", normalized=True)),
        ("added", AddedToken("\uff21", normalized=False)),
        ("added", AddedToken("  ", normalized=True)),
        ("added", AddedToken("<new_token>", normalized=False)),
    ]
    return [
        ("prefix-space-nfkc-flags", normalizers.NFKC(),
         pre_tokenizers.Sequence([pre_tokenizers.ByteLevel(add_prefix_space=True)]), flags),
        ("nfc-flags", normalizers.NFC(), pre_tokenizers.ByteLevel(add_prefix_space=False), flags),
        ("no-regex", None, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False), flags[:1]),
        ("nfd-sequence", normalizers.Sequence([normalizers.NFD()]), pre_tokenizers.ByteLevel(add_prefix_space=False),
         flags[:1]),
    ]


def make_variant(encoder, merges, normalizer, pre_tokenizer, added):
    from tokenizers import Tokenizer, decoders, models
    tok = Tokenizer(models.BPE.from_file(encoder, merges))
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    for kind, token in added:
        if kind == "special":
            tok.add_special_tokens([token])
        else:
            tok.add_tokens([token])
    return tok


def gpt2_merges_as_pairs(merges_path):
    with open(merges_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return [line.split(" ") for line in lines[1:] if line]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--gpt2-dir", help="folder with encoder.json and vocab.bpe")
    ap.add_argument("--neox-json", help="GPT-NeoX's 20B_tokenizer.json")
    ap.add_argument("--shakespeare", help="tinyshakespeare.txt (its first 2000 and 100000 characters are encoded)")
    args = ap.parse_args()

    from tokenizers import Tokenizer

    gpt2_dir = args.gpt2_dir or os.path.dirname(find_input(None, "gpt2", "encoder.json"))
    encoder = os.path.join(gpt2_dir, "encoder.json")
    merges = os.path.join(gpt2_dir, "vocab.bpe")
    neox = find_input(args.neox_json, "neox", "20B_tokenizer.json")
    with open(find_input(args.shakespeare, "text", "tinyshakespeare.txt"), encoding="utf-8") as f:
        corpus = f.read()

    texts = all_texts(corpus)
    os.makedirs(args.outdir, exist_ok=True)
    v = versions()

    gpt2 = gpt2_tokenizer(encoder, merges)
    agrees = check_against_transformers(gpt2, encoder, merges, texts)
    write(args.outdir, "gpt2.json", {
        "tokenizer": "GPT-2: tokenizers.models.BPE.from_file(encoder.json, vocab.bpe), ByteLevel(add_prefix_space=False) "
                     "pre-tokenizer and decoder, <|endoftext|> added as a special token (normalized=False)",
        "transformers_gpt2_tokenizer_fast_agrees": agrees,
        "versions": v,
        "texts": record(gpt2, texts),
    })

    neox_tok = Tokenizer.from_file(neox)
    write(args.outdir, "neox-20b.json", {
        "tokenizer": "GPT-NeoX 20B_tokenizer.json via tokenizers.Tokenizer.from_file",
        "versions": v,
        "texts": record(neox_tok, texts + [t for t in VARIANT_TEXTS if t[0] == "two spaces token"]),
    })

    variants = []
    pairs = gpt2_merges_as_pairs(merges)
    with open(encoder, encoding="utf-8") as f:
        vocab = json.load(f)
    variant_texts = HARD_TEXTS + VARIANT_TEXTS + random_texts(20, 777)
    for name, normalizer, pre_tokenizer, added in variant_specs():
        tok = make_variant(encoder, merges, normalizer, pre_tokenizer, added)
        spec = json.loads(tok.to_str())
        # the Java test rebuilds the full file from GPT-2's files; check here that it means the same
        spec["model"]["vocab"] = vocab
        spec["model"]["merges"] = pairs
        rebuilt = Tokenizer.from_str(json.dumps(spec))
        recorded = record(tok, variant_texts)
        for r in recorded:
            if rebuilt.encode(r["text"]).ids != r["ids"]:
                sys.exit("variant %s: the rebuilt tokenizer.json disagrees on %r" % (name, r["name"]))
        del spec["model"]["vocab"]
        del spec["model"]["merges"]
        variants.append({"name": name, "tokenizer_json": spec, "texts": recorded})
    write(args.outdir, "gpt2-variants.json", {
        "tokenizer": "GPT-2's vocabulary and merges under other tokenizer.json settings; model.vocab and "
                     "model.merges are left out: put back encoder.json and vocab.bpe's merges as [left, right] pairs",
        "versions": v,
        "variants": variants,
    })


def to_json(obj, indent=""):
    """JSON with one text record (or other small object) per line, for readable diffs."""
    compact = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    if len(compact) < 200 or not isinstance(obj, (dict, list)) or (isinstance(obj, dict) and "ids" in obj):
        return compact
    inner = indent + " "
    if isinstance(obj, dict):
        items = ["%s%s: %s" % (inner, json.dumps(k), to_json(v, inner)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    items = [inner + to_json(v, inner) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + indent + "]"


def write(outdir, name, obj):
    path = os.path.join(outdir, name)
    text = to_json(obj) + "\n"
    if json.loads(text) != obj:
        sys.exit("internal error: %s does not read back" % name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()

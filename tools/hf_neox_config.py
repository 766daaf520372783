"""Builds a GPTNeoXConfig whatever spelling the installed transformers uses for partial rotary.

transformers 4.x takes rotary_pct / rotary_emb_base; 5.x moved them into rope_parameters
(partial_rotary_factor, rope_theta). The config is checked against the model it builds: the
rotary module must have rotary_dims/2 frequencies and the requested base.
"""


def rotary_modules(model):
    return [m for m in model.modules() if hasattr(m, "inv_freq")]


def make_neox_config(rotary_pct, base=10000.0, **common):
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    head = common["hidden_size"] // common["num_attention_heads"]
    want = int(head * rotary_pct) // 2
    tries = [
        dict(rotary_pct=rotary_pct, rotary_emb_base=base),
        dict(rope_parameters={"rope_type": "default", "rope_theta": base, "partial_rotary_factor": rotary_pct}),
        dict(partial_rotary_factor=rotary_pct, rope_theta=base),
    ]
    for extra in tries:
        try:
            cfg = GPTNeoXConfig(**common, **extra)
            model = GPTNeoXForCausalLM(cfg)
        except (TypeError, ValueError) as e:
            print("config spelling refused:", extra, e)
            continue
        inv = rotary_modules(model)
        if not inv or inv[0].inv_freq.numel() != want:
            print("rotary dims not honoured with", extra)
            continue
        if want > 1:
            expected = 1.0 / (base ** (2.0 / (want * 2)))
            if abs(inv[0].inv_freq[1].item() - expected) > 1e-6 * expected:
                print("rotary base not honoured with", extra)
                continue
        return cfg
    raise SystemExit("could not make a GPTNeoXConfig with rotary_pct %s base %s" % (rotary_pct, base))

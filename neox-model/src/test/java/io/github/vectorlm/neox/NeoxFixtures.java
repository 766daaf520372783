package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/**
 * Where the test fixtures lie. The Hugging Face oracle fixtures are made by
 * {@code tools/make_neox_fixtures_hf.py} with transformers' own {@code GPTNeoXForCausalLM}; they live
 * in {@code src/test/resources/hf/}. A missing fixture fails the test (it never skips). Reading them:
 * {@link io.github.vectorlm.testing.Fixtures}.
 */
final class NeoxFixtures {
    /** The folder of the HF oracle fixtures. */
    static final Path HF = Path.of("src/test/resources/hf");
    /** What makes them. */
    static final String MADE_BY = "tools/make_neox_fixtures_hf.py (see its docstring)";
    /** The small GPT-NeoX really trained on Tiny Shakespeare (repository root's models/). */
    static final Path SHAKESPEARE = Path.of("../models/neox-shakespeare");

    private NeoxFixtures() {
    }

    /** A fixture folder of {@link #HF}, which must exist. */
    static Path hf(String variant) {
        Path p = HF.resolve(variant);
        assertThat(p).as("fixture %s (made by %s)", p, MADE_BY).isDirectory();
        return p;
    }
}

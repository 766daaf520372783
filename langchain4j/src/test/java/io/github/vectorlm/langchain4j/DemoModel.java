package io.github.vectorlm.langchain4j;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The demo model, and the oracle the langchain4j models are held to: a model loaded apart from
 * them and run by {@link Generator}, the loop {@code vectorlm generate} runs.
 */
final class DemoModel {
    static final Path FOLDER = Path.of("../models/gpt2-shakespeare");

    private DemoModel() {
    }

    /** Loads the demo model apart from {@link SharedModels}; the caller closes it. */
    static LanguageModel loadOracle() throws IOException {
        Fixtures.require(FOLDER.resolve("ckpt.pt"), "tools/train_demo_model.py (see models/gpt2-shakespeare/README.md)");
        return LanguageModels.load(FOLDER);
    }

    /** What {@code vectorlm generate} gives {@code prompt} with {@code options}. */
    static GenerationResult generate(LanguageModel oracle, String prompt, GenerationOptions options) {
        return new Generator(oracle).generate(prompt, options, TokenListener.NONE);
    }

    static Tokenizer tokenizer(LanguageModel oracle) {
        return oracle.tokenizer().orElseThrow();
    }
}

package io.github.vectorlm.examples;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.TokenListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The README's batching example: several prompts generated together by an {@link Engine}.
 *
 * <p>Argument: the model folder (default {@code models/gpt2-shakespeare}).
 */
public final class ManyPrompts {
    private ManyPrompts() {
    }

    /**
     * Generates 40 tokens after each prompt (temperature 0.8, seed 42), all in one engine.
     *
     * @param model the model
     * @param prompts the texts to continue
     * @return each prompt's result, in order
     */
    public static List<GenerationResult> generate(LanguageModel model, List<String> prompts) {
        try (Engine engine = Engine.start(model)) {                     // 16 sequences at a time by default
            List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
            for (String prompt : prompts) {
                results.add(engine.submit(prompt, GenerationOptions.of(40, SamplingOptions.sample(0.8, 42)),
                        TokenListener.NONE));                                 // thread-safe; cancel() stops one
            }
            return results.stream().map(CompletableFuture::join).toList();
        }
    }

    /**
     * Prints the continuations of three prompts.
     *
     * @param args the model folder, optional
     * @throws IOException if the model cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path modelDir = Path.of(args.length > 0 ? args[0] : "models/gpt2-shakespeare");
        try (LanguageModel model = LanguageModels.load(modelDir)) {
            generate(model, List.of("ROMEO:", "JULIET:", "KING HENRY:")).forEach(r -> System.out.println(r.text()));
        }
    }
}

package io.github.vectorlm.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.TokenListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine example on the module path gives each prompt what the Generator gives it alone. */
class ManyPromptsTest {
    private static final Path MODEL = Path.of(System.getProperty("vectorlm.model", "../models/gpt2-shakespeare"));

    @Test
    void eachPromptGetsItsResultAlone() throws IOException {
        List<String> prompts = List.of("ROMEO:", "JULIET:", "KING HENRY:");
        try (LanguageModel model = LanguageModels.load(MODEL)) {
            List<GenerationResult> batched = ManyPrompts.generate(model, prompts);
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult alone = new Generator(model).generate(prompts.get(i),
                        GenerationOptions.of(40, SamplingOptions.sample(0.8, 42)), TokenListener.NONE);
                assertArrayEquals(alone.ids(), batched.get(i).ids(), prompts.get(i));
                assertEquals(alone.text(), batched.get(i).text());
            }
        }
    }
}

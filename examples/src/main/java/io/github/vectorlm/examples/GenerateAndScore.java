package io.github.vectorlm.examples;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Scorer;
import java.io.IOException;
import java.nio.file.Path;

/** Loads a model, streams 40 generated tokens, scores the text. Run: GenerateAndScore MODEL_FOLDER */
public class GenerateAndScore {
    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args[0]); // e.g. models/gpt2-shakespeare in a VectorLM checkout
        try (LanguageModel model = LanguageModels.load(folder)) {
            // stream 40 tokens: the listener gets each token's text as soon as it is generated
            GenerationOptions options = GenerationOptions.of(40, SamplingOptions.sample(0.8, 42).withTopK(40));
            System.out.print("ROMEO:");
            GenerationResult result = new Generator(model).generate("ROMEO:", options, (id, text) -> {
                System.out.print(text);
                System.out.flush();
            });

            // score text: mean cross-entropy per token (nats) and perplexity under the model
            Scorer.Score score = new Scorer(model).score("ROMEO:" + result.text());
            System.out.printf("%nloss %.3f, perplexity %.1f%n", score.loss(), score.perplexity());
        }
    }
}

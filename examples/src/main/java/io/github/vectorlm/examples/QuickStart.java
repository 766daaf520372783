package io.github.vectorlm.examples;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.TokenListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Loads a model, streams a generated continuation of a prompt, and scores the result.
 *
 * <p>Arguments: the model folder (default {@code models/gpt2-shakespeare}) and the prompt
 * (default {@code "ROMEO:"}).
 */
public final class QuickStart {
    private QuickStart() {
    }

    /**
     * Generates up to 40 tokens after {@code prompt} (temperature 0.8, top-k 40, seed 42),
     * handing each one to {@code listener} as it comes.
     *
     * @param model the model
     * @param prompt the text to continue
     * @param listener receives every generated id and the text it releases
     * @return the generated ids and text
     */
    public static GenerationResult generate(LanguageModel model, String prompt, TokenListener listener) {
        GenerationOptions options = GenerationOptions.of(40, SamplingOptions.sample(0.8, 42).withTopK(40));
        return new Generator(model).generate(prompt, options, listener);
    }

    /**
     * Scores {@code ids}: the model's mean cross-entropy loss predicting each id from the ones
     * before it (a window of the model's context, sliding by half of it).
     *
     * @param model the model
     * @param ids at least two token ids
     * @return the loss and perplexity
     */
    public static Scorer.Score score(LanguageModel model, int[] ids) {
        return new Scorer(model).score(ids);
    }

    /**
     * Loads the model (kernels on 2 threads), prints the prompt and its continuation as it is
     * generated, then the generated ids and the loss of prompt and continuation together.
     *
     * <p>A model that cannot be loaded ends the program with its message on stderr (which says, for
     * a GPT-NeoX folder, to add {@code vectorlm-neox-model}) and exit status 1, without a stack trace.
     *
     * @param args the model folder and the prompt, both optional
     */
    public static void main(String[] args) {
        Path modelDir = Path.of(args.length > 0 ? args[0] : "models/gpt2-shakespeare");
        String prompt = args.length > 1 ? args[1] : "ROMEO:";
        try {
            run(modelDir, prompt);
        } catch (IOException | IllegalStateException e) {
            System.err.println("QuickStart: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(Path modelDir, String prompt) throws IOException {
        try (LanguageModel model = LanguageModels.load(modelDir, LoadOptions.defaults().withThreads(2))) {
            System.out.print(prompt);
            GenerationResult result = generate(model, prompt, (id, text) -> {
                System.out.print(text);
                System.out.flush();
            });
            System.out.println();
            System.out.println("generated ids: " + Arrays.toString(result.ids()));
            int[] all = IntStream.concat(Arrays.stream(result.promptIds()), Arrays.stream(result.ids())).toArray();
            Scorer.Score score = score(model, all);
            System.out.printf("loss %.4f nats, perplexity %.2f (%d tokens)%n", score.loss(), score.perplexity(), score.tokens());
        }
    }
}

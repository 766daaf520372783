package io.github.vectorlm.cli;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.TokenListener;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm bench}: a quick prefill and decode speed measurement of a model. */
@Command(name = "bench",
        header = "Quick prefill and decode speed of a model.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Measures a model's speed the way generate uses it: the prefill of a prompt of random token ids "
                    + "(one batched forward pass) and greedy decoding with the KV cache (one token per step), "
                    + "after warm-up runs that let the JIT compile the kernels. Prints the median and the range "
                    + "over the measured runs.",
            "",
            "This is a quick check; the JMH benchmarks (benchmarks/) are the reference measurements.",
            ""},
        footer = {
            "",
            "Output: 'prefill 16 tokens: 12.3 ms (1300 tokens/s) [12.1 .. 12.9]' and "
                    + "'decode 128 tokens: 85.2 tokens/s [84.0 .. 86.1]'; --json prints "
                    + "{\"promptTokens\", \"newTokens\", \"threads\", \"prefillMillis\", \"decodeTokensPerSecond\", ...}",
            "",
            "Examples:",
            "  vectorlm bench",
            "  vectorlm bench --model gpt2 --threads 1 --prompt-tokens 128 --runs 5"})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "16",
            description = "Prompt length. Default: ${DEFAULT-VALUE}.")
    private int promptTokens;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "128",
            description = "Tokens decoded per run. Default: ${DEFAULT-VALUE}.")
    private int newTokens;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Runs not measured. Default: ${DEFAULT-VALUE}.")
    private int warmup;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Runs measured. Default: ${DEFAULT-VALUE}.")
    private int runs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the random prompt. Default: ${DEFAULT-VALUE}.")
    private long seed;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 1 || newTokens < 2 || runs < 1 || warmup < 0) {
            throw new CliException("need --prompt-tokens >= 1, --new-tokens >= 2, --runs >= 1 and --warmup >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ProgressDisplay progress = root.progress();
                ModelOptions.LoadedModel loaded = modelOptions.load(root.context(), progress)) {
            LanguageModel model = loaded.model();
            if (promptTokens + newTokens > model.contextLength() + 1) {
                throw new CliException("prompt and new tokens (" + promptTokens + " + " + newTokens
                        + ") exceed the model's context of " + model.contextLength());
            }
            int vocab = loaded.tokenizer() == null ? model.vocabSize() : Math.min(loaded.tokenizer().vocabSize(), model.vocabSize());
            int[] prompt = new SplittableRandom(seed).ints(promptTokens, 0, vocab).toArray();
            // no stop token: every run decodes exactly newTokens tokens
            GenerationOptions options = GenerationOptions.greedy(newTokens).withStopTokens();
            Generator generator = new Generator(model, null);
            double[] prefill = new double[runs];
            double[] decode = new double[runs];
            for (int r = -warmup; r < runs; r++) {
                GenerationResult result = generator.generate(prompt, options, TokenListener.NONE);
                if (r >= 0) {
                    prefill[r] = result.prefillMillis();
                    decode[r] = result.decodeTokensPerSecond();
                }
                if (root.verbose()) {
                    err.printf(Locale.ROOT, "%s run: prefill %.2f ms, decode %.1f tokens/s%n", r < 0 ? "warm-up" : "measured",
                            result.prefillMillis(), result.decodeTokensPerSecond());
                    err.flush();
                }
            }
            int threads = modelOptions.threads != null ? modelOptions.threads : Runtime.getRuntime().availableProcessors();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("architecture", model.architecture());
                o.put("promptTokens", promptTokens);
                o.put("newTokens", newTokens);
                o.put("threads", threads);
                o.put("runs", runs);
                o.put("prefillMillis", median(prefill));
                o.put("prefillMillisRange", new double[] {min(prefill), max(prefill)});
                o.put("prefillTokensPerSecond", promptTokens * 1000.0 / median(prefill));
                o.put("decodeTokensPerSecond", median(decode));
                o.put("decodeTokensPerSecondRange", new double[] {min(decode), max(decode)});
                Json.print(out, o);
            } else {
                out.printf(Locale.ROOT, "%s, %s, median of %s after %s%n", model.architecture(), count(threads, "thread"),
                        count(runs, "run"), count(warmup, "warm-up run"));
                out.printf(Locale.ROOT, "prefill %d tokens: %.2f ms (%.0f tokens/s) [%.2f .. %.2f ms]%n", promptTokens,
                        median(prefill), promptTokens * 1000.0 / median(prefill), min(prefill), max(prefill));
                out.printf(Locale.ROOT, "decode %d tokens: %.1f tokens/s [%.1f .. %.1f]%n", newTokens, median(decode),
                        min(decode), max(decode));
                out.flush();
            }
        }
        return 0;
    }

    /** "1 thread", "2 threads". */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}

package io.github.vectorlm.cli;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.TokenListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
            "  vectorlm bench --model gpt2 --threads 1 --prompt-tokens 128 --runs 5",
            "  vectorlm bench --parallel 1,4,8,16 --threads 1"})
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

    @Option(names = "--parallel", paramLabel = "N[,N...]", split = ",",
            description = "Measure the batching engine instead: aggregate and per-sequence decode tokens/s with N "
                    + "sequences generating at once, for each N given (e.g. 1,4,8,16).")
    private List<Integer> parallel;

    @Option(names = "--http",
            description = "With --parallel: also run each N through an OpenAI-compatible server in this process (N "
                    + "streaming clients, alternating with the direct runs) and print the HTTP/engine ratio.")
    private boolean http;

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
            if (parallel != null) {
                return benchParallel(model, vocab, out, err);
            }
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

    private int benchParallel(LanguageModel model, int vocab, PrintWriter out, PrintWriter err) throws Exception {
        int threads = modelOptions.threads != null ? modelOptions.threads : Runtime.getRuntime().availableProcessors();
        for (int n : parallel) {
            if (n < 1) {
                throw new CliException("--parallel " + n + ": need at least 1 sequence");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!json) {
            out.printf(Locale.ROOT, "%s, %d threads, %d prompt + %d new tokens per sequence, median of %d runs after %d "
                    + "warm-up%n", model.architecture(), threads, promptTokens, newTokens, runs, warmup);
            out.printf(Locale.ROOT, "%9s  %24s  %14s  %11s%n", "sequences", "aggregate decode tok/s", "per sequence",
                    "first token");
            out.flush();
        }
        if (http) {
            return benchHttp(model, vocab, threads, out);
        }
        for (int n : parallel) {
            ParallelBench.Figures f = ParallelBench.run(model, n, promptTokens, newTokens, warmup, runs, seed, vocab);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("sequences", n);
                o.put("aggregateDecodeTokensPerSecond", f.aggregateTokensPerSecond());
                o.put("aggregateRange", new double[] {f.minAggregate(), f.maxAggregate()});
                o.put("perSequenceDecodeTokensPerSecond", f.perSequenceTokensPerSecond());
                o.put("firstTokenMillis", f.firstTokenMillis());
                rows.add(o);
            } else {
                out.printf(Locale.ROOT, "%9d  %8.1f [%6.1f .. %6.1f]  %14.1f  %8.1f ms%n", n, f.aggregateTokensPerSecond(),
                        f.minAggregate(), f.maxAggregate(), f.perSequenceTokensPerSecond(), f.firstTokenMillis());
                out.flush();
            }
        }
        int busy = parallel.stream().mapToInt(Integer::intValue).max().orElse(1) - 1;
        double[] firstToken = busy > 0
                ? ParallelBench.firstTokenUnderLoad(model, busy, promptTokens, Math.max(3, runs), seed, vocab) : null;
        if (firstToken != null && !json) {
            out.printf(Locale.ROOT, "first token of a new %d-token prompt: %.1f ms on an idle engine, %.1f ms while %d "
                    + "others decode (%.2fx)%n", promptTokens, firstToken[0], firstToken[1], busy,
                    firstToken[1] / firstToken[0]);
            out.flush();
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("architecture", model.architecture());
            o.put("promptTokens", promptTokens);
            o.put("newTokens", newTokens);
            o.put("threads", threads);
            o.put("runs", runs);
            o.put("parallel", rows);
            if (firstToken != null) {
                o.put("firstTokenIdleMillis", firstToken[0]);
                o.put("firstTokenLoadedMillis", firstToken[1]);
                o.put("firstTokenLoadedSequences", busy);
            }
            Json.print(out, o);
        }
        return 0;
    }

    /** {@code --parallel N --http}: the engine and the same sequences through HTTP, run by run. */
    private int benchHttp(LanguageModel model, int vocab, int threads, PrintWriter out) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!json) {
            out.printf(Locale.ROOT, "%s, %d threads, %d prompt + %d new tokens per sequence, median [range] of %d "
                    + "runs after %d warm-up, engine and HTTP alternating%n", model.architecture(), threads, promptTokens,
                    newTokens, runs, warmup);
            out.printf(Locale.ROOT, "%9s  %26s  %26s  %22s%n", "sequences", "engine tok/s", "HTTP streams tok/s",
                    "HTTP / engine");
            out.flush();
        }
        for (int n : parallel) {
            HttpParallelBench.Runs r = HttpParallelBench.run(model, n, promptTokens, newTokens, warmup, runs, seed, vocab);
            double[] ratios = r.ratios();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("sequences", n);
                o.put("engineTokensPerSecond", r.engine());
                o.put("httpTokensPerSecond", r.http());
                o.put("httpOverEngine", ratios);
                o.put("medianHttpOverEngine", median(ratios));
                rows.add(o);
            } else {
                out.printf(Locale.ROOT, "%9d  %8.1f [%6.1f .. %6.1f]  %8.1f [%6.1f .. %6.1f]  %5.2f [%4.2f .. %4.2f]%n", n,
                        median(r.engine()), min(r.engine()), max(r.engine()), median(r.http()), min(r.http()),
                        max(r.http()), median(ratios), min(ratios), max(ratios));
                out.flush();
            }
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("architecture", model.architecture());
            o.put("promptTokens", promptTokens);
            o.put("newTokens", newTokens);
            o.put("threads", threads);
            o.put("runs", runs);
            o.put("http", rows);
            Json.print(out, o);
        }
        return 0;
    }

    /** "1 thread", "2 threads". */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The median of {@code v}. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}

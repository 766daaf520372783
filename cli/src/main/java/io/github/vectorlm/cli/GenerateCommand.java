package io.github.vectorlm.cli;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.ops.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm generate}: continues a prompt, streaming the text as it comes. */
@Command(name = "generate",
        header = "Generate text from a prompt, streamed as it comes.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Continues a prompt with a language model, printing the text as it is generated.",
            "",
            "Sampling applies temperature, then top-k, then top-p (as Hugging Face's generate does). "
                    + "--temperature 0 is greedy decoding (the most likely token each step). "
                    + "Generation stops after --max-new-tokens tokens, at the end-of-text token, at a --stop string, "
                    + "or when the context is full.",
            ""},
        footer = {
            "",
            "Output: the prompt, then each piece of text as soon as it is generated. With --json, nothing is streamed; "
                    + "one object is printed at the end:",
            "  {\"ids\": [generated ids only], \"text\": \"prompt + generated text\"}   (\"text\" when there is a tokenizer)",
            "",
            "Examples:",
            "  vectorlm generate --prompt \"ROMEO:\"",
            "  vectorlm generate --prompt \"ROMEO:\" --temperature 0 --json",
            "  vectorlm generate --model gpt2 --prompt \"Alan Turing\" --top-p 0.9 --seed 42",
            "  vectorlm generate --model out/ckpt.pt --ids 50256 --stop \"\\n\\n\"",
            "  vectorlm generate --prompts-file prompts.jsonl --parallel 8 --max-new-tokens 50",
            "  vectorlm generate --model 20B_checkpoints --config 20B.yml \\",
            "      --prompt \"Hello\" --int8 --threads 8"})
final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelOptions modelOptions = new ModelOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "The prompt text.")
        String text;

        @Option(names = "--ids", paramLabel = "IDS", required = true, converter = TokenIds.Converter.class,
                description = "The prompt as token ids, e.g. 464,2068 (no tokenizer needed).")
        TokenIds ids;

        @Option(names = "--prompts-file", paramLabel = "FILE", required = true,
                description = "Many prompts, one JSON object per line: {\"prompt\": \"...\"} or {\"ids\": [...]}, "
                        + "optionally with max_new_tokens, temperature, top_k, top_p, seed, stop (the options given "
                        + "here are the defaults). Run together by the batching engine; prints one JSON line per "
                        + "input, in input order: {\"index\", \"ids\" (new only), \"text\", \"finish_reason\": "
                        + "\"length\" | \"stop\" | \"context\"}.")
        Path file;
    }

    @Option(names = "--parallel", paramLabel = "N",
            description = "With --prompts-file: the most sequences generating at once. Default: 16.")
    private Integer parallel;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "200",
            description = "The most tokens to generate. Default: ${DEFAULT-VALUE}.")
    private int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "Divides the logits before sampling; 0 is greedy. Default: ${DEFAULT-VALUE}.")
    private double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "200",
            description = "Sample only from the K most likely tokens; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    private int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
            description = "Sample only from the most likely tokens whose probabilities add up to P; 1 turns it off. "
                    + "Default: ${DEFAULT-VALUE}.")
    private double topP;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of the sampler: the same seed gives the same text. Default: a random seed (shown with --verbose).")
    private Long seed;

    @Option(names = "--stop", paramLabel = "STR",
            description = "Stop when the generated text contains STR (which is not printed). Repeatable. "
                    + "Escapes \\n and \\t are understood.")
    private List<String> stop = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object at the end instead of streaming text.")
    private boolean json;

    /**
     * Prompts of up to this many tokens run on all of the pool's threads but one, and the pool is
     * whole again from the first generated token. This process's JVM is new: the JIT compiles the
     * kernels during the prompt's forward pass, and on a machine of few cores a pool thread
     * competing with the compiler delays the first token. Measured on 2 cores, cold starts with a
     * 16-token prompt, 12 alternating runs each: median 1.46 s to the first token against 1.61 with
     * both threads; with 512 tokens the two were equal (2.82 against 2.78 s, 5 runs each).
     */
    private static final int JIT_CORE_PROMPT_TOKENS = 512;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long usedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        SamplingOptions sampling = new SamplingOptions(temperature, topK, topP, usedSeed);
        GenerationOptions options = GenerationOptions.of(maxNewTokens, sampling)
                .withStopStrings(stop.stream().map(GenerateCommand::unescape).toArray(String[]::new));
        long loadStart = System.nanoTime();
        try (ProgressDisplay progress = root.progress();
                ModelOptions.LoadedModel loaded = modelOptions.load(root.context(), progress)) {
            long loadNanos = System.nanoTime() - loadStart;
            Tokenizer tokenizer = loaded.tokenizer();
            if (prompt.file != null) {
                int failed = JsonLinesJobs.generate(loaded.model(), tokenizer, prompt.file,
                        parallelism(parallel), options, seed == null, out, progress);
                return failed == 0 ? 0 : 1;
            }
            int[] promptIds = prompt.ids != null ? prompt.ids.values() : loaded.requireTokenizer("--prompt").encode(prompt.text);
            GenerationChecks.checkPrompt(promptIds, loaded.model()); // before the prompt is echoed
            String promptText = prompt.text != null ? prompt.text : tokenizer != null ? tokenizer.decode(promptIds) : null;
            ProgressReportingModel model = new ProgressReportingModel(loaded.model(), progress);
            model.expect("prompt", promptIds.length); // a bar when a long prompt takes a while
            Generator generator = new Generator(model, tokenizer);
            long[] firstToken = {0};
            TokenListener print = TokenListener.NONE;
            if (!json) {
                if (tokenizer != null) {
                    out.print(promptText);
                    out.flush();
                    print = (id, text) -> {
                        if (!text.isEmpty()) {
                            out.print(text);
                            out.flush();
                        }
                    };
                } else {
                    print = (id, text) -> {
                        if (id != TokenListener.END) {
                            out.print(id);
                            out.print(' ');
                            out.flush();
                        }
                    };
                }
            }
            TokenListener streamed = print;
            Parallel pool = loaded.pool();
            if (promptIds.length <= JIT_CORE_PROMPT_TOKENS) {
                pool.useThreads(Math.max(1, pool.threads() - 1));
            }
            TokenListener listener = (id, text) -> {
                if (firstToken[0] == 0) {
                    firstToken[0] = System.currentTimeMillis();
                    pool.useThreads(pool.threads());
                }
                streamed.onToken(id, text);
            };
            GenerationResult result;
            try {
                result = generator.generate(promptIds, options, listener);
            } finally {
                pool.useThreads(pool.threads());
            }
            if (json) {
                Map<String, Object> object = new LinkedHashMap<>();
                object.put("ids", result.ids());
                if (tokenizer != null) {
                    object.put("text", promptText + result.text());
                }
                Json.print(out, object);
            } else {
                out.println();
                out.flush();
            }
            String note = GenerationChecks.earlyStopNote(result, maxNewTokens, loaded.model().contextLength());
            if (note != null) {
                err.println(note);
                err.flush();
            }
            if (root.verbose()) {
                err.printf(Locale.ROOT, "%d prompt tokens, %d generated (%s); load %.0f ms, prefill %.1f ms, %s; "
                        + "first token %s; seed %d%n",
                        promptIds.length, result.ids().length, result.stopReason(), loadNanos / 1e6, result.prefillMillis(),
                        GenerationChecks.decodeRate(result), StartupClock.describe(firstToken[0]), usedSeed);
                err.flush();
            }
        }
        return 0;
    }

    /** {@code --parallel}, checked, or the engine's default. */
    static int parallelism(Integer parallel) {
        if (parallel == null) {
            return io.github.vectorlm.generation.EngineOptions.DEFAULT_SEQUENCES;
        }
        if (parallel < 1) {
            throw new CliException("--parallel " + parallel + ": need at least 1");
        }
        return parallel;
    }

    /** {@code \n}, {@code \t} and {@code \\} typed on the command line. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                switch (next) {
                    case 'n' -> { sb.append('\n'); i++; continue; }
                    case 't' -> { sb.append('\t'); i++; continue; }
                    case '\\' -> { sb.append('\\'); i++; continue; }
                    default -> { }
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}

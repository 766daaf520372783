package io.github.vectorlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.ProgressListener;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code generate --prompts-file} and {@code score --texts-file}: one JSON object per input line
 * through the batching {@link Engine}, one JSON line out per input, in input order. A line that
 * cannot be run (not JSON, no prompt, too long, …) gets {@code {"index": i, "error": "…"}} and the
 * others go on; the command then exits with status 1. Progress (lines done of the file's non-blank
 * lines) goes to a {@link ProgressListener}: the command's {@link ProgressDisplay} on stderr.
 */
final class JsonLinesJobs {
    private JsonLinesJobs() {
    }

    /** One input's result, in order: its future, or the error its line had. */
    private record Pending(int index, CompletableFuture<Map<String, Object>> result, String error) {
    }

    /**
     * Runs every line of {@code file} as a generation request: {@code {"prompt": "…"}} or
     * {@code {"ids": […]}}, optionally {@code max_new_tokens}, {@code temperature}, {@code top_k},
     * {@code top_p}, {@code seed}, {@code stop} (a string or an array); {@code defaults} fill the rest.
     *
     * @return the number of lines that failed
     */
    static int generate(LanguageModel model, Tokenizer tokenizer, Path file, int parallel, GenerationOptions defaults,
            boolean randomSeed, PrintWriter out, ProgressListener progress) throws IOException {
        try (Engine engine = Engine.start(model, EngineOptions.forSequences(model, parallel))) {
            return run(file, parallel, out, progress, line -> {
                int[] prompt = ids(line, "prompt", tokenizer);
                GenerationOptions options = options(line, defaults, randomSeed);
                CompletableFuture<GenerationResult> f = engine.submit(prompt, options, TokenListener.NONE);
                return f.thenApply(g -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("ids", g.ids());
                    if (tokenizer != null) {
                        String promptText = line.hasNonNull("prompt") ? line.get("prompt").asText()
                                : tokenizer.decode(prompt);
                        o.put("text", promptText + g.text());
                    }
                    o.put("finish_reason", switch (g.stopReason()) {
                        case MAX_TOKENS -> "length";
                        case STOP_TOKEN, STOP_STRING -> "stop";
                        case CONTEXT_FULL -> "context";
                    });
                    return o;
                });
            });
        }
    }

    /**
     * Scores every line of {@code file}: {@code {"text": "…"}} or {@code {"ids": […]}}, each of at
     * most the model's context (one window); prints tokens, loss and perplexity.
     *
     * @return the number of lines that failed
     */
    static int score(LanguageModel model, Tokenizer tokenizer, Path file, int parallel, PrintWriter out,
            ProgressListener progress) throws IOException {
        try (Engine engine = Engine.start(model, EngineOptions.forSequences(model, parallel))) {
            return run(file, parallel, out, progress, line -> {
                int[] ids = ids(line, "text", tokenizer);
                if (ids.length > model.contextLength()) {
                    throw new IllegalArgumentException("the text has " + ids.length + " tokens but the context holds "
                            + model.contextLength() + ": score it alone with --file (a sliding window)");
                }
                CompletableFuture<Scorer.Score> f = engine.score(ids);
                return f.thenApply(s -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("tokens", s.tokens());
                    o.put("loss", s.loss());
                    o.put("perplexity", s.perplexity());
                    return o;
                });
            });
        }
    }

    /** Reads lines, submits each, prints results in order with at most a few times {@code parallel} in flight. */
    private static int run(Path file, int parallel, PrintWriter out, ProgressListener progress,
            Function<JsonNode, CompletableFuture<Map<String, Object>>> submit) throws IOException {
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        int failed = 0;
        Progress shown = new Progress(file.getFileName() + " lines", inputLines(file), progress);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int index = 0;
            int lineNumber = 0;
            for (String text; (text = reader.readLine()) != null; ) {
                lineNumber++;
                if (text.isBlank()) {
                    continue;
                }
                Pending p;
                try {
                    JsonNode line = Json.mapper().readTree(text);
                    if (line == null || !line.isObject()) {
                        throw new IllegalArgumentException("not a JSON object");
                    }
                    p = new Pending(index, submit.apply(line), null);
                } catch (IOException | RuntimeException e) {
                    p = new Pending(index, null, file + " line " + lineNumber + ": " + message(e));
                }
                pending.add(p);
                index++;
                while (pending.size() > 2 * parallel) {
                    failed += print(pending.poll(), out);
                    shown.oneMore();
                }
            }
        } catch (NoSuchFileException e) {
            throw new CliException("no such file: " + file);
        }
        while (!pending.isEmpty()) {
            failed += print(pending.poll(), out);
            shown.oneMore();
        }
        return failed;
    }

    /** The file's non-blank lines: the progress total (one quick pass before the slow one). */
    private static long inputLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.filter(l -> !l.isBlank()).count();
        } catch (NoSuchFileException e) {
            throw new CliException("no such file: " + file);
        } catch (UncheckedIOException e) {
            return -1; // not UTF-8 throughout: the slow pass reports the line; the total is unknown
        }
    }

    /** Lines printed so far, reported as they are printed. */
    private static final class Progress {
        private final String task;
        private final long total;
        private final ProgressListener listener;
        private long done;

        Progress(String task, long total, ProgressListener listener) {
            this.task = task;
            this.total = total;
            this.listener = listener;
            listener.progress(task, 0, total);
        }

        void oneMore() {
            listener.progress(task, ++done, total);
        }
    }

    private static int print(Pending p, PrintWriter out) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("index", p.index());
        String error = p.error();
        if (error == null) {
            try {
                o.putAll(p.result().join());
            } catch (CompletionException e) {
                error = "input " + p.index() + ": " + message(e.getCause());
            }
        }
        if (error != null) {
            o.put("error", error);
        }
        Json.print(out, o);
        return error == null ? 0 : 1;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int source = m.indexOf("\n at [Source"); // Jackson's position note: the line number says where
        return (source > 0 ? m.substring(0, source) : m).replace('\n', ' ');
    }

    /** The ids of a line: {@code ids}, or the text under {@code textKey} encoded. */
    private static int[] ids(JsonNode line, String textKey, Tokenizer tokenizer) {
        JsonNode ids = line.get("ids");
        JsonNode text = line.get(textKey);
        if (ids != null && text != null) {
            throw new IllegalArgumentException("give \"" + textKey + "\" or \"ids\", not both");
        }
        if (ids != null) {
            if (!ids.isArray()) {
                throw new IllegalArgumentException("\"ids\" must be an array of token ids");
            }
            int[] out = new int[ids.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode id = ids.get(i);
                if (!id.canConvertToInt()) {
                    throw new IllegalArgumentException("\"ids\"[" + i + "] is not a token id: " + id);
                }
                out[i] = id.intValue();
            }
            return out;
        }
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException("no \"" + textKey + "\" (a string) or \"ids\" (an array)");
        }
        if (tokenizer == null) {
            throw new IllegalArgumentException("the model has no tokenizer: give \"ids\"");
        }
        return tokenizer.encode(text.asText());
    }

    /** The line's options over the command line's. */
    private static GenerationOptions options(JsonNode line, GenerationOptions defaults, boolean randomSeed) {
        SamplingOptions s = defaults.sampling();
        double temperature = number(line, "temperature", s.temperature());
        int topK = (int) number(line, "top_k", s.topK());
        double topP = number(line, "top_p", s.topP());
        long seed = line.has("seed") ? (long) number(line, "seed", 0)
                : randomSeed ? ThreadLocalRandom.current().nextLong() : s.seed();
        int maxNew = (int) number(line, "max_new_tokens", defaults.maxNewTokens());
        GenerationOptions o = GenerationOptions.of(maxNew, new SamplingOptions(temperature, topK, topP, seed))
                .withStopStrings(defaults.stopStrings().toArray(String[]::new));
        JsonNode stop = line.get("stop");
        if (stop != null) {
            List<String> stops = new ArrayList<>();
            if (stop.isTextual()) {
                stops.add(stop.asText());
            } else if (stop.isArray()) {
                stop.forEach(n -> {
                    if (!n.isTextual()) {
                        throw new IllegalArgumentException("\"stop\" must be a string or an array of strings");
                    }
                    stops.add(n.asText());
                });
            } else {
                throw new IllegalArgumentException("\"stop\" must be a string or an array of strings");
            }
            o = o.withStopStrings(stops.toArray(String[]::new));
        }
        return o;
    }

    private static double number(JsonNode line, String key, double fallback) {
        JsonNode n = line.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a number, got " + n);
        }
        return n.doubleValue();
    }
}

package io.github.vectorlm.bench.model;

import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.ops.Parallel;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole-model tokens/s of a model folder: greedy decode with the KV cache, and batched prefill.
 * Prints one JSON object on stdout; {@code benchmarks/compare-models.sh} runs it beside PyTorch
 * ({@code benchmarks/scripts/torch_model_bench.py}, which measures the same work).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     io.github.vectorlm.bench.model.ModelBench --model DIR [--threads 1] [--int8 | --quantize q8_0|q4_0]
 *     [--runs 5] [--warmup 2]
 *     [--prompt 16] [--new-tokens 128] [--prefill 128,512]
 * java ... ModelBench generate --model DIR --ids 1,2,3 [--max-new-tokens 8] [--threads 1] [--int8]
 *     [--launched-ms EPOCH_MS]
 * </pre>
 *
 * <p>{@code bench} (the default) loads the model once, then repeats warm-up and measured rounds;
 * each round runs, on a reset (empty) session each:
 * <ul>
 *   <li>decode: the prompt's prefill (timed on its own as {@code prompt_prefill}), then
 *       {@code new-tokens} one-token decode steps, each fed the argmax of the logits before it;
 *       only these steps are timed. The greedy ids (the prompt prefill's argmax, then each step's)
 *       are printed for comparison with PyTorch's;
 *   <li>prefill: each length of {@code --prefill} as one forward of that many tokens.
 * </ul>
 * With the weight bytes a decode step reads ({@link WeightTraffic}), decode tokens/s gives the
 * implied read bandwidth. Prompt ids are {@link #benchIds}, the same formula as the PyTorch script.
 *
 * <p>{@code generate} is a cold-start probe (time to first token and resident memory of one fresh
 * JVM): it loads the model, prefills the ids, decodes the rest greedily, and reports the times
 * (since {@code --launched-ms}, the launcher's clock, when given) and the resident set from
 * {@code /proc/self/status}.
 */
public final class ModelBench {
    private ModelBench() {
    }

    /** Runs the benchmark; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String mode = !rest.isEmpty() && !rest.getFirst().startsWith("--") ? rest.removeFirst() : "bench";
        Map<String, String> options = parse(rest);
        Path model = Path.of(require(options, "model"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "1"));
        boolean int8 = options.containsKey("int8");
        switch (mode) {
            case "bench" -> bench(model, threads, int8, options);
            case "generate" -> generate(model, threads, int8, options);
            default -> throw new IllegalArgumentException("unknown mode '" + mode + "': bench or generate");
        }
    }

    private static void bench(Path folder, int threads, boolean int8, Map<String, String> options)
            throws IOException {
        int runs = Integer.parseInt(options.getOrDefault("runs", "5"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
        int promptLength = Integer.parseInt(options.getOrDefault("prompt", "16"));
        int newTokens = Integer.parseInt(options.getOrDefault("new-tokens", "128"));
        int[] prefillLengths = Arrays.stream(options.getOrDefault("prefill", "128,512").split(","))
                .filter(n -> !n.isBlank()).mapToInt(Integer::parseInt).toArray();

        try (Parallel parallel = Parallel.create(threads)) {
            long loadStart = System.nanoTime();
            BlockType blocks = options.containsKey("quantize")
                    ? BlockType.valueOf(options.get("quantize").toUpperCase(java.util.Locale.ROOT)) : null;
            LoadOptions load = LoadOptions.defaults().withParallel(parallel).withInt8(int8).withQuantize(blocks);
            try (LanguageModel model = LanguageModels.load(folder, load)) {
                double loadMs = (System.nanoTime() - loadStart) / 1e6;
                WeightTraffic traffic = WeightTraffic.of(folder, model.architecture(), int8, blocks);
                int vocab = model.vocabSize();
                float[] logits = new float[vocab];
                int[] prompt = benchIds(promptLength, vocab);
                int[][] prefillIds = new int[prefillLengths.length][];
                for (int i = 0; i < prefillLengths.length; i++) {
                    prefillIds[i] = benchIds(prefillLengths[i], vocab);
                }
                Session decodeSession = model.newSession();
                Session prefillSession = model.newSession();
                int[] greedy = new int[newTokens + 1];
                long[] stepNanos = new long[Math.max(1, runs * newTokens)];

                double[] decodeRate = new double[runs];
                double[] promptRate = new double[runs];
                double[][] prefillRate = new double[prefillLengths.length][runs];
                long gcCount = 0;
                long gcMillis = 0;
                for (int round = -warmup; round < runs; round++) {
                    long[] gcBefore = gc();
                    decodeSession.reset();
                    long t0 = System.nanoTime();
                    model.forward(decodeSession, prompt, 0, prompt.length, logits);
                    long t1 = System.nanoTime();
                    int[] token = {argmax(logits, vocab)};
                    greedy[0] = token[0];
                    long t2 = System.nanoTime();
                    long stepStart = t2;
                    for (int step = 0; step < newTokens; step++) {
                        model.forward(decodeSession, token, 0, 1, logits);
                        token[0] = argmax(logits, vocab);
                        greedy[step + 1] = token[0];
                        long now = System.nanoTime();
                        if (round >= 0) {
                            stepNanos[round * newTokens + step] = now - stepStart;
                        }
                        stepStart = now;
                    }
                    long t3 = System.nanoTime();
                    double[] prefill = new double[prefillLengths.length];
                    for (int i = 0; i < prefillLengths.length; i++) {
                        prefillSession.reset();
                        long p0 = System.nanoTime();
                        model.forward(prefillSession, prefillIds[i], 0, prefillIds[i].length, logits);
                        prefill[i] = prefillIds[i].length / ((System.nanoTime() - p0) / 1e9);
                    }
                    long[] gcAfter = gc();
                    if (round >= 0) {
                        promptRate[round] = prompt.length / ((t1 - t0) / 1e9);
                        decodeRate[round] = newTokens / ((t3 - t2) / 1e9);
                        for (int i = 0; i < prefillLengths.length; i++) {
                            prefillRate[i][round] = prefill[i];
                        }
                        gcCount += gcAfter[0] - gcBefore[0];
                        gcMillis += gcAfter[1] - gcBefore[1];
                    }
                }

                Stats decode = Stats.of(decodeRate);
                // quantized matrices are arena copies, not the file
                double[] fileRead = int8 || blocks != null ? null
                        : WeightTraffic.fileReadRates(folder, model.architecture(), parallel, 5);
                Json json = new Json().beginObject()
                        .field("impl", "vectorlm")
                        .field("model", folder.toString())
                        .field("architecture", model.architecture())
                        .field("weights", int8 ? "int8" : blocks != null ? blocks.name().toLowerCase()
                                : traffic.matrixDType().name().toLowerCase())
                        .field("threads", threads)
                        .field("runs", runs)
                        .field("warmup", warmup)
                        .field("java", Runtime.version().toString())
                        .field("load_ms", loadMs)
                        .field("weight_bytes_per_token", traffic.bytes());
                if (fileRead != null) {
                    json.key("weights_file_read_gb_per_s");
                    Stats.of(fileRead).writeTo(json);
                }
                json.key("decode").beginObject()
                        .field("prompt_tokens", prompt.length)
                        .field("new_tokens", newTokens);
                json.key("tokens_per_s");
                decode.writeTo(json);
                json.key("gb_per_s");
                decode.scaled(traffic.bytes() / 1e9).writeTo(json);
                // one decode step's time over all measured steps: a long tail at 2 threads on a busy
                // machine means steps waiting for a descheduled worker
                long[] sorted = stepNanos.clone();
                Arrays.sort(sorted);
                json.key("step_ms").beginObject()
                        .field("p10", percentile(sorted, 0.10) / 1e6)
                        .field("p50", percentile(sorted, 0.50) / 1e6)
                        .field("p90", percentile(sorted, 0.90) / 1e6)
                        .field("p99", percentile(sorted, 0.99) / 1e6)
                        .field("max", sorted[sorted.length - 1] / 1e6)
                        .field("mean", Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6)
                        .endObject();
                json.endObject();
                json.key("prompt_prefill").beginObject().field("tokens", prompt.length).key("tokens_per_s");
                Stats.of(promptRate).writeTo(json);
                json.endObject();
                json.key("prefill").beginArray();
                for (int i = 0; i < prefillLengths.length; i++) {
                    json.beginObject().field("tokens", prefillLengths[i]).key("tokens_per_s");
                    Stats.of(prefillRate[i]).writeTo(json);
                    json.endObject();
                }
                json.endArray();
                json.field("greedy_ids", greedy)
                        .field("gc_collections_measured", gcCount)
                        .field("gc_ms_measured", gcMillis);
                memory(json);
                System.out.println(json.endObject());
            }
        }
    }

    private static void generate(Path folder, int threads, boolean int8, Map<String, String> options)
            throws IOException {
        long mainNanos = System.nanoTime();
        // the launching shell's clock (date +%s%3N) just before exec; /proc's process start time
        // (ProcessHandle.Info.startInstant) is only good to a second, as it counts from the boot time
        String launched = options.get("launched-ms");
        double startToMain = launched == null ? Double.NaN : System.currentTimeMillis() - Long.parseLong(launched);
        int[] ids = Arrays.stream(require(options, "ids").split(",")).map(String::trim)
                .mapToInt(Integer::parseInt).toArray();
        int maxNew = Integer.parseInt(options.getOrDefault("max-new-tokens", "8"));
        try (Parallel parallel = Parallel.create(threads)) {
            LoadOptions load = LoadOptions.defaults().withParallel(parallel).withInt8(int8);
            try (LanguageModel model = LanguageModels.load(folder, load)) {
                long loaded = System.nanoTime();
                int vocab = model.vocabSize();
                float[] logits = new float[vocab];
                // sized for the job, as the command line's generator does
                Session session = model.newSession(Math.min(model.contextLength(), ids.length + maxNew));
                model.forward(session, ids, 0, ids.length, logits);
                int[] token = {argmax(logits, vocab)};
                long first = System.nanoTime();
                int[] generated = new int[maxNew];
                generated[0] = token[0];
                for (int i = 1; i < maxNew; i++) {
                    model.forward(session, token, 0, 1, logits);
                    token[0] = argmax(logits, vocab);
                    generated[i] = token[0];
                }
                long end = System.nanoTime();
                Json json = new Json().beginObject()
                        .field("impl", "vectorlm")
                        .field("model", folder.toString())
                        .field("architecture", model.architecture())
                        .field("threads", threads)
                        .field("int8", int8)
                        .field("launch_to_main_ms", startToMain)
                        .field("load_ms", (loaded - mainNanos) / 1e6)
                        .field("first_token_after_load_ms", (first - loaded) / 1e6)
                        .field("first_token_since_launch_ms", startToMain + (first - mainNanos) / 1e6)
                        .field("decode_tokens_per_s", maxNew > 1 ? (maxNew - 1) / ((end - first) / 1e9) : Double.NaN)
                        .field("ids", generated);
                memory(json);
                System.out.println(json.endObject());
            }
        }
    }

    /**
     * The benchmark's token ids: {@code (1000 + 7919·i) mod min(vocab, 50000)}, spread over the
     * vocabulary and the same in {@code torch_model_bench.py}.
     */
    static int[] benchIds(int n, int vocab) {
        int[] ids = new int[n];
        int mod = Math.min(vocab, 50_000);
        for (int i = 0; i < n; i++) {
            ids[i] = (int) ((1000L + 7919L * i) % mod);
        }
        return ids;
    }

    /** The value at quantile {@code q} of ascending {@code sorted} (nearest rank). */
    static long percentile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The first index of the largest logit, as {@code torch.argmax}. */
    static int argmax(float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Collections and milliseconds of every collector so far. */
    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            millis += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** The resident set (now, peak, anonymous, file-backed) and the heap, in bytes. */
    private static void memory(Json json) {
        Runtime rt = Runtime.getRuntime();
        json.field("heap_used_bytes", rt.totalMemory() - rt.freeMemory())
                .field("heap_committed_bytes", rt.totalMemory());
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                for (String key : List.of("VmRSS", "VmHWM", "RssAnon", "RssFile")) {
                    if (line.startsWith(key + ":")) {
                        long kb = Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                        json.field(key.toLowerCase() + "_bytes", kb * 1024);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            json.field("memory_error", e.toString());
        }
    }

    private static Map<String, String> parse(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected an --option, got '" + a + "'");
            }
            String name = a.substring(2);
            if (name.equals("int8")) { // the one flag without a value
                options.put(name, "true");
            } else if (i + 1 < args.size()) {
                options.put(name, args.get(++i));
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}

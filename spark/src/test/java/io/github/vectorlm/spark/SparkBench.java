package io.github.vectorlm.spark;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One measurement of benchmarks/compare-spark.sh per JVM, printed as one JSON line:
 * <ul>
 *   <li>{@code engine MODEL TEXTS N THREADS}: the first N paragraphs of TEXTS scored in process by
 *       one {@link Engine} (kernels on THREADS threads), all submitted at once;</li>
 *   <li>{@code score MODEL TEXTS N CORES}: the same texts through {@link VectorLmScorer} in
 *       {@code local[CORES]} ({@code spark.vectorlm.threads=CORES}, 2 partitions per core);</li>
 *   <li>{@code preprocess CORPUS TOKENIZER CORES PREFIX}: {@link PreprocessJob} in
 *       {@code local[CORES]}, 2 partitions per core.</li>
 * </ul>
 * Each times a second pass after a first (warm-up) one in the same JVM: JIT, model load and
 * Spark start excluded. Not a test: run by the script with the test class path.
 */
public final class SparkBench {
    private SparkBench() {
    }

    /** See the class comment. */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "engine" -> engine(Path.of(args[1]), texts(Path.of(args[2]), Integer.parseInt(args[3])), Integer.parseInt(args[4]));
            case "score" -> score(args[1], texts(Path.of(args[2]), Integer.parseInt(args[3])), Integer.parseInt(args[4]));
            case "preprocess" -> preprocess(args[1], args[2], Integer.parseInt(args[3]), args[4]);
            default -> throw new IllegalArgumentException("engine | score | preprocess, got " + args[0]);
        }
        System.exit(0);
    }

    private static List<String> texts(Path file, int n) throws Exception {
        List<String> out = Arrays.stream(Files.readString(file).split("\n\n")).filter(p -> !p.isBlank()).limit(n).toList();
        if (out.size() < n) {
            throw new IllegalArgumentException(file + " has only " + out.size() + " paragraphs");
        }
        return out;
    }

    private static void engine(Path model, List<String> texts, int threads) throws Exception {
        try (LanguageModel m = LanguageModels.load(model, LoadOptions.defaults().withThreads(threads));
                Engine engine = Engine.start(m, EngineOptions.defaults(m))) {
            Tokenizer tokenizer = m.tokenizer().orElseThrow();
            long tokens = 0;
            double seconds = 0;
            for (int pass = 0; pass < 2; pass++) {
                long start = System.nanoTime();
                List<CompletableFuture<Scorer.Score>> scores = new ArrayList<>();
                for (String t : texts) {
                    int[] ids = tokenizer.encode(t);
                    if (ids.length >= 2 && ids.length <= m.contextLength()) { // as VectorLmScorer: others get nulls
                        scores.add(engine.score(ids));
                    }
                }
                tokens = 0;
                for (CompletableFuture<Scorer.Score> s : scores) {
                    tokens += s.join().tokens();
                }
                seconds = (System.nanoTime() - start) / 1e9;
            }
            print("engine", threads, seconds, texts.size(), tokens);
        }
    }

    private static SparkSession session(int cores) {
        return SparkSession.builder().master("local[" + cores + "]").appName("SparkBench")
                .config("spark.ui.enabled", "false").config("spark.vectorlm.threads", String.valueOf(cores))
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    private static void score(String model, List<String> texts, int cores) {
        SparkSession spark = session(cores);
        Dataset<Row> df = spark.createDataset(texts, Encoders.STRING()).toDF("text").repartition(2 * cores).cache();
        df.count();
        double seconds = 0;
        long tokens = 0;
        for (int pass = 0; pass < 2; pass++) {
            long start = System.nanoTime();
            List<Row> rows = new VectorLmScorer().setModelPath(model).setInputCol("text").transform(df)
                    .select("tokens", "loss").collectAsList();
            seconds = (System.nanoTime() - start) / 1e9;
            tokens = rows.stream().filter(r -> !r.isNullAt(1)).mapToLong(r -> r.getInt(0)).sum(); // scored ones
        }
        print("spark-score", cores, seconds, texts.size(), tokens);
        spark.stop();
    }

    private static void preprocess(String corpus, String tokenizer, int cores, String prefix) throws Exception {
        SparkSession spark = session(cores);
        double seconds = 0;
        long bytes = Files.size(Path.of(corpus));
        for (int pass = 0; pass < 2; pass++) {
            long start = System.nanoTime();
            PreprocessJob.run(spark, new String[] {"--input", corpus, "--tokenizer", tokenizer, "--output-prefix", prefix,
                "--append-eod", "--partitions", String.valueOf(2 * cores)});
            seconds = (System.nanoTime() - start) / 1e9;
        }
        System.out.printf("{\"mode\": \"spark-preprocess\", \"cores\": %d, \"seconds\": %.4f, \"mb_per_s\": %.3f}%n",
                cores, seconds, bytes / 1e6 / seconds);
        spark.stop();
    }

    private static void print(String mode, int cores, double seconds, int texts, long tokens) {
        System.out.printf("{\"mode\": \"%s\", \"cores\": %d, \"seconds\": %.4f, \"texts\": %d, \"tokens\": %d, "
                + "\"tokens_per_s\": %.1f}%n", mode, cores, seconds, texts, tokens, tokens / seconds);
    }
}

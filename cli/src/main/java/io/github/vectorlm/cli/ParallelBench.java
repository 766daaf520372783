package io.github.vectorlm.cli;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.TokenListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * {@code vectorlm bench --parallel 1,4,8,16}: decode throughput of the batching engine with that
 * many sequences generating at once. Each run submits the sequences together (random prompts,
 * greedy decoding of exactly {@code newTokens} tokens) and takes the decode phase: from the first
 * sequence's first token to the last sequence's end.
 */
final class ParallelBench {
    /** One parallelism's figures: medians over the runs, and the range of the aggregate. */
    record Figures(int sequences, double aggregateTokensPerSecond, double minAggregate, double maxAggregate,
            double perSequenceTokensPerSecond, double firstTokenMillis) {
    }

    private ParallelBench() {
    }

    static Figures run(LanguageModel model, int sequences, int promptTokens, int newTokens, int warmup, int runs,
            long seed, int vocab) {
        EngineOptions options = EngineOptions.forSequences(model, sequences);
        GenerationOptions generation = GenerationOptions.greedy(newTokens).withStopTokens();
        double[] aggregate = new double[runs];
        double[] perSequence = new double[runs];
        double[] firstToken = new double[runs];
        try (Engine engine = Engine.start(model, options)) {
            for (int r = -warmup; r < runs; r++) {
                SplittableRandom random = new SplittableRandom(seed + r);
                List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
                for (int s = 0; s < sequences; s++) {
                    futures.add(engine.submit(random.ints(promptTokens, 0, vocab).toArray(), generation,
                            TokenListener.NONE));
                }
                double firstStart = Double.MAX_VALUE;
                double lastEnd = 0;
                long decoded = 0;
                double rates = 0;
                double firsts = 0;
                for (CompletableFuture<GenerationResult> f : futures) {
                    GenerationResult g = f.join();
                    double first = g.prefillMillis(); // from submission to the first token
                    firstStart = Math.min(firstStart, first);
                    lastEnd = Math.max(lastEnd, first + g.decodeMillis());
                    decoded += g.ids().length - 1;
                    rates += g.decodeTokensPerSecond();
                    firsts += first;
                }
                if (r >= 0) {
                    aggregate[r] = decoded * 1000.0 / (lastEnd - firstStart);
                    perSequence[r] = rates / sequences;
                    firstToken[r] = firsts / sequences;
                }
            }
        }
        return new Figures(sequences, BenchCommand.median(aggregate), BenchCommand.min(aggregate),
                BenchCommand.max(aggregate), BenchCommand.median(perSequence), BenchCommand.median(firstToken));
    }

    /**
     * Time to the first token of a new request on an idle engine and while {@code busy} other
     * sequences are decoding (median of {@code runs} each, after a warm-up), in milliseconds.
     */
    static double[] firstTokenUnderLoad(LanguageModel model, int busy, int promptTokens, int runs, long seed,
            int vocab) throws InterruptedException {
        EngineOptions options = EngineOptions.forSequences(model, busy + 1);
        GenerationOptions probe = GenerationOptions.greedy(1).withStopTokens();
        double[] idle = new double[runs];
        double[] loaded = new double[runs];
        try (Engine engine = Engine.start(model, options)) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int r = -1; r < runs; r++) {
                double t = firstToken(engine, random.ints(promptTokens, 0, vocab).toArray(), probe);
                if (r >= 0) {
                    idle[r] = t;
                }
            }
            // long enough to outlast the probes (a few passes each), short enough to keep the caches small
            int longRun = Math.min(256, model.contextLength() - promptTokens);
            GenerationOptions background = GenerationOptions.greedy(longRun).withStopTokens();
            CountDownLatch decoding = new CountDownLatch(busy);
            List<CompletableFuture<GenerationResult>> others = new ArrayList<>();
            for (int b = 0; b < busy; b++) {
                boolean[] counted = {false};
                others.add(engine.submit(random.ints(promptTokens, 0, vocab).toArray(), background, (id, text) -> {
                    if (!counted[0]) {
                        counted[0] = true;
                        decoding.countDown();
                    }
                }));
            }
            decoding.await();
            for (int r = -1; r < runs; r++) {
                double t = firstToken(engine, random.ints(promptTokens, 0, vocab).toArray(), probe);
                if (r >= 0) {
                    loaded[r] = t;
                }
            }
            others.forEach(f -> f.cancel(true));
        }
        return new double[] {BenchCommand.median(idle), BenchCommand.median(loaded)};
    }

    private static double firstToken(Engine engine, int[] prompt, GenerationOptions options) {
        long start = System.nanoTime();
        long[] first = {0};
        engine.submit(prompt, options, (id, text) -> {
            if (first[0] == 0) {
                first[0] = System.nanoTime();
            }
        }).join();
        return (first[0] - start) / 1e6;
    }
}

package io.github.vectorlm.cli;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.server.OpenAiServer;
import io.github.vectorlm.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * {@code vectorlm bench --parallel N --http}: what the HTTP layer costs. One engine and one
 * {@link OpenAiServer} on it, in this process; each run first submits N sequences to the engine
 * directly, then sends the same N prompts as N streaming {@code /v1/completions} requests at once
 * (java.net.http clients, {@code ignore_eos}: exactly {@code newTokens} each), so the two sides
 * share the JIT, the engine and the minute. Both aggregates are counted the same way: tokens after
 * each sequence's first, over the time from the earliest first token to the latest last one, as
 * seen by the listener (engine) or by the client (HTTP).
 */
final class HttpParallelBench {
    /**
     * Per measured run: the engine's aggregate, the HTTP one, and their ratio.
     *
     * @param engine tokens/s submitted directly
     * @param http tokens/s through HTTP
     */
    record Runs(double[] engine, double[] http) {
        double[] ratios() {
            double[] r = new double[engine.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = http[i] / engine[i];
            }
            return r;
        }
    }

    private HttpParallelBench() {
    }

    static Runs run(LanguageModel model, int sequences, int promptTokens, int newTokens, int warmup, int runs, long seed,
            int vocab) throws Exception {
        double[] engineRates = new double[runs];
        double[] httpRates = new double[runs];
        GenerationOptions generation = GenerationOptions.greedy(newTokens).withStopTokens();
        try (Engine engine = Engine.start(model, EngineOptions.forSequences(model, sequences));
                OpenAiServer server = OpenAiServer.start(model, engine, ServerOptions.defaults("bench").withPort(0),
                        line -> { });
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                ExecutorService clients = Executors.newFixedThreadPool(sequences)) {
            for (int r = -warmup; r < runs; r++) {
                SplittableRandom random = new SplittableRandom(seed + r);
                List<int[]> prompts = new ArrayList<>();
                for (int s = 0; s < sequences; s++) {
                    prompts.add(random.ints(promptTokens, 0, vocab).toArray());
                }
                double direct = direct(engine, prompts, generation);
                double viaHttp = viaHttp(http, clients, server.port(), prompts, newTokens);
                if (r >= 0) {
                    engineRates[r] = direct;
                    httpRates[r] = viaHttp;
                }
            }
        }
        return new Runs(engineRates, httpRates);
    }

    /** The aggregate of N sequences submitted to the engine at once, timed by their listeners. */
    private static double direct(Engine engine, List<int[]> prompts, GenerationOptions generation) {
        long[][] times = new long[prompts.size()][2];
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        for (int s = 0; s < prompts.size(); s++) {
            long[] t = times[s];
            futures.add(engine.submit(prompts.get(s), generation, (id, text) -> {
                if (id != TokenListener.END) {
                    long now = System.nanoTime();
                    if (t[0] == 0) {
                        t[0] = now;
                    }
                    t[1] = now;
                }
            }));
        }
        long decoded = 0;
        for (CompletableFuture<GenerationResult> f : futures) {
            decoded += f.join().ids().length - 1;
        }
        return aggregate(times, decoded);
    }

    /** The aggregate of N streaming requests sent at once, timed by the clients as events arrive. */
    private static double viaHttp(HttpClient http, ExecutorService clients, int port, List<int[]> prompts, int newTokens)
            throws Exception {
        long[][] times = new long[prompts.size()][2];
        CountDownLatch ready = new CountDownLatch(prompts.size());
        List<Future<Integer>> streams = new ArrayList<>();
        for (int s = 0; s < prompts.size(); s++) {
            String ids = Arrays.stream(prompts.get(s)).mapToObj(Integer::toString).collect(Collectors.joining(","));
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"bench\", \"prompt\": [" + ids
                            + "], \"max_tokens\": " + newTokens + ", \"temperature\": 0, \"ignore_eos\": true,"
                            + " \"stream\": true}"))
                    .build();
            long[] t = times[s];
            streams.add(clients.submit(() -> {
                ready.countDown();
                ready.await();
                HttpResponse<java.util.stream.Stream<String>> response = http.send(request,
                        HttpResponse.BodyHandlers.ofLines());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + response.statusCode() + " from the server");
                }
                int tokens = 0;
                try (java.util.stream.Stream<String> lines = response.body()) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith("data: {") && line.contains("\"finish_reason\":null")) {
                            long now = System.nanoTime();
                            if (t[0] == 0) {
                                t[0] = now;
                            }
                            t[1] = now;
                            tokens++;
                        }
                    }
                }
                return tokens;
            }));
        }
        long decoded = 0;
        for (Future<Integer> f : streams) {
            int tokens = f.get();
            if (tokens != newTokens) {
                throw new IllegalStateException("a stream brought " + tokens + " tokens, not " + newTokens);
            }
            decoded += tokens - 1;
        }
        return aggregate(times, decoded);
    }

    private static double aggregate(long[][] times, long decoded) {
        long first = Long.MAX_VALUE;
        long last = 0;
        for (long[] t : times) {
            first = Math.min(first, t[0]);
            last = Math.max(last, t[1]);
        }
        return decoded / ((last - first) / 1e9);
    }
}

package io.github.vectorlm.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.TokenListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 32 streaming clients at once send a few hundred requests of random prompts, lengths and
 * sampling; some hang up mid-stream. Every completed stream must equal what the {@link
 * Generator} gives the same request alone, and afterwards the engine holds no sequence and no KV
 * cache. Prints the clients' time to first token and the aggregate tokens/s.
 */
class LoadTest {
    private static final int CLIENTS = 32;
    private static final int REQUESTS = 240;
    private static final String[] PROMPTS = {"ROMEO:", "JULIET:\nO Romeo, Romeo!", "First Citizen:\nWe are accounted poor",
        "KING RICHARD II:\nNo matter where; of comfort no man speak", "O", "\n", "MENENIUS:\nEither you must",
        "What say you, my lord?", "To be, or not to be"};

    /** One request and what came back. */
    record Job(int index, String prompt, int maxTokens, double temperature, long seed, boolean stopAtBlankLine,
            int hangUpAfter) {
        byte[] body() {
            ObjectNode o = JsonBody.MAPPER.createObjectNode();
            o.put("model", DemoServer.MODEL_NAME);
            o.put("prompt", prompt);
            o.put("max_tokens", maxTokens);
            o.put("temperature", temperature);
            o.put("seed", seed);
            o.put("stream", true);
            o.putObject("stream_options").put("include_usage", true);
            if (stopAtBlankLine) {
                o.put("stop", "\n\n");
            }
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }

        GenerationOptions options() {
            return new GenerationOptions(maxTokens, new SamplingOptions(temperature, 0, 1, seed), null,
                    stopAtBlankLine ? List.of("\n\n") : List.of(), 0, 0, Map.of(), -1);
        }
    }

    record Outcome(Job job, String text, String finishReason, int tokens, double firstEventMillis, boolean hungUp) {
    }

    @Test
    void concurrentStreamsGetTheirSequentialResultsAndFreeEverything() throws Exception {
        Random random = new Random(2026);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            jobs.add(new Job(i, PROMPTS[random.nextInt(PROMPTS.length)], 1 + random.nextInt(60),
                    random.nextInt(3) == 0 ? 0 : 0.6 + random.nextDouble() * 0.5, random.nextLong(),
                    random.nextInt(4) == 0, random.nextInt(7) == 0 ? 1 + random.nextInt(4) : -1));
        }
        try (DemoServer demo = new DemoServer(16, o -> o)) {
            ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>(jobs);
            List<Outcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    running.add(clients.submit(() -> {
                        for (Job j; (j = queue.poll()) != null; ) {
                            outcomes.add(run(demo.server.port(), j));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get(10, TimeUnit.MINUTES);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((demo.engine.activeSequences() > 0 || demo.engine.memoryInUse() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(demo.engine.activeSequences()).isZero();
            assertThat(demo.engine.memoryInUse()).isZero();
            assertThat(demo.engine.waitingRequests()).isZero();

            Generator generator = new Generator(demo.model);
            int completed = 0;
            int tokens = 0;
            for (Outcome o : outcomes) {
                if (o.hungUp()) {
                    continue;
                }
                GenerationResult alone = generator.generate(o.job().prompt(), o.job().options(), TokenListener.NONE);
                assertThat(o.text()).as("request %d", o.job().index()).isEqualTo(alone.text());
                assertThat(o.finishReason()).as("request %d", o.job().index()).isEqualTo(Serving.finishReason(alone.stopReason()));
                completed++;
                tokens += o.tokens();
            }
            assertThat(outcomes).hasSize(REQUESTS);
            assertThat(completed).isGreaterThan(REQUESTS / 2).isLessThan(REQUESTS);
            double[] ttft = outcomes.stream().mapToDouble(Outcome::firstEventMillis).filter(t -> t >= 0).sorted().toArray();
            System.out.printf(Locale.ROOT, "LoadTest: %d requests from %d streaming clients in %.2f s, %d completed "
                    + "(%d hung up mid-stream); time to first token p50 %.1f ms, p99 %.1f ms; aggregate %.0f tokens/s "
                    + "(completed streams' tokens over the wall time)%n", REQUESTS, CLIENTS, seconds, completed,
                    REQUESTS - completed, percentile(ttft, 50), percentile(ttft, 99), tokens / seconds);
        }
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** Streams one job over a raw connection; hangs up after {@code hangUpAfter} events if asked. */
    private static Outcome run(int port, Job job) throws Exception {
        long sent = System.nanoTime();
        try (RawHttp http = new RawHttp(port)) {
            byte[] body = job.body();
            http.out.write(RawHttp.postHeaders("/v1/completions", body.length));
            http.out.write(body);
            http.out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(http.in, StandardCharsets.UTF_8));
            String status = reader.readLine();
            assertThat(status).as("request %d", job.index()).isEqualTo("HTTP/1.1 200 OK");
            StringBuilder text = new StringBuilder();
            String finish = null;
            int events = 0;
            double first = -1;
            int tokens = -1;
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.startsWith("data: ")) {
                    continue; // headers, blank lines, chunk sizes
                }
                if (line.equals("data: [DONE]")) {
                    break;
                }
                if (first < 0) {
                    first = (System.nanoTime() - sent) / 1e6;
                }
                JsonNode event = JsonBody.MAPPER.readTree(line.substring(6));
                if (event.get("choices").isEmpty()) {
                    tokens = event.at("/usage/completion_tokens").asInt();
                    continue;
                }
                JsonNode choice = event.at("/choices/0");
                text.append(choice.get("text").asText());
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asText();
                }
                if (++events == job.hangUpAfter()) {
                    return new Outcome(job, text.toString(), null, -1, first, true);
                }
            }
            assertThat(tokens).as("request %d: usage", job.index()).isPositive();
            return new Outcome(job, text.toString(), finish, tokens, first, false);
        }
    }
}

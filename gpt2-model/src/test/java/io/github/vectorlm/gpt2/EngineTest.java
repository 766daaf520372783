package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.vectorlm.generation.Batch;
import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.ForwardingLanguageModel;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.StopReason;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.TokenLogprobs;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The continuous-batching engine on the demo model: same results as one at a time, cancellation, limits, a soak. */
class EngineTest {
    private static final Path FOLDER = Path.of("../models/gpt2-shakespeare");
    private static Parallel parallel;
    private static Gpt2Model model;

    @BeforeAll
    static void load() throws Exception {
        Fixtures.require(FOLDER.resolve("ckpt.pt"), "tools/train_demo_model.py (see models/gpt2-shakespeare/README.md)");
        parallel = Parallel.create(2);
        model = new Gpt2Loader().load(FOLDER, LoadOptions.defaults().withParallel(parallel));
    }

    @AfterAll
    static void close() {
        model.close();
        parallel.close();
    }

    private static final String[] PROMPTS = {"ROMEO:", "First Citizen:\nWe are accounted poor citizens", "O",
        "KING RICHARD II:\nNo matter where; of comfort no man speak:\nLet's talk of graves, of worms, and epitaphs;",
        "What say you, my lord?", "\n", "MENENIUS:\nEither you must confess yourselves wondrous malicious,"};

    private static GenerationOptions options(Random random) {
        int n = 1 + random.nextInt(40);
        SamplingOptions sampling = switch (random.nextInt(4)) {
            case 0 -> SamplingOptions.greedy();
            case 1 -> SamplingOptions.sample(0.8, random.nextLong());
            case 2 -> SamplingOptions.sample(1.0, random.nextLong()).withTopK(1 + random.nextInt(50));
            default -> SamplingOptions.sample(0.9, random.nextLong()).withTopP(0.5 + random.nextDouble() / 2);
        };
        GenerationOptions o = GenerationOptions.of(n, sampling);
        if (random.nextInt(3) == 0) {
            o = o.withPenalties(random.nextDouble(), random.nextDouble()).withLogitBias(java.util.Map.of(13, 2f))
                    .withLogprobs(random.nextInt(4));
        }
        return random.nextInt(3) == 0 ? o.withStopStrings("\n\n", "the") : o;
    }

    @Test
    void requestsArrivingAndLeavingGetWhatTheGeneratorGivesEachAlone() throws Exception {
        Random random = new Random(42);
        int n = 14;
        List<String> prompts = new ArrayList<>();
        List<GenerationOptions> options = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add(PROMPTS[random.nextInt(PROMPTS.length)]);
            options.add(options(random));
        }
        options.set(0, GenerationOptions.greedy(300)); // runs into the context
        EngineOptions small = new EngineOptions(4, 12, 5, 1L << 30);
        List<StringBuilder> streamed = new ArrayList<>();
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        try (Engine engine = Engine.start(model, small)) {
            for (int i = 0; i < n; i++) {
                StringBuilder text = new StringBuilder();
                streamed.add(text);
                futures.add(engine.submit(prompts.get(i), options.get(i), (id, t) -> text.append(t)));
                Thread.sleep(random.nextInt(30)); // join at different passes
            }
            for (int i = 0; i < n; i++) {
                GenerationResult batched = futures.get(i).get(60, TimeUnit.SECONDS);
                GenerationResult alone = new Generator(model).generate(prompts.get(i), options.get(i),
                        TokenListener.NONE);
                assertThat(batched.ids()).as("request %d", i).containsExactly(alone.ids());
                assertThat(batched.text()).isEqualTo(alone.text()).isEqualTo(streamed.get(i).toString());
                assertThat(batched.stopReason()).isEqualTo(alone.stopReason());
                assertThat(batched.logprobs()).isEqualTo(alone.logprobs());
            }
            assertThat(futures.get(0).get().stopReason()).isEqualTo(StopReason.CONTEXT_FULL);
            assertThat(engine.memoryInUse()).isZero();
            long[] pr = engine.passesAndRows();
            assertThat(pr[1]).as("several sequences per pass").isGreaterThan(pr[0]);
        }
    }

    /**
     * Requests that arrive while a pass runs: a prompt that fits one chunk runs in a pass of its
     * own between two layers of the pass in flight (the model sees a forward inside a forward), a
     * longer one waits for the next pass; every result is still what the generator gives alone.
     */
    @Test
    void aNewShortPromptRunsBetweenTheLayersOfThePassInFlight() throws Exception {
        NestingModel nesting = new NestingModel(model);
        String[] prompts = {PROMPTS[0], PROMPTS[3], PROMPTS[2], PROMPTS[4]};
        GenerationOptions[] options = {GenerationOptions.of(6, SamplingOptions.sample(0.8, 7)),
            GenerationOptions.greedy(5), GenerationOptions.greedy(4), GenerationOptions.greedy(1)};
        List<CompletableFuture<GenerationResult>> probes = new ArrayList<>();
        try (Engine engine = Engine.start(nesting, new EngineOptions(6, 16, 8, 1L << 30))) {
            CountDownLatch decoding = new CountDownLatch(3);
            CompletableFuture<GenerationResult> background = engine.submit(PROMPTS[1], GenerationOptions.greedy(40),
                    (id, t) -> decoding.countDown());
            assertThat(decoding.await(30, TimeUnit.SECONDS)).isTrue();
            CountDownLatch submitted = new CountDownLatch(1);
            nesting.beforeNextPass.set(() -> { // on the scheduler thread, as a pass begins
                for (int i = 0; i < prompts.length; i++) {
                    probes.add(engine.submit(prompts[i], options[i], TokenListener.NONE));
                }
                submitted.countDown();
            });
            assertThat(submitted.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < prompts.length; i++) {
                GenerationResult alone = new Generator(model).generate(prompts[i], options[i], TokenListener.NONE);
                assertThat(probes.get(i).get(60, TimeUnit.SECONDS).ids()).as("probe %d", i)
                        .containsExactly(alone.ids());
            }
            assertThat(background.get(60, TimeUnit.SECONDS).ids()).containsExactly(
                    new Generator(model).generate(PROMPTS[1], GenerationOptions.greedy(40), TokenListener.NONE).ids());
            Tokenizer tokenizer = model.tokenizer().orElseThrow();
            int[] lengths = java.util.Arrays.stream(prompts).mapToInt(p -> tokenizer.encode(p).length).toArray();
            assertThat(lengths).as("three prompts fit a chunk of 8, one does not").containsExactly(
                    lengths[0], lengths[1], 1, lengths[3]);
            assertThat(lengths[0]).isBetween(2, 8);
            assertThat(lengths[1]).isGreaterThan(8);
            assertThat(lengths[3]).isBetween(2, 8);
            assertThat(nesting.nestedRows).as("rows run inside another pass: the prompts that fit a chunk")
                    .isEqualTo(lengths[0] + 1 + lengths[3]);
            for (int i = 0; i < 500 && engine.memoryInUse() != 0; i++) {
                Thread.sleep(10);
            }
            assertThat(engine.memoryInUse()).isZero();
        }
    }

    /** The demo model, recording the rows of passes run inside another pass; runs an action as a pass begins. */
    private static final class NestingModel extends ForwardingLanguageModel {
        final AtomicReference<Runnable> beforeNextPass = new AtomicReference<>();
        private int depth;
        volatile int nestedRows;

        NestingModel(LanguageModel model) {
            super(model);
        }

        @Override
        public void forward(Batch batch) {
            Runnable action = depth == 0 ? beforeNextPass.getAndSet(null) : null;
            if (action != null) {
                action.run();
            }
            if (depth > 0) {
                nestedRows += batch.rows();
            }
            depth++;
            try {
                super.forward(batch);
            } finally {
                depth--;
            }
        }
    }

    @Test
    void scoresMatchTheScorer() throws Exception {
        int[] ids = model.tokenizer().orElseThrow().encode(PROMPTS[3] + PROMPTS[6]);
        try (Engine engine = Engine.start(model, new EngineOptions(3, 8, 3, 1L << 30))) {
            CompletableFuture<Scorer.Score> a = engine.score(ids);
            CompletableFuture<GenerationResult> b = engine.submit(PROMPTS[0], GenerationOptions.greedy(5),
                    TokenListener.NONE);
            Scorer.Score alone = new Scorer(model).score(ids);
            assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo(alone);
            b.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void logprobsOfAPromptAreTheScoresTermsAndAgreeWithGeneratedOnes() throws Exception {
        Tokenizer tokenizer = model.tokenizer().orElseThrow();
        int[] prompt = tokenizer.encode(PROMPTS[1]);
        try (Engine engine = Engine.start(model, new EngineOptions(3, 8, 3, 1L << 30))) {
            GenerationResult generated = engine.submit(prompt, GenerationOptions.greedy(12).withLogprobs(5),
                    TokenListener.NONE).get(30, TimeUnit.SECONDS);
            int[] all = IntStream.concat(IntStream.of(prompt), IntStream.of(generated.ids())).toArray();
            List<TokenLogprobs> echoed = engine.logprobs(all, 5).get(30, TimeUnit.SECONDS);
            Scorer.Score score = engine.score(all).get(30, TimeUnit.SECONDS);
            assertThat(echoed).hasSize(all.length - 1);
            double sum = 0;
            for (int i = 0; i < echoed.size(); i++) {
                assertThat(echoed.get(i).id()).isEqualTo(all[i + 1]);
                sum -= echoed.get(i).logprob();
            }
            assertThat(sum / echoed.size()).isCloseTo(score.loss(), within(1e-12));
            for (int i = 0; i < generated.ids().length; i++) {
                TokenLogprobs decoded = generated.logprobs().get(i);
                TokenLogprobs prefilled = echoed.get(prompt.length - 1 + i);
                assertThat(decoded.id()).isEqualTo(prefilled.id()).isEqualTo(decoded.topIds()[0]); // greedy: the top one
                assertThat(decoded.logprob()).as("token %d", i).isCloseTo(prefilled.logprob(), within(1e-4));
                assertThat(decoded.topIds()).containsExactly(prefilled.topIds());
            }
        }
    }

    @Test
    void anIdleEngineCountsNoSequences() throws Exception {
        try (Engine engine = Engine.start(model, new EngineOptions(3, 8, 3, 1L << 30))) {
            engine.submit(PROMPTS[0], GenerationOptions.greedy(4), TokenListener.NONE).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((engine.activeSequences() != 0 || engine.memoryInUse() != 0) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(engine.activeSequences()).isZero();
            assertThat(engine.waitingRequests()).isZero();
            assertThat(engine.memoryInUse()).isZero();
        }
    }

    @Test
    void cancellingFreesTheCacheAndTooLargeRequestsAreRefused() throws Exception {
        try (Engine engine = Engine.start(model, EngineOptions.forSequences(model, 2).withMemoryBytes(
                model.sessionBytes(200)))) {
            CountDownLatch started = new CountDownLatch(3);
            CompletableFuture<GenerationResult> f = engine.submit(PROMPTS[1], GenerationOptions.greedy(150),
                    (id, t) -> started.countDown());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.memoryInUse()).isPositive();
            f.cancel(true);
            assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
            for (int i = 0; i < 500 && engine.memoryInUse() != 0; i++) {
                Thread.sleep(10);
            }
            assertThat(engine.memoryInUse()).isZero();

            assertThatThrownBy(() -> engine.submit(PROMPTS[0], GenerationOptions.greedy(250), TokenListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than the engine's budget");
            assertThatThrownBy(() -> engine.submit(new int[300], GenerationOptions.greedy(1), TokenListener.NONE))
                    .hasMessageContaining("the context holds 256");
            assertThatThrownBy(() -> engine.submit(new int[] {1, 60000}, GenerationOptions.greedy(1),
                    TokenListener.NONE)).hasMessageContaining("outside the vocabulary");
            // two requests that cannot fit together run one after the other
            CompletableFuture<GenerationResult> x = engine.submit(PROMPTS[0], GenerationOptions.greedy(150),
                    TokenListener.NONE);
            CompletableFuture<GenerationResult> y = engine.submit(PROMPTS[2], GenerationOptions.greedy(150),
                    TokenListener.NONE);
            assertThat(x.get(60, TimeUnit.SECONDS).ids()).hasSize(150);
            assertThat(y.get(60, TimeUnit.SECONDS).ids()).hasSize(150);
        }
        Engine closed = Engine.start(model);
        closed.close();
        assertThatThrownBy(() -> closed.submit(PROMPTS[0], GenerationOptions.greedy(1), TokenListener.NONE))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Mixed requests (generate, score, cancel) from 8 threads; the KV memory is back to zero at the end. */
    @Test
    void soakOfMixedRequestsFromEightThreads() throws Exception {
        int perThread = Integer.getInteger("vectorlm.soak.requests", 2000) / 8;
        AtomicLong peak = new AtomicLong();
        try (Engine engine = Engine.start(model, EngineOptions.forSequences(model, 12).withPrefillChunk(16))) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    int completed = 0;
                    List<CompletableFuture<?>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String prompt = PROMPTS[random.nextInt(PROMPTS.length)];
                        int kind = random.nextInt(10);
                        if (kind == 0) {
                            mine.add(engine.score(model.tokenizer().orElseThrow().encode(prompt + " and " + prompt)));
                        } else {
                            CompletableFuture<GenerationResult> f = engine.submit(prompt,
                                    GenerationOptions.of(1 + random.nextInt(4), SamplingOptions.sample(1, i)),
                                    (id, text) -> peak.accumulateAndGet(engine.memoryInUse(), Math::max));
                            if (kind == 1) {
                                f.cancel(true);
                            }
                            mine.add(f);
                        }
                    }
                    for (CompletableFuture<?> f : mine) {
                        try {
                            f.get(120, TimeUnit.SECONDS);
                            completed++;
                        } catch (CancellationException e) {
                            // cancelled on purpose
                        }
                    }
                    return completed;
                }));
            }
            int completed = 0;
            for (Future<Integer> f : done) {
                completed += f.get();
            }
            pool.shutdown();
            assertThat(completed).isGreaterThan(perThread * 8 * 8 / 10);
            for (int i = 0; i < 500 && engine.memoryInUse() != 0; i++) {
                Thread.sleep(10);
            }
            assertThat(engine.memoryInUse()).isZero();
            assertThat(peak.get()).isLessThanOrEqualTo(engine.options().memoryBytes());
            System.out.printf("soak: %d requests, %d completed, %d tokens, %d passes of %d positions%n", perThread * 8,
                    completed, engine.tokensGenerated(), engine.passesAndRows()[0], engine.passesAndRows()[1]);
        }
    }
}

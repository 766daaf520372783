package io.github.vectorlm.generation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The requests an {@link Engine} runs: a generation or a scoring, each with its session and progress. */
final class EngineJobs {
    private EngineJobs() {
    }

    /** One request in the engine: the positions it runs as a prompt, then what it does with logits. */
    abstract static class Job {
        final CompletableFuture<?> future;
        final int[] run;
        final int runLength;
        final int capacity;
        final long bytes;
        Session session;
        int done;
        int chunk;

        Job(Engine engine, int[] run, int runLength, int capacity, CompletableFuture<?> future) {
            this.run = run;
            this.runLength = runLength;
            this.capacity = capacity;
            this.future = future;
            this.bytes = engine == null ? 0 : engine.model.sessionBytes(capacity);
        }

        boolean prefilled() {
            return done == runLength;
        }

        void addChunk(Batch batch, int n) {
            chunk = n;
            batch.add(session, run, done, n, logits(), 0, allPositions());
        }

        abstract void addDecode(Batch batch);

        abstract float[] logits();

        abstract boolean allPositions();

        /** Takes the pass's logits: samples or scores, and completes the future when done. */
        abstract void afterPass();
    }

    static final class GenerateJob extends Job {
        private final Engine engine;
        private final TokenListener listener;
        private final Sequence sequence;
        private final float[] logits;
        private final int[] next = new int[1];
        private final long submitted = System.nanoTime();
        private long prefillEnd;
        private int steps;

        GenerateJob(Engine engine, int[] prompt, GenerationOptions options, TokenListener listener, int capacity,
                CompletableFuture<GenerationResult> future) {
            super(engine, prompt, prompt.length, capacity, future);
            this.engine = engine;
            this.listener = listener;
            this.sequence = new Sequence(engine.model.vocabSize(), engine.tokenizer, options,
                    Sequence.stopTokens(options, engine.tokenizer), engine.model.contextLength());
            this.logits = new float[engine.model.vocabSize()];
        }

        @Override
        float[] logits() {
            return logits;
        }

        @Override
        boolean allPositions() {
            return false;
        }

        @Override
        void addDecode(Batch batch) {
            chunk = 0;
            batch.add(session, next, 0, 1, logits, 0, false);
        }

        @Override
        @SuppressWarnings("unchecked")
        void afterPass() {
            if (chunk > 0) {
                done += chunk;
                if (!prefilled()) {
                    return;
                }
                prefillEnd = System.nanoTime();
            } else {
                steps++;
            }
            StopReason reason = sequence.next(logits, listener, session.position() >= session.capacity());
            engine.tokensGenerated.incrementAndGet();
            if (reason == null) {
                next[0] = sequence.last();
                return;
            }
            reason = sequence.finish(listener, reason);
            long end = System.nanoTime();
            ((CompletableFuture<GenerationResult>) future).complete(new GenerationResult(run, sequence.ids(),
                    sequence.text(), reason, (prefillEnd - submitted) / 1e6, (end - prefillEnd) / 1e6, steps,
                    sequence.logprobs()));
        }
    }

    /** Runs a text as a prompt with every position's logits: its score, and its log-probabilities if asked. */
    static final class ScoreJob extends Job {
        private final int vocab;
        private final int[] ids;
        private final int top;
        private final List<TokenLogprobs> logprobs;
        private float[] logits;
        private double sum;

        /** A job for the score ({@code top < 0}) or the log-probabilities with {@code top} alternatives. */
        ScoreJob(Engine engine, int[] ids, int runLength, int vocab, int top, CompletableFuture<?> future) {
            super(engine, ids, runLength, runLength, future);
            this.ids = ids;
            this.vocab = vocab;
            this.top = top;
            this.logprobs = top < 0 ? null : new ArrayList<>(runLength);
        }

        @Override
        float[] logits() {
            return logits;
        }

        @Override
        boolean allPositions() {
            return true;
        }

        @Override
        void addChunk(Batch batch, int n) {
            if (logits == null || logits.length < n * vocab) {
                logits = new float[n * vocab];
            }
            super.addChunk(batch, n);
        }

        @Override
        void addDecode(Batch batch) {
            throw new IllegalStateException("a scoring job has no decode step");
        }

        @Override
        boolean prefilled() {
            return false; // never decodes: finished when its last chunk has run
        }

        @Override
        @SuppressWarnings("unchecked")
        void afterPass() {
            for (int r = 0; r < chunk; r++) {
                int target = ids[done + r + 1];
                if (logprobs != null) {
                    logprobs.add(TokenLogprobs.of(logits, r * vocab, vocab, target, top));
                } else {
                    sum += Scorer.negativeLogLikelihood(logits, r * vocab, vocab, target);
                }
            }
            done += chunk;
            if (done < runLength) {
                return;
            }
            if (logprobs != null) {
                ((CompletableFuture<List<TokenLogprobs>>) future).complete(List.copyOf(logprobs));
            } else {
                double loss = sum / runLength;
                ((CompletableFuture<Scorer.Score>) future).complete(
                        new Scorer.Score(ids.length, runLength, 1, loss, Math.exp(loss)));
            }
        }
    }
}

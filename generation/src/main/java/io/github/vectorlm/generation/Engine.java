package io.github.vectorlm.generation;

import io.github.vectorlm.generation.EngineJobs.GenerateJob;
import io.github.vectorlm.generation.EngineJobs.Job;
import io.github.vectorlm.generation.EngineJobs.ScoreJob;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many sequences on one model at once, by continuous batching: every pass of the model advances
 * every sequence in flight — one token for each one that is decoding, a chunk of its prompt for
 * each one that is prefilling — reading the weights once for all of them ({@link
 * LanguageModel#forward(Batch)}). A finished sequence leaves and a waiting one joins at the next
 * pass; a new request whose prompt fits one chunk does not wait even for that: it runs in a pass
 * of its own between two layers of the pass in flight ({@link Batch#onPause}). Each request's tokens, text and stop reason are exactly those {@link Generator} gives it
 * alone with the same options (seed included): batching never changes a result.
 *
 * <pre>{@code
 * try (Engine engine = Engine.start(model)) {
 *     CompletableFuture<GenerationResult> a = engine.submit("Hello", GenerationOptions.greedy(20), TokenListener.NONE);
 *     CompletableFuture<GenerationResult> b = engine.submit("Once upon", options, (id, text) -> System.out.print(text));
 *     System.out.println(a.join().text());
 * }
 * }</pre>
 *
 * <p>Thread-safe: any thread may submit; one scheduler thread of the engine runs the model (on the
 * model's own thread pool) and calls the listeners, so a listener should return quickly. A
 * request's future can be awaited or cancelled ({@code future.cancel(true)}): a cancelled sequence
 * stops at the next pass and its KV cache is freed. Memory: each sequence's cache is sized by its
 * request (prompt plus new tokens, at most the context) and all of them together stay within
 * {@link EngineOptions#memoryBytes()}; a request that could never fit is refused when submitted.
 */
public final class Engine implements AutoCloseable {
    final LanguageModel model;
    final Tokenizer tokenizer;
    private final EngineOptions options;
    private final Batch batch;
    private final LinkedBlockingQueue<Job> incoming = new LinkedBlockingQueue<>();
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private final List<Job> active = new ArrayList<>();
    private final List<Job> inStep = new ArrayList<>();
    private final List<Job> inPause = new ArrayList<>();
    private Batch pauseBatch;
    private boolean closing;
    private final Thread scheduler;
    private final AtomicLong memoryInUse = new AtomicLong();
    final AtomicLong tokensGenerated = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong rowsRun = new AtomicLong();
    private volatile int activeCount;
    private volatile int waitingCount;
    private volatile boolean closed;
    private static final Job CLOSE = new ScoreJob(null, new int[2], 0, 0, -1, new CompletableFuture<>());

    private Engine(LanguageModel model, EngineOptions options) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = model.tokenizer().orElse(null);
        this.options = Objects.requireNonNull(options, "options");
        this.batch = model.newBatch(options.maxStepRows());
        batch.onPause(this::runNewPrompts);
        this.scheduler = new Thread(this::schedule, "vectorlm-engine");
        scheduler.setDaemon(true);
        scheduler.start();
    }

    /**
     * An engine on {@code model} with {@link EngineOptions#defaults}.
     *
     * @param model the model; the engine does not close it
     * @return the running engine
     */
    public static Engine start(LanguageModel model) {
        return start(model, EngineOptions.defaults(model));
    }

    /**
     * An engine on {@code model}.
     *
     * @param model the model; the engine does not close it
     * @param options how it schedules
     * @return the running engine
     */
    public static Engine start(LanguageModel model, EngineOptions options) {
        return new Engine(model, options);
    }

    /**
     * The options the engine runs with.
     *
     * @return the options
     */
    public EngineOptions options() {
        return options;
    }

    /**
     * Encodes {@code prompt} with the model's tokenizer and submits it.
     *
     * @param prompt the prompt text
     * @param generation how many tokens, sampling, stops
     * @param listener receives each token and the text it releases, on the engine's thread
     * @return the result, once generated
     * @throws IllegalStateException if the model has no tokenizer or the engine is closed
     * @throws IllegalArgumentException as {@link #submit(int[], GenerationOptions, TokenListener)}
     */
    public CompletableFuture<GenerationResult> submit(String prompt, GenerationOptions generation,
            TokenListener listener) {
        if (tokenizer == null) {
            throw new IllegalStateException("no tokenizer: submit the prompt as ids");
        }
        return submit(tokenizer.encode(prompt), generation, listener);
    }

    /**
     * Submits the prompt {@code promptIds}: it starts as soon as there is room for it.
     *
     * @param promptIds the prompt's token ids (copied)
     * @param generation how many tokens, sampling, stops
     * @param listener receives each token and the text it releases, on the engine's thread
     * @return the result, once generated; cancel it to stop the sequence
     * @throws IllegalArgumentException if the prompt is empty, longer than the context or has an
     *     id outside the vocabulary, or its KV cache could never fit the engine's memory budget
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<GenerationResult> submit(int[] promptIds, GenerationOptions generation,
            TokenListener listener) {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(listener, "listener");
        int[] prompt = checkIds(promptIds, 1);
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        if (generation.maxNewTokens() == 0) {
            future.complete(new GenerationResult(prompt, new int[0], "", StopReason.MAX_TOKENS, 0, 0, 0));
            return future;
        }
        int capacity = (int) Math.min((long) prompt.length + generation.maxNewTokens(), model.contextLength());
        enqueue(new GenerateJob(this, prompt, generation, listener, capacity, future));
        return future;
    }

    /**
     * Scores {@code ids} as {@link Scorer#score(int[])} does with one window: the mean
     * cross-entropy of each token given those before it, bit for bit the same.
     *
     * @param ids the text's ids, 2 to the context length of them (copied)
     * @return the score, once computed; cancel it to stop
     * @throws IllegalArgumentException if there are fewer than 2 ids or more than the context holds,
     *     an id is outside the vocabulary, or the cache could never fit the memory budget
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<Scorer.Score> score(int[] ids) {
        int[] copy = checkIds(ids, 2);
        CompletableFuture<Scorer.Score> future = new CompletableFuture<>();
        enqueue(new ScoreJob(this, copy, copy.length - 1, model.vocabSize(), -1, future));
        return future;
    }

    /**
     * The model's log-probabilities of each token of {@code ids} given those before it, with the
     * {@code top} most likely alternatives at each position: what OpenAI's {@code echo} with
     * {@code logprobs} reports for a prompt. Each entry's {@link TokenLogprobs#logprob()} is minus
     * the cross-entropy {@link #score} averages.
     *
     * @param ids the text's ids, 2 to the context length of them (copied)
     * @param top alternatives per position, 0 or more
     * @return one entry per id after the first, once computed; cancel it to stop
     * @throws IllegalArgumentException as {@link #score}, or if {@code top} is negative
     * @throws IllegalStateException if the engine is closed
     */
    public CompletableFuture<List<TokenLogprobs>> logprobs(int[] ids, int top) {
        if (top < 0) {
            throw new IllegalArgumentException("top must be >= 0, got " + top);
        }
        int[] copy = checkIds(ids, 2);
        CompletableFuture<List<TokenLogprobs>> future = new CompletableFuture<>();
        enqueue(new ScoreJob(this, copy, copy.length - 1, model.vocabSize(), top, future));
        return future;
    }

    /**
     * Bytes of KV cache the sequences in flight hold now.
     *
     * @return the bytes
     */
    public long memoryInUse() {
        return memoryInUse.get();
    }

    /**
     * Sequences in flight now (decoding or prefilling).
     *
     * @return the count
     */
    public int activeSequences() {
        return activeCount;
    }

    /**
     * Requests submitted and not yet started.
     *
     * @return the count
     */
    public int waitingRequests() {
        return incoming.size() + waitingCount;
    }

    /**
     * Tokens generated since the engine started.
     *
     * @return the count
     */
    public long tokensGenerated() {
        return tokensGenerated.get();
    }

    /**
     * Passes of the model run and the positions they took together, since the engine started:
     * their ratio is the mean batch size.
     *
     * @return {passes, positions}
     */
    public long[] passesAndRows() {
        return new long[] {passes.get(), rowsRun.get()};
    }

    /**
     * Stops the engine: requests not finished complete exceptionally with a
     * {@link CancellationException}, and every KV cache is freed. Waits for the current pass.
     * The model stays open.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        incoming.offer(CLOSE);
        boolean interrupted = false;
        while (scheduler.isAlive()) {
            try {
                scheduler.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private int[] checkIds(int[] ids, int least) {
        Objects.requireNonNull(ids, "ids");
        if (ids.length < least) {
            throw new IllegalArgumentException(least == 1
                    ? "the prompt is empty: give at least one token (GPT-2 starts unconditional text with <|endoftext|>)"
                    : "scoring needs at least 2 tokens (the first is only context), got " + ids.length);
        }
        if (ids.length > model.contextLength()) {
            throw new IllegalArgumentException("the " + (least == 1 ? "prompt" : "text") + " has " + ids.length
                    + " tokens but the context holds " + model.contextLength());
        }
        int vocab = model.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("id " + ids[i] + " at " + i + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
        return ids.clone();
    }

    private void enqueue(Job job) {
        if (job.bytes > options.memoryBytes()) {
            throw new IllegalArgumentException("a sequence of " + job.capacity + " positions needs " + job.bytes
                    + " bytes of KV cache, more than the engine's budget of " + options.memoryBytes() + " bytes");
        }
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
        incoming.add(job);
    }

    /** The scheduler thread: admit, run a pass, hand out the results; until closed. */
    private void schedule() {
        try {
            while (true) {
                if (active.isEmpty() && waiting.isEmpty()) {
                    activeCount = 0; // idle: the counts read while waiting say so
                    waitingCount = 0;
                    Job next = incoming.take();
                    if (next == CLOSE) {
                        return;
                    }
                    waiting.add(next);
                }
                for (Job next; (next = incoming.poll()) != null; ) {
                    if (next == CLOSE) {
                        return;
                    }
                    waiting.add(next);
                }
                dropCancelled();
                admit();
                waitingCount = waiting.size();
                activeCount = active.size();
                pass();
                if (closing) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failAll(e);
            throw e;
        } finally {
            failAll(new CancellationException("the engine was closed"));
        }
    }

    private void dropCancelled() {
        waiting.removeIf(j -> j.future.isDone());
        active.removeIf(j -> {
            if (j.future.isDone()) {
                release(j);
                return true;
            }
            return false;
        });
    }

    /** Starts waiting requests, in order, while there is room for them. */
    private void admit() {
        while (active.size() < options.maxSequences() && !waiting.isEmpty()) {
            Job j = waiting.peek();
            if (memoryInUse.get() + j.bytes > options.memoryBytes()) {
                return;
            }
            waiting.poll();
            j.session = model.newSession(j.capacity);
            memoryInUse.addAndGet(j.bytes);
            active.add(j);
        }
    }

    /** One pass of the model: every decoding sequence's next token first, then prompt chunks. */
    private void pass() {
        batch.clear();
        inStep.clear();
        for (Job j : active) {
            if (j.prefilled() && batch.freeRows() > 0) {
                j.addDecode(batch);
                inStep.add(j);
            }
        }
        for (Job j : active) {
            int budget = Math.min(batch.freeRows(), options.prefillChunk());
            if (j.prefilled() || budget < 1) {
                continue;
            }
            int remaining = j.runLength - j.done;
            int n = Batch.nextChunk(remaining, budget);
            if (n == 1 && remaining > 1) {
                continue; // no room for a chunk that keeps the prompt's arithmetic: next pass
            }
            j.addChunk(batch, n);
            inStep.add(j);
        }
        if (inStep.isEmpty()) {
            return;
        }
        try {
            model.forward(batch);
        } catch (RuntimeException e) {
            for (Job j : inStep) {
                j.future.completeExceptionally(e);
            }
            dropCancelled();
            return;
        }
        passes.incrementAndGet();
        rowsRun.addAndGet(batch.rows());
        for (Job j : inStep) {
            if (j.future.isDone()) {
                continue; // cancelled during the pass: dropped before the next
            }
            try {
                j.afterPass();
            } catch (RuntimeException e) {
                j.future.completeExceptionally(e);
            }
        }
        dropCancelled();
        batch.clear();
    }

    /**
     * Between two layers of a pass: admits the requests that arrived since it began and runs the
     * prompts of those whose prompt fits one chunk in a pass of their own, so that their first
     * token does not wait for the pass in flight (nor share the next one with every decode step).
     * Longer prompts and scoring wait for the next pass, as before. A sequence's arithmetic does
     * not depend on the pass it runs in, so results do not change.
     */
    private void runNewPrompts() {
        if (incoming.isEmpty()) {
            return;
        }
        for (Job next; !closing && (next = incoming.poll()) != null; ) {
            if (next == CLOSE) {
                closing = true; // after this pass
            } else {
                waiting.add(next);
            }
        }
        int from = active.size();
        admit();
        waitingCount = waiting.size();
        activeCount = active.size();
        if (pauseBatch == null) {
            pauseBatch = model.newBatch(options.maxStepRows());
        }
        pauseBatch.clear();
        inPause.clear();
        for (int i = from; i < active.size(); i++) {
            Job j = active.get(i);
            int n = j.runLength;
            if (j instanceof GenerateJob && !j.future.isDone() && n <= options.prefillChunk()
                    && n <= pauseBatch.freeRows()) {
                j.addChunk(pauseBatch, n);
                inPause.add(j);
            }
        }
        if (inPause.isEmpty()) {
            return;
        }
        try {
            model.forward(pauseBatch);
            passes.incrementAndGet();
            rowsRun.addAndGet(pauseBatch.rows());
        } catch (RuntimeException e) {
            for (Job j : inPause) {
                j.future.completeExceptionally(e);
            }
        }
        for (Job j : inPause) {
            if (!j.future.isDone()) {
                try {
                    j.afterPass();
                } catch (RuntimeException e) {
                    j.future.completeExceptionally(e);
                }
            }
            if (j.future.isDone()) { // finished at its first token, failed or cancelled: its cache goes now
                active.remove(j);
                release(j);
            }
        }
        inPause.clear();
        pauseBatch.clear();
        activeCount = active.size();
    }

    private void release(Job j) {
        if (j.session != null) {
            j.session = null;
            memoryInUse.addAndGet(-j.bytes);
        }
    }

    private void failAll(Throwable cause) {
        for (Job j : active) {
            j.future.completeExceptionally(cause);
            release(j);
        }
        active.clear();
        for (Job j : waiting) {
            j.future.completeExceptionally(cause);
        }
        waiting.clear();
        for (Job j; (j = incoming.poll()) != null; ) {
            if (j != CLOSE) {
                j.future.completeExceptionally(cause);
            }
        }
        activeCount = 0;
        waitingCount = 0;
    }
}

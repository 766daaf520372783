package io.github.vectorlm.server;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.TokenLogprobs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The choices of one request running in the engine, seen as one queue of events in order. The
 * engine's thread only adds to the queue (it never waits on a client); the request's handler
 * thread takes the events and writes them out at the client's pace. {@link #close} cancels every
 * choice not finished, which frees its KV cache at the engine's next pass.
 */
final class Generation implements AutoCloseable {
    /** Something that happened to one choice. */
    sealed interface Event {
        /** The choice's index in the request. */
        int choice();
    }

    /**
     * A generated token and the text it releases ({@code id} is {@link TokenListener#END} for
     * text left over at the end).
     */
    record Token(int choice, int id, String text, TokenLogprobs logprobs) implements Event {
    }

    /** The choice finished. */
    record Finished(int choice, GenerationResult result) implements Event {
    }

    /** The choice failed or was cancelled. */
    record Failed(int choice, Throwable error) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
    private final long startNanos;
    private volatile long firstTokenNanos;
    private int tokensTaken; // by the handler's thread only
    private long nextProbeNanos; // likewise; 0 before the first next(probe)

    /** How often a non-streaming request asks whether its client is still there. */
    static final long PROBE_INTERVAL_MS = 100;

    private Generation(long startNanos) {
        this.startNanos = startNanos;
    }

    /**
     * Submits choice {@code i} as {@code prompts.get(i)} with {@code options.get(i)}.
     *
     * @throws IllegalArgumentException or {@link IllegalStateException} as {@link Engine#submit}; the
     *     choices already submitted are cancelled first
     */
    static Generation start(Engine engine, List<int[]> prompts, List<GenerationOptions> options, long startNanos) {
        Generation g = new Generation(startNanos);
        try {
            for (int i = 0; i < prompts.size(); i++) {
                int choice = i;
                CompletableFuture<GenerationResult> f = engine.submit(prompts.get(i), options.get(i), g.listener(choice));
                g.futures.add(f);
                f.whenComplete((result, error) -> g.events.add(error == null
                        ? new Finished(choice, result) : new Failed(choice, error)));
            }
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        return g;
    }

    private TokenListener listener(int choice) {
        return new TokenListener() {
            @Override
            public void onToken(int id, String text) {
                onToken(id, text, null);
            }

            @Override
            public void onToken(int id, String text, TokenLogprobs logprobs) {
                if (firstTokenNanos == 0 && id != END) {
                    firstTokenNanos = System.nanoTime();
                }
                events.add(new Token(choice, id, text, logprobs));
            }
        };
    }

    /** The next event, waiting for it. */
    Event next() throws InterruptedException {
        return take(events.take());
    }

    /**
     * The next event, waiting for it while the client is there: every {@link #PROBE_INTERVAL_MS}
     * (whether events come or not), {@code probe} is asked whether the client has closed its
     * connection.
     *
     * @throws ClientGoneException if it has (closing this generation then frees its KV caches)
     */
    Event next(ConnectionProbe probe) throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            if (nextProbeNanos == 0) {
                nextProbeNanos = now + PROBE_INTERVAL_MS * 1_000_000L;
            } else if (now - nextProbeNanos >= 0) {
                nextProbeNanos = now + PROBE_INTERVAL_MS * 1_000_000L;
                if (probe.peerClosed()) {
                    throw new ClientGoneException("the client closed the connection while waiting for its response", null);
                }
            }
            Event e = events.poll(Math.max(1, nextProbeNanos - now), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (e != null) {
                return take(e);
            }
        }
    }

    private Event take(Event e) {
        if (e instanceof Token t && t.id() != TokenListener.END) {
            tokensTaken++;
        }
        return e;
    }

    /** Generated tokens taken by {@link #next} so far, over all choices. */
    int tokensTaken() {
        return tokensTaken;
    }

    /** How many choices there are. */
    int choices() {
        return futures.size();
    }

    /** Seconds from the request's arrival to its first generated token, or -1 if none came. */
    double secondsToFirstToken() {
        long t = firstTokenNanos;
        return t == 0 ? -1 : (t - startNanos) / 1e9;
    }

    /** Cancels the choices not finished; their KV caches are freed at the engine's next pass. */
    @Override
    public void close() {
        for (CompletableFuture<GenerationResult> f : futures) {
            f.cancel(true);
        }
    }
}

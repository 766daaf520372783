package io.github.vectorlm.tensor.ops;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.ArrayList;
import java.util.List;

/**
 * The thread pool the kernels split their work over. Kernels split only over independent outputs
 * (rows, columns, heads), never inside one reduction, so results are bit-identical for every
 * thread count.
 *
 * <pre>{@code
 * try (Parallel parallel = Parallel.create(2)) {
 *     Matmul.linear(y, 0, x, 0, rows, linear, parallel);
 * }
 * }</pre>
 */
public final class Parallel implements AutoCloseable {
    private static volatile Parallel shared;

    private final int threads;
    private final ExecutorService executor;

    private Parallel(int threads) {
        this.threads = threads;
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "vectorlm-kernel");
            t.setDaemon(true);
            return t;
        });
    }

    /** A pool of {@code threads} threads (the caller's thread counts as one). */
    public static Parallel create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        return new Parallel(threads);
    }

    /** The pool shared by everything that does not ask for its own: one thread per available processor. */
    public static Parallel shared() {
        Parallel p = shared;
        if (p == null) {
            synchronized (Parallel.class) {
                p = shared;
                if (p == null) {
                    p = new Parallel(Runtime.getRuntime().availableProcessors());
                    shared = p;
                }
            }
        }
        return p;
    }

    /** Number of threads work is split over. */
    public int threads() {
        return threads;
    }

    /** A range body: handles items {@code [start, end)} as worker {@code worker} (0 ≤ worker &lt; threads). */
    @FunctionalInterface
    public interface RangeBody {
        /** Processes items {@code [start, end)}. */
        void run(int start, int end, int worker);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks
     * whose boundaries are multiples of {@code grain}; returns when all are done.
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int chunks = Math.min(threads, units);
        if (chunks <= 1) {
            body.run(0, n, 0);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int start = Math.min(n, (int) ((long) units * c / chunks) * g);
            int end = Math.min(n, (int) ((long) units * (c + 1) / chunks) * g);
            int worker = c;
            futures.add(executor.submit(() -> body.run(start, end, worker)));
        }
        body.run(0, Math.min(n, (int) ((long) units / chunks) * g), 0);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for kernel threads", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Stops the pool's threads. Closing the shared pool is ignored. */
    @Override
    public void close() {
        if (this != shared && executor != null) {
            executor.shutdownNow();
        }
    }
}

package io.github.vectorlm.tensor.ops;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The thread pool the kernels split their work over. Kernels split only over independent outputs
 * (rows, columns, heads), never inside one reduction, so results are bit-identical for every
 * thread count.
 *
 * <p>The pool is built for many short calls (a decoded token runs about fifty matrix products):
 * its worker threads live as long as the pool, wait for the next call by spinning briefly and then
 * parking, and a call allocates nothing inside the pool. Calls from several threads at once are
 * served one after the other, each with all threads.
 *
 * <pre>{@code
 * try (Parallel parallel = Parallel.create(2)) {
 *     Matmul.linear(y, 0, x, 0, rows, linear, parallel);
 * }
 * }</pre>
 */
public final class Parallel implements AutoCloseable {
    /** How long an idle worker spins before it parks: covers the gap between two kernels of a token. */
    private static final long SPIN_NANOS = 50_000;

    private static volatile Parallel shared;

    private final int threads;
    private volatile int activeThreads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();

    // The current call, written by the calling thread before it bumps `generation`.
    private RangeBody body;
    private int n;
    private int grain;
    private int units;
    private int chunks;
    private volatile int generation;
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile Thread waitingCaller;
    private volatile Throwable failure;
    private volatile boolean closed;

    private Parallel(int threads) {
        this.threads = threads;
        this.activeThreads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread.start();
        }
    }

    /**
     * A pool of {@code threads} threads: the caller's thread counts as one, {@code threads - 1}
     * daemon threads are started. Close it when done; until then its threads stay (parked when idle).
     */
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

    /**
     * Splits the calls that follow over at most {@code n} of the pool's threads, until called
     * again; {@code n = threads()} restores the whole pool. Results do not change (work is never
     * split inside a reduction), only how many cores are busy.
     *
     * @throws IllegalArgumentException unless {@code 1 <= n <= threads()}
     */
    public void useThreads(int n) {
        if (n < 1 || n > threads) {
            throw new IllegalArgumentException("a pool of " + threads + " threads cannot use " + n);
        }
        activeThreads = n;
    }

    /** A range body: handles items {@code [start, end)} as worker {@code worker} (0 ≤ worker &lt; threads). */
    @FunctionalInterface
    public interface RangeBody {
        /** Processes items {@code [start, end)}. */
        void run(int start, int end, int worker);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks
     * whose boundaries are multiples of {@code grain}; returns when all are done. The calling
     * thread runs chunk 0 as worker 0. A body must not call back into the same pool.
     *
     * @throws IllegalStateException if the pool is closed, or called from inside one of its own bodies
     */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int units = (n + g - 1) / g;
        int chunks = Math.min(activeThreads, units);
        if (closed) {
            throw new IllegalStateException("parallel pool is closed");
        }
        if (lock.isHeldByCurrentThread() || Thread.currentThread() instanceof WorkerThread w && w.owner == this) {
            throw new IllegalStateException("a kernel body called back into its own pool");
        }
        if (chunks <= 1) {
            body.run(0, n, 0);
            return;
        }
        lock.lock();
        try {
            this.body = body;
            this.n = n;
            this.grain = g;
            this.units = units;
            this.chunks = chunks;
            this.failure = null;
            // every worker takes part in every call, idle ones only checking in, so that none can
            // lag a call behind and read the next call's fields as its own
            unfinished.set(workers.length);
            generation++; // publishes the fields above
            for (Worker w : workers) {
                w.wake();
            }
            Throwable own = null;
            try {
                runChunk(0);
            } catch (Throwable t) {
                own = t;
            }
            awaitWorkers();
            this.body = null;
            Throwable t = own != null ? own : failure;
            if (t != null) {
                rethrow(t);
            }
        } finally {
            lock.unlock();
        }
    }

    private void runChunk(int c) {
        int start = Math.min(n, (int) ((long) units * c / chunks) * grain);
        int end = Math.min(n, (int) ((long) units * (c + 1) / chunks) * grain);
        body.run(start, end, c);
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        int spins = 0;
        while (unfinished.get() != 0) {
            if (++spins % 64 != 0 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            waitingCaller = Thread.currentThread();
            if (unfinished.get() != 0) {
                LockSupport.park(this);
            }
            waitingCaller = null;
        }
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** Stops the pool's threads. Closing the shared pool is ignored. */
    @Override
    public void close() {
        if (this == shared || closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    private static final class WorkerThread extends Thread {
        final Parallel owner;

        WorkerThread(Parallel owner, Runnable r, String name) {
            super(r, name);
            this.owner = owner;
            setDaemon(true);
        }
    }

    private final class Worker implements Runnable {
        private final int index;
        private final WorkerThread thread;
        private volatile boolean parked;

        Worker(int index) {
            this.index = index;
            this.thread = new WorkerThread(Parallel.this, this, "vectorlm-kernel-" + index);
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            int seen = 0; // the pool's first generation, even if this thread starts after a call was published
            while (true) {
                int g = awaitGeneration(seen);
                if (g == seen) {
                    return; // closed
                }
                seen = g;
                if (index < chunks) {
                    try {
                        runChunk(index);
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                if (unfinished.decrementAndGet() == 0) {
                    Thread caller = waitingCaller;
                    if (caller != null) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits until a call newer than {@code seen} is published; returns {@code seen} once the pool closes. */
        private int awaitGeneration(int seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            while (true) {
                int g = generation;
                if (g != seen) {
                    return g;
                }
                if (closed) {
                    return seen;
                }
                if (++spins % 64 != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (generation == seen && !closed) {
                    LockSupport.park(Parallel.this);
                }
                parked = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }
    }
}

package io.github.vectorlm.tensor.ops;

/**
 * Which kernel reads the F32 [out, in] rows shorter than {@link GemvRows#MULTI_ROW_MIN_INPUTS}
 * where there are 32 vector registers: four rows side by side ({@code dot4F32}, sharing each load
 * of x) or one at a time ({@code dot1F32}, one stream of weights). The faster one differs by
 * machine — share of a plain read, rows of 768 inputs, AVX-512: Zen 5 four 0.79–0.85 against one
 * 0.47–0.58, Zen 4 four 0.52–0.55 against one 0.69–0.74 (docs/performance-gemv.md) — so it is
 * measured, not assumed: after {@link #WARMUP_CALLS} large calls (the JIT's time), the next
 * {@link #TRIALS} large calls alternate the two, and the one that read fastest (best of its trials,
 * bytes per nanosecond) reads every later call; a tie within {@link #MARGIN} keeps four. A call
 * is large when it reads at least {@link #MIN_BYTES} (weights from memory, not from a cache).
 *
 * <p>Both kernels sum every row in the same order ({@link Gemv}), so the choice changes no result,
 * only the speed; until it is made, untimed calls read four at a time. Shared by all threads: the
 * bookkeeping is synchronized and happens only on the few timed calls.
 */
final class ShortRowChoice {
    /** Four rows side by side. */
    static final int FOUR = 4;
    /** One row at a time. */
    static final int ONE = 1;
    /** Large calls left to the JIT before any is timed. */
    static final int WARMUP_CALLS = 8;
    /** Timed calls, alternating the kernels. */
    static final int TRIALS = 8;
    /** Bytes of weights a call reads for it to be timed. */
    static final long MIN_BYTES = 8L << 20;
    /** One at a time must be this much faster to be chosen. */
    static final double MARGIN = 1.03;

    private static volatile int chosen;
    private static int calls;
    private static final double[] BEST = new double[2];

    private ShortRowChoice() {
    }

    /** The chosen kernel ({@link #FOUR} or {@link #ONE}), or 0 while it is being measured. */
    static int chosen() {
        return chosen;
    }

    /**
     * The kernel to time on a large call, or 0 for an untimed call (still warming up, or another
     * thread has taken the last trial).
     */
    static synchronized int trial() {
        if (chosen != 0) {
            return 0;
        }
        int call = calls++;
        if (call < WARMUP_CALLS || call >= WARMUP_CALLS + TRIALS) {
            return 0;
        }
        return (call - WARMUP_CALLS) % 2 == 0 ? FOUR : ONE;
    }

    /** Records a timed call of {@code kernel}; the last trial decides. */
    static synchronized void record(int kernel, long bytes, long nanos) {
        double rate = bytes / (double) Math.max(1, nanos);
        int slot = kernel == ONE ? 1 : 0;
        BEST[slot] = Math.max(BEST[slot], rate);
        if (chosen == 0 && calls >= WARMUP_CALLS + TRIALS) {
            chosen = decide(BEST[0], BEST[1]);
        }
    }

    /** The kernel for these best rates (bytes per nanosecond) of four and one at a time. */
    static int decide(double fourRate, double oneRate) {
        return oneRate > fourRate * MARGIN ? ONE : FOUR;
    }

    /** Fixes the kernel, for tests ({@code 0} measures again from the start). */
    static synchronized void force(int kernel) {
        chosen = kernel;
        calls = 0;
        BEST[0] = 0;
        BEST[1] = 0;
    }
}

package io.github.vectorlm.tensor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool covers every item exactly once, on grain boundaries, from any number of callers. */
class ParallelTest {
    @Test
    void everyItemRunsExactlyOnceOnGrainBoundaries() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel p = Parallel.create(threads)) {
                for (int n : new int[] {1, 2, 3, 17, 64, 1000}) {
                    for (int grain : new int[] {1, 4, 16}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        int g = grain;
                        int size = n;
                        p.forRange(n, grain, (start, end, worker) -> {
                            assertThat(worker).isBetween(0, p.threads() - 1);
                            assertThat(start % g == 0 || start == size).isTrue();
                            for (int i = start; i < end; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertThat(hits.get(i)).as("item " + i + " of " + n).isEqualTo(1);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aPoolCanBeToldToUseFewerOfItsThreads() {
        try (Parallel p = Parallel.create(3)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            p.useThreads(1);
            assertThat(workersOfOneCall(p, hits, threads)).containsExactly(0);
            assertThat(threads).containsExactly(Thread.currentThread());
            p.useThreads(2);
            assertThat(workersOfOneCall(p, hits, threads)).containsExactlyInAnyOrder(0, 1);
            p.useThreads(3);
            assertThat(workersOfOneCall(p, hits, threads)).containsExactlyInAnyOrder(0, 1, 2);
            for (int i = 0; i < 100; i++) {
                assertThat(hits.get(i)).as("item " + i).isEqualTo(3);
            }
            assertThat(p.threads()).isEqualTo(3);
            assertThatThrownBy(() -> p.useThreads(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a pool of 3 threads cannot use 0");
            assertThatThrownBy(() -> p.useThreads(4)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The worker ids that one call over {@code hits.length()} items ran as; counts each item in {@code hits}. */
    private static Set<Integer> workersOfOneCall(Parallel p, AtomicIntegerArray hits, Set<Thread> threads) {
        Set<Integer> workers = ConcurrentHashMap.newKeySet();
        p.forRange(hits.length(), 1, (start, end, worker) -> {
            workers.add(worker);
            threads.add(Thread.currentThread());
            for (int i = start; i < end; i++) {
                hits.incrementAndGet(i);
            }
        });
        return workers;
    }

    @Test
    void manyQuickCallsFromSeveralCallers() throws Exception {
        try (Parallel p = Parallel.create(3)) {
            ExecutorService callers = Executors.newFixedThreadPool(3);
            try {
                Future<?>[] futures = new Future<?>[3];
                AtomicLong total = new AtomicLong();
                for (int c = 0; c < 3; c++) {
                    futures[c] = callers.submit(() -> {
                        for (int call = 0; call < 3000; call++) {
                            long[] sums = new long[3];
                            p.forRange(30, 1, (start, end, worker) -> {
                                for (int i = start; i < end; i++) {
                                    sums[worker] += i;
                                }
                            });
                            total.addAndGet(sums[0] + sums[1] + sums[2]);
                        }
                    });
                }
                for (Future<?> f : futures) {
                    f.get();
                }
                assertThat(total.get()).isEqualTo(3L * 3000 * (29 * 30 / 2));
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void exceptionsReachTheCallerAndThePoolStaysUsable() {
        try (Parallel p = Parallel.create(2)) {
            assertThatThrownBy(() -> p.forRange(10, 1, (start, end, worker) -> {
                if (worker == 1) {
                    throw new IllegalArgumentException("boom in worker 1");
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("boom in worker 1");
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            p.forRange(10, 1, (start, end, worker) -> {
                for (int i = start; i < end; i++) {
                    hits.incrementAndGet(i);
                }
            });
            assertThat(hits.get(9)).isEqualTo(1);
        }
    }

    @Test
    void nestedCallsAndClosedPoolsAreRefused() {
        Parallel p = Parallel.create(2);
        assertThatThrownBy(() -> p.forRange(10, 1, (start, end, worker) -> p.forRange(2, 1, (a, b, c) -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("own pool");
        p.close();
        assertThatThrownBy(() -> p.forRange(10, 1, (start, end, worker) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> Parallel.create(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Parallel.shared().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}

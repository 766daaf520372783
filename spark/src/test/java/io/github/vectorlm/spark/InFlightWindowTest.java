package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A partition streams: at most the window in flight, results in input order. */
class InFlightWindowTest {
    @Test
    void neverReadsMoreThanTheWindowAheadAndKeepsTheOrder() {
        int[] read = {0};
        Iterator<Integer> input = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return read[0] < 100;
            }

            @Override
            public Integer next() {
                return read[0]++;
            }
        };
        List<CompletableFuture<Integer>> submitted = new ArrayList<>();
        InFlightWindow<Integer, Integer> w = new InFlightWindow<>(input, i -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            submitted.add(f);
            return f;
        }, 4);
        List<Integer> out = new ArrayList<>();
        assertThat(w.hasNext()).isTrue();
        assertThat(read[0]).isEqualTo(4);
        while (out.size() < 100) {
            // complete in reverse order within the window: the output order must not follow
            for (int i = submitted.size() - 1; i >= 0; i--) {
                submitted.get(i).complete(i * 10);
            }
            out.add(w.next());
            assertThat(read[0] - out.size()).isLessThanOrEqualTo(4);
            assertThat(w.inFlight()).isLessThanOrEqualTo(4);
        }
        assertThat(w.hasNext()).isFalse();
        assertThat(out).isEqualTo(IntStream.range(0, 100).map(i -> i * 10).boxed().toList());
    }

    @Test
    void aFailedRowCancelsTheRestAndFailsTheTask() {
        List<CompletableFuture<Integer>> submitted = new ArrayList<>();
        InFlightWindow<Integer, Integer> w = new InFlightWindow<>(List.of(1, 2, 3).iterator(), i -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            submitted.add(f);
            if (i == 1) {
                f.completeExceptionally(new IllegalStateException("engine closed"));
            }
            return f;
        }, 3);
        assertThatThrownBy(w::next).isInstanceOf(CompletionException.class).hasMessageContaining("engine closed");
        assertThat(submitted.get(1).isCancelled()).isTrue();
        assertThat(submitted.get(2).isCancelled()).isTrue();
        assertThatThrownBy(() -> new InFlightWindow<>(List.<Integer>of().iterator(), CompletableFuture::completedFuture, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

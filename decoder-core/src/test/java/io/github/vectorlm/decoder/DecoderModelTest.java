package io.github.vectorlm.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared forward loop, its argument checks and the model's life cycle, on a model that records its calls. */
class DecoderModelTest {
    /** vocab 4, context 10, width 2, 3 layers, 1 head, inner 2. */
    private static final DecoderShape SHAPE = new DecoderShape(4, 10, 2, 3, 1, 2);

    /** Writes its logits as (row, position) so that the test can see which rows went where. */
    private static final class RecordingModel extends DecoderModel {
        final List<String> calls = new ArrayList<>();
        int lastPosition;

        RecordingModel(AutoCloseable resources) {
            super(SHAPE, 2, Parallel.create(1), null, resources);
        }

        @Override
        public String architecture() {
            return "recording";
        }

        @Override
        protected void embed(DecoderSession s, int[] tokens, int offset, int rows, int position) {
            calls.add("embed " + rows + "@" + position);
            lastPosition = position;
        }

        @Override
        protected void layer(DecoderSession s, int layer, int rows, int position) {
            calls.add("layer " + layer);
        }

        @Override
        protected void logits(DecoderSession s, int firstRow, int rows, float[] logits, int logitsOffset) {
            calls.add("logits " + firstRow + "+" + rows + "->" + logitsOffset);
            for (int r = 0; r < rows; r++) {
                logits[logitsOffset + r * SHAPE.vocabSize()] = lastPosition + firstRow + r;
            }
        }
    }

    @Test
    void prefillsInChunksAndRunsTheHeadWhereAsked() {
        RecordingModel m = new RecordingModel(null);
        DecoderSession s = m.newSession(10, 4);
        assertThat(s.chunk()).isEqualTo(4);
        float[] all = new float[7 * 4];
        m.forwardAll(s, new int[] {0, 1, 2, 3, 0, 1, 2}, 0, 7, all);
        assertThat(m.calls).containsExactly("embed 4@0", "layer 0", "layer 1", "logits 0+4->0",
                "embed 3@4", "layer 0", "layer 1", "logits 0+3->16");
        assertThat(s.position()).isEqualTo(7);
        for (int p = 0; p < 7; p++) {
            assertThat(all[p * 4]).as("position of logits row " + p).isEqualTo(p);
        }
        m.calls.clear();
        float[] last = new float[4];
        m.forward(s, new int[] {3, 2, 1}, 0, 3, last);
        assertThat(m.calls).containsExactly("embed 3@7", "layer 0", "layer 1", "logits 2+1->0");
        assertThat(last[0]).isEqualTo(9);
    }

    @Test
    void aRefusedCallLeavesTheSessionAsItWas() {
        RecordingModel m = new RecordingModel(null);
        Session s = m.newSession(5);
        m.forward(s, new int[] {1, 2}, 0, 2, new float[4]);
        int[] ids = {1, 2, 3, 4};
        assertThatThrownBy(() -> m.forward(s, ids, 0, 4, new float[4])).hasMessageContaining(
                "4 more tokens do not fit: the session holds 2 of 5 positions");
        assertThatThrownBy(() -> m.forward(s, new int[] {4}, 0, 1, new float[4])).hasMessageContaining(
                "token id 4 at index 0 is outside the vocabulary of 4");
        assertThatThrownBy(() -> m.forwardAll(s, ids, 0, 2, new float[7])).hasMessageContaining("need 8");
        assertThatThrownBy(() -> m.forward(s, ids, 3, 2, new float[4])).hasMessageContaining("outside an array of 4");
        assertThatThrownBy(() -> m.forward(s, ids, 0, 0, new float[4])).hasMessageContaining("forward of 0 tokens");
        assertThatThrownBy(() -> m.forward(new RecordingModel(null).newSession(), ids, 0, 1, new float[4]))
                .hasMessageContaining("not made by this model");
        assertThat(s.position()).isEqualTo(2);
        s.reset();
        assertThat(s.position()).isZero();
        assertThatThrownBy(() -> m.newSession(11)).hasMessageContaining("the model's context holds 1 to 10");
        assertThatThrownBy(() -> m.newSession(5, 0)).hasMessageContaining("chunk of 0 positions");
    }

    @Test
    void closingTwiceClosesTheResourcesOnce() {
        AtomicInteger closes = new AtomicInteger();
        RecordingModel m = new RecordingModel(closes::incrementAndGet);
        m.close();
        m.close();
        assertThat(closes).hasValue(1);
    }

    @Test
    void closeablesCloseEveryOneInOrderAndKeepTheFirstFailure() {
        List<String> closed = new ArrayList<>();
        AutoCloseable all = Closeables.inOrder(() -> closed.add("a"), null, () -> {
            closed.add("b");
            throw new IllegalStateException("b failed");
        }, () -> {
            closed.add("c");
            throw new IllegalStateException("c failed");
        });
        assertThatThrownBy(all::close).hasMessage("b failed")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("c failed"));
        assertThat(closed).containsExactly("a", "b", "c");
        RuntimeException failure = new RuntimeException("load failed");
        Closeables.closeAfter(failure, () -> {
            throw new IllegalStateException("close failed");
        });
        assertThat(failure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("close failed");
    }

    @Test
    void aThreadCountMakesAPoolOfTheModelsOwn() {
        try (ModelPool shared = ModelPool.of(LoadOptions.defaults())) {
            assertThat(shared.owned()).isFalse();
            assertThat(shared.parallel()).isSameAs(Parallel.shared());
        }
        ModelPool own = ModelPool.of(LoadOptions.defaults().withThreads(3));
        assertThat(own.owned()).isTrue();
        assertThat(own.parallel().threads()).isEqualTo(3);
        own.close();
        assertThatThrownBy(() -> LoadOptions.defaults().withThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

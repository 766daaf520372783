package io.github.vectorlm.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.generation.Batch;
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

    /** Carries each row's position through to its logits so that the test can see which rows went where. */
    private static final class RecordingModel extends DecoderModel {
        final List<String> calls = new ArrayList<>();

        RecordingModel(AutoCloseable resources) {
            super(SHAPE, 2, Parallel.create(1), null, resources);
        }

        @Override
        public String architecture() {
            return "recording";
        }

        @Override
        protected void embed(DecoderStep step, int firstRow, int[] tokens, int offset, int rows, int position) {
            calls.add("embed " + rows + "@" + position);
            for (int r = 0; r < rows; r++) {
                step.residual[(firstRow + r) * SHAPE.width()] = position + r;
            }
        }

        @Override
        protected void layer(DecoderStep step, int layer) {
            calls.add("layer " + layer + " (" + step.singleRows() + " single of " + step.rows() + ")");
        }

        @Override
        protected void finalNorm(DecoderStep step, int normedRow, int residualRow, int rows) {
            calls.add("norm " + residualRow + "+" + rows + "->" + normedRow);
            int d = SHAPE.width();
            System.arraycopy(step.residual, residualRow * d, step.normed, normedRow * d, rows * d);
        }

        @Override
        protected Projection head() {
            return new Projection() {
                @Override
                public int in() {
                    return SHAPE.width();
                }

                @Override
                public int out() {
                    return SHAPE.vocabSize();
                }

                @Override
                public void apply(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel) {
                    calls.add("head " + rows + "->" + outOffset);
                    copy(out, outOffset, in, inOffset, rows);
                }

                @Override
                public void applyEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
                        Parallel parallel) {
                    calls.add("head each " + rows + "->" + outOffset);
                    copy(out, outOffset, in, inOffset, rows);
                }

                private void copy(float[] out, int outOffset, float[] in, int inOffset, int rows) {
                    for (int r = 0; r < rows; r++) {
                        out[outOffset + r * SHAPE.vocabSize()] = in[inOffset + r * SHAPE.width()];
                    }
                }
            };
        }
    }

    @Test
    void prefillsInChunksAndRunsTheHeadWhereAsked() {
        RecordingModel m = new RecordingModel(null);
        DecoderSession s = m.newSession(10, 4);
        assertThat(s.chunk()).isEqualTo(4);
        float[] all = new float[7 * 4];
        m.forwardAll(s, new int[] {0, 1, 2, 3, 0, 1, 2}, 0, 7, all);
        assertThat(m.calls).containsExactly("embed 4@0", "layer 0 (0 single of 4)", "layer 1 (0 single of 4)",
                "norm 0+4->0", "head 4->0", "embed 3@4", "layer 0 (0 single of 3)", "layer 1 (0 single of 3)",
                "norm 0+3->0", "head 3->16");
        assertThat(s.position()).isEqualTo(7);
        for (int p = 0; p < 7; p++) {
            assertThat(all[p * 4]).as("position of logits row " + p).isEqualTo(p);
        }
        m.calls.clear();
        float[] last = new float[4];
        m.forward(s, new int[] {3, 2, 1}, 0, 3, last);
        assertThat(m.calls).containsExactly("embed 3@7", "layer 0 (0 single of 3)", "layer 1 (0 single of 3)",
                "norm 2+1->0", "head 1->0");
        assertThat(last[0]).isEqualTo(9);
    }

    @Test
    void aPromptIsNeverCutSoThatOnePositionRunsAlone() {
        RecordingModel m = new RecordingModel(null);
        DecoderSession s = m.newSession(10, 4);
        m.forward(s, new int[] {0, 1, 2, 3, 0}, 0, 5, new float[4]);
        assertThat(m.calls).filteredOn(c -> c.startsWith("embed")).containsExactly("embed 3@0", "embed 2@3");
        assertThat(Batch.nextChunk(1, 256)).isEqualTo(1);
        assertThat(Batch.nextChunk(257, 256)).isEqualTo(255);
        assertThat(Batch.nextChunk(258, 256)).isEqualTo(256);
        assertThat(Batch.nextChunk(2, 256)).isEqualTo(2);
        assertThat(Batch.nextChunk(3, 2)).isEqualTo(1); // 2 would leave one alone: 1 says wait for more room
        assertThat(Batch.nextChunk(2, 1)).isEqualTo(1);
        assertThat(Batch.nextChunk(5, 2)).isEqualTo(2);
        assertThat(Batch.nextChunk(4, 3)).isEqualTo(2);
    }

    @Test
    void aBatchRunsTheDecodeStepsFirstAndEachEntryGetsItsOwnLogits() {
        RecordingModel m = new RecordingModel(null);
        Session a = m.newSession(10);
        Session b = m.newSession(10);
        Session c = m.newSession(10);
        m.forward(a, new int[] {1, 2}, 0, 2, new float[4]);
        m.forward(c, new int[] {1, 2, 3, 0}, 0, 4, new float[4]);
        m.calls.clear();
        Batch batch = m.newBatch(8);
        float[] logits = new float[3 * 4 + 4 * 3];
        batch.add(b, new int[] {1, 2, 3}, 0, 3, logits, 0, true);
        batch.add(a, new int[] {3}, 0, 1, logits, 12, false);
        batch.add(c, new int[] {0}, 0, 1, logits, 16, false);
        m.forward(batch);
        assertThat(m.calls).containsExactly("embed 1@2", "embed 1@4", "embed 3@0", "layer 0 (2 single of 5)",
                "layer 1 (2 single of 5)", "norm 0+1->0", "norm 1+1->1", "head each 2->0", "norm 2+3->0", "head 3->0");
        assertThat(new float[] {logits[0], logits[4], logits[8], logits[12], logits[16]})
                .containsExactly(0, 1, 2, 2, 4);
        assertThat(new int[] {a.position(), b.position(), c.position()}).containsExactly(3, 3, 5);

        batch.clear();
        batch.add(a, new int[] {1}, 0, 1, logits, 0, false);
        batch.add(b, new int[] {9}, 0, 1, logits, 4, false);
        assertThatThrownBy(() -> m.forward(batch)).hasMessageContaining("token id 9");
        assertThat(new int[] {a.position(), b.position()}).as("a refused batch runs nothing").containsExactly(3, 3);
        assertThatThrownBy(() -> batch.add(a, new int[] {1}, 0, 1, logits, 0, false))
                .hasMessageContaining("already in the batch");
        assertThatThrownBy(() -> new RecordingModel(null).forward(batch)).hasMessageContaining("not made by this model");
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

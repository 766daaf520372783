package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.decoder.DecoderModel;
import io.github.vectorlm.generation.ForwardingLanguageModel;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Progress of forward passes, on the demo model: what it reports, and that reporting changes no result. */
class ProgressReportingModelTest {
    private static LanguageModel demo;

    @BeforeAll
    static void load() throws IOException {
        demo = LanguageModels.load(Cli.DEMO);
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    private record Event(String task, long done, long total) {
    }

    private static int[] randomIds(long seed, int n) {
        System.out.println("ids seed " + seed);
        return new SplittableRandom(seed).ints(n, 0, 50257).toArray();
    }

    @Test
    void aPromptLongerThanTheChunkIsRunChunkByChunkWithTheSameLogits() {
        DecoderModel model = (DecoderModel) demo;
        int[] prompt = randomIds(11, 100);
        List<Event> events = new ArrayList<>();
        ProgressReportingModel reporting = new ProgressReportingModel(model, (t, d, n) -> events.add(new Event(t, d, n)));
        float[] plain = new float[model.vocabSize()];
        float[] reported = new float[model.vocabSize()];
        // sessions of 16-position chunks: the model itself cuts the 100 positions at 16, 32, ...
        Session a = model.newSession(256, 16);
        Session b = model.newSession(256, 16);

        model.forward(a, prompt, 0, prompt.length, plain);
        reporting.expect("prompt", prompt.length);
        reporting.forward(b, prompt, 0, prompt.length, reported);

        assertThat(reported).containsExactly(plain);
        assertThat(b.position()).isEqualTo(a.position()).isEqualTo(100);
        assertThat(events).extracting(Event::done).containsExactly(0L, 16L, 32L, 48L, 64L, 80L, 96L, 100L);
        assertThat(events).allMatch(e -> e.task().equals("prompt") && e.total() == 100);
        // later calls (decode steps) run unreported, and on the same state
        int[] next = {198};
        model.forward(a, next, 0, 1, plain);
        reporting.forward(b, next, 0, 1, reported);
        assertThat(reported).containsExactly(plain);
        assertThat(events).hasSize(8);
    }

    @Test
    void aCallTheModelRefusesIsPassedOnWholeAndLeavesTheSession() {
        DecoderModel model = (DecoderModel) demo;
        ProgressReportingModel reporting = new ProgressReportingModel(model, (t, d, n) -> { });
        Session s = model.newSession(64, 16);
        int[] ids = randomIds(12, 40);
        ids[35] = 60_000; // outside the vocabulary, in the third chunk
        reporting.expect("prompt", ids.length);
        assertThatThrownBy(() -> reporting.forward(s, ids, 0, ids.length, new float[model.vocabSize()]))
                .hasMessageContaining("token id 60000 at index 35");
        assertThat(s.position()).isZero();
    }

    @Test
    void theScorersPositionsAreCountedToTheTotal() {
        int[] ids = randomIds(13, 700);
        long[] ran = {0};
        List<Event> events = new ArrayList<>();
        ProgressReportingModel reporting = new ProgressReportingModel(new CountingModel(demo, ran),
                (t, d, n) -> events.add(new Event(t, d, n)));
        Scorer scorer = new Scorer(reporting, 256, 96);
        long expected = ProgressReportingModel.scoredPositions(ids.length, 256, 96);
        reporting.expect("scoring", expected);

        Scorer.Score score = scorer.score(ids);

        assertThat(ran[0]).as("positions the scorer ran").isEqualTo(expected);
        assertThat(events.getLast()).isEqualTo(new Event("scoring", expected, expected));
        assertThat(events).extracting(Event::done).isSorted();
        assertThat(score.loss()).isEqualTo(new Scorer(demo, 256, 96).score(ids).loss());
        assertThat(ProgressReportingModel.scoredPositions(10, 256, 128)).isEqualTo(9);
    }

    /** Counts the positions that reach the model. */
    private static final class CountingModel extends ForwardingLanguageModel {
        private final long[] ran;

        CountingModel(LanguageModel model, long[] ran) {
            super(model);
            this.ran = ran;
        }

        @Override
        public void forward(Session session, int[] tokens, int offset, int count, float[] logits) {
            ran[0] += count;
            super.forward(session, tokens, offset, count, logits);
        }

        @Override
        public void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits) {
            ran[0] += count;
            super.forwardAll(session, tokens, offset, count, logits);
        }
    }
}

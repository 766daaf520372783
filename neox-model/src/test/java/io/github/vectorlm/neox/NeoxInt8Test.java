package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadOptions#int8()}: the layers' matrices in the LLM.int8() scheme. The accuracy that
 * matters is on real text: the perplexity of {@code models/neox-shakespeare} on its 2,000
 * validation tokens may change by at most 1% against the weights as stored.
 */
class NeoxInt8Test {
    @Test
    void perplexityOnRealTextChangesByLessThanOnePercent() throws IOException {
        JsonNode score = Fixtures.json(NeoxFixtures.SHAKESPEARE.resolve("score.json"), "tools/train_neox_shakespeare.py");
        int[] ids = Fixtures.ints(score.get("ids"));
        int window = score.get("window").asInt();
        int stride = score.get("stride").asInt();
        Scorer.Score exact;
        Scorer.Score int8;
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults())) {
            exact = new Scorer(model, window, stride).score(ids);
        }
        List<Long> progress = new ArrayList<>();
        LoadOptions options = LoadOptions.defaults().withInt8(true).withProgress((task, done, total) -> {
            if (task.contains("int8")) {
                progress.add(done);
            }
        });
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, options)) {
            assertThat(model.int8()).isTrue();
            assertThat(model.toString()).contains("int8");
            int8 = new Scorer(model, window, stride).score(ids);
        }
        double change = int8.perplexity() / exact.perplexity() - 1;
        System.out.printf("neox-shakespeare, 2000 validation tokens: perplexity %.4f as stored (loss %.6f), "
                + "%.4f int8 (loss %.6f): %+.3f%%%n", exact.perplexity(), exact.loss(), int8.perplexity(), int8.loss(),
                100 * change);
        assertThat(exact.loss()).isCloseTo(score.get("loss").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Math.abs(change)).as("relative perplexity change").isLessThan(0.01);
        // int8 really ran: the quantization error moves the loss
        assertThat(int8.loss()).isNotEqualTo(exact.loss());
        // 4 layers × 4 matrices quantized, reported one by one
        assertThat(progress).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L);
    }

    /** The int8 kernels split work over outputs only, as the float ones do: one thread and two give the same bits. */
    @Test
    void int8IsBitIdenticalForOneAndTwoThreads() throws IOException {
        Path folder = NeoxFixtures.hf("par_r25_f16_st");
        int[] ids = Expected.read(folder).ids();
        float[][] results = new float[2][];
        for (int t = 1; t <= 2; t++) {
            try (Parallel parallel = Parallel.create(t);
                    NeoxModel model = new NeoxLoader().load(folder,
                            LoadOptions.defaults().withInt8(true).withParallel(parallel))) {
                results[t - 1] = Decoding.cached(model, ids, 6); // prefill 6, then one at a time
            }
        }
        assertThat(results[1]).containsExactly(results[0]);
    }

    /**
     * On the random-weight oracle fixtures int8 stays near Hugging Face's float logits (a loose bound:
     * random weights have no outlier structure and quantize worse than trained ones), and works on
     * merged slim weights and with a layer filter.
     */
    @Test
    void int8StaysNearTheFloatLogits() throws IOException {
        for (String variant : new String[] {"par_r25_f32_st", "seq_r100_f32_bin", "par_r25_bf16_st", "slim"}) {
            Path folder = NeoxFixtures.hf(variant);
            Expected e = Expected.read(folder);
            try (NeoxModel model = new NeoxLoader().load(folder, LoadOptions.defaults().withInt8(true))) {
                Logits.assertClose(variant + " int8 vs Hugging Face float", Decoding.full(model, e.ids()), 0,
                        e.logits(), 5e-2);
            }
        }
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf("slim"),
                LoadOptions.defaults().withInt8(true).withLayers(l -> l == 0))) {
            assertThat(model.loadedLayers()).containsExactly(0);
            assertThat(model.int8()).isTrue();
        }
    }
}

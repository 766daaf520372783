package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadOptions#quantize()}: the layers' matrices as Q8_0/Q4_0 blocks, the head as Q8_0.
 * Accuracy on real text, as {@link NeoxInt8Test}: {@code models/neox-shakespeare}'s perplexity on
 * its 2,000 validation tokens within 1 % of the weights as stored for Q8_0, 2 % for Q4_0.
 */
class NeoxQuantizationTest {
    @Test
    void perplexityOnRealTextStaysNearTheWeightsAsStored() throws IOException {
        JsonNode score = Fixtures.json(NeoxFixtures.SHAKESPEARE.resolve("score.json"), "tools/train_neox_shakespeare.py");
        int[] ids = Fixtures.ints(score.get("ids"));
        int window = score.get("window").asInt();
        int stride = score.get("stride").asInt();
        double exact;
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults())) {
            exact = new Scorer(model, window, stride).score(ids).perplexity();
        }
        for (BlockType type : new BlockType[] {BlockType.Q8_0, BlockType.Q4_0}) {
            try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE,
                    LoadOptions.defaults().withQuantize(type))) {
                assertThat(model.quantization()).isEqualTo(type.name());
                assertThat(model.int8()).isFalse();
                double quantized = new Scorer(model, window, stride).score(ids).perplexity();
                double change = quantized / exact - 1;
                System.out.printf("neox-shakespeare, 2000 validation tokens: perplexity %.4f as stored, %.4f %s: %+.3f%%%n",
                        exact, quantized, type, 100 * change);
                assertThat(Math.abs(change)).as("%s relative perplexity change", type)
                        .isLessThan(type == BlockType.Q8_0 ? 0.01 : 0.02);
                assertThat(quantized).isNotEqualTo(exact);
            }
        }
    }

    /** Bit-identical on one thread and two; near the float logits on the oracle fixtures, slim weights included. */
    @Test
    void quantizedModelsAreThreadInvariantAndNearTheFloatLogits() throws IOException {
        Path folder = NeoxFixtures.hf("par_r25_f16_st");
        int[] ids = Expected.read(folder).ids();
        float[][] results = new float[2][];
        for (int t = 1; t <= 2; t++) {
            try (Parallel parallel = Parallel.create(t);
                    NeoxModel model = new NeoxLoader().load(folder,
                            LoadOptions.defaults().withQuantize(BlockType.Q4_0).withParallel(parallel))) {
                results[t - 1] = Decoding.cached(model, ids, 6); // prefill 6, then one at a time
            }
        }
        assertThat(results[1]).containsExactly(results[0]);
        for (String variant : new String[] {"par_r25_f32_st", "seq_r100_f32_bin", "slim"}) {
            Path f = NeoxFixtures.hf(variant);
            Expected e = Expected.read(f);
            try (NeoxModel model = new NeoxLoader().load(f, LoadOptions.defaults().withQuantize(BlockType.Q8_0))) {
                Logits.assertClose(variant + " Q8_0 vs Hugging Face float", Decoding.full(model, e.ids()), 0,
                        e.logits(), 5e-2);
            }
        }
    }
}

package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.Logits;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The repository's demo model ({@code models/gpt2-shakespeare}: a nanoGPT checkpoint written by
 * PyTorch 2.11, float16 weights, wte and lm_head sharing one storage) against the loss PyTorch
 * computed from it in float32 ({@code score.json}, made by {@code tools/train_demo_model.py}).
 */
class DemoModelTest {
    private static final Path FOLDER = Path.of("../models/gpt2-shakespeare");

    @Test
    void slidingWindowLossMatchesPyTorch() throws Exception {
        String madeBy = "tools/train_demo_model.py (see models/gpt2-shakespeare/README.md)";
        Fixtures.require(FOLDER.resolve("ckpt.pt"), madeBy);
        JsonNode score = Fixtures.json(FOLDER.resolve("score.json"), madeBy);
        int[] ids = Fixtures.ints(score.get("ids"));
        int window = score.get("window").intValue();
        int stride = score.get("stride").intValue();
        try (Parallel p = Parallel.create(2);
                Gpt2Model model = new Gpt2Loader().load(FOLDER, LoadOptions.defaults().withParallel(p))) {
            assertThat(model.config()).isEqualTo(new Gpt2Config(50304, 256, 128, 6, 4, 512, 1e-5f,
                    Gpt2Config.Activation.GELU_ERF, true));
            assertThat(model.weights().blocks().get(5).mlpUp().weight().dtype()).isEqualTo(DType.F16);
            // the tokenizer beside the checkpoint (encoder.json + vocab.bpe) came with it
            assertThat(model.tokenizer()).isPresent();
            assertThat(model.tokenizer().get().decode(ids)).isEqualTo(score.get("text").asText());
            double loss = slidingWindowLoss(model, ids, window, stride);
            System.out.printf("demo model: loss %.6f over %d tokens, PyTorch %.6f%n", loss, ids.length,
                    score.get("loss").doubleValue());
            assertThat(loss).isCloseTo(score.get("loss").doubleValue(), within(Oracle.LOSS_TOLERANCE));
        }
    }

    /**
     * The rule of {@code score.json}: windows of {@code window} tokens every {@code stride}; each
     * token after the first is scored once, in the first window that holds it with context before it.
     */
    private static double slidingWindowLoss(Gpt2Model model, int[] ids, int window, int stride) {
        int vocab = model.vocabSize();
        float[] logits = new float[window * vocab];
        Session s = model.newSession();
        double total = 0;
        int count = 0;
        int previousEnd = 0;
        for (int begin = 0; ; begin += stride) {
            int end = Math.min(begin + window, ids.length);
            s.reset();
            model.forwardAll(s, ids, begin, end - begin, logits);
            for (int p = Math.max(previousEnd, begin + 1); p < end; p++) {
                total += Logits.crossEntropy(logits, (p - 1 - begin) * vocab, vocab, ids[p]);
                count++;
            }
            previousEnd = end;
            if (end == ids.length) {
                break;
            }
        }
        assertThat(count).isEqualTo(ids.length - 1);
        return total / count;
    }
}

package io.github.vectorlm.neox;

import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.AllocationProbe;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No allocation in the token loop, from this module's code or the decoder core's
 * ({@link AllocationProbe}: JFR samples with stacks while a warmed-up model prefills and decodes),
 * with weights as stored and in int8.
 */
class NeoxAllocationTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theForwardPassAllocatesNothingInTheModel(boolean int8) throws Exception {
        int[] ids = new int[64];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 37 + 11) % 128;
        }
        try (Parallel parallel = Parallel.create(2);
                NeoxModel model = new NeoxLoader().load(NeoxFixtures.hf("par_r25_f16_st"),
                        LoadOptions.defaults().withParallel(parallel).withInt8(int8))) {
            Session s = model.newSession();
            float[] logits = new float[ids.length * model.vocabSize()];
            for (int round = 0; round < 3; round++) {
                run(model, s, ids, logits); // warm the JIT up
            }
            AllocationProbe.assertNoAllocationIn("int8=" + int8, List.of("io.github.vectorlm.neox.",
                    "io.github.vectorlm.decoder."), 10, ids.length, () -> run(model, s, ids, logits));
        }
    }

    /** A prefill of half the ids, then decode steps for the rest. */
    private static void run(NeoxModel model, Session s, int[] ids, float[] logits) {
        s.reset();
        int half = ids.length / 2;
        model.forwardAll(s, ids, 0, half, logits);
        for (int t = half; t < ids.length; t++) {
            model.forward(s, ids, t, 1, logits);
        }
    }
}

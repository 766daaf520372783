package io.github.vectorlm.gpt2;

import io.github.vectorlm.decoder.Projection;
import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightTable;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.InMemoryCheckpoint;
import java.io.IOException;
import java.util.Map;

/** Models built from in-memory tensors. */
final class TestModels {
    private TestModels() {
    }

    static Gpt2Model model(Gpt2Config config, WeightTable<Gpt2WeightLayout.Parameter> layout, Map<String, Tensor> tensors,
            Parallel parallel) throws IOException {
        InMemoryCheckpoint checkpoint = new InMemoryCheckpoint("in-memory.safetensors", tensors);
        Gpt2Weights weights = Gpt2Weights.map(StateDict.of(checkpoint), config, layout);
        return new Gpt2Model(config, weights, parallel, null, Projection::of, Projection.of(weights.head()), "",
                checkpoint);
    }

    static int[] ids(long seed, int n, int vocab) {
        java.util.Random r = new java.util.Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }
}

package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightKey;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.decoder.WeightReader;
import io.github.vectorlm.neox.NeoxWeightLayout.Parameter;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * GPT-NeoX's parameters: f32, f16 or bf16 as stored, every matrix [out, in] as {@code nn.Linear}
 * stores it. From a Hugging Face checkpoint they are views of the mapped file (no copy); from NeoX
 * slim weights they are the merged copies {@link NeoxSlimMerger} made.
 *
 * @param embedding the input embedding [vocab, hidden]
 * @param layers the loaded transformer layers in order (all of them unless a layer filter was given):
 *     input_layernorm, query_key_value (outputs [n_heads, 3, head_dim]), attention.dense,
 *     post_attention_layernorm, mlp.dense_h_to_4h, mlp.dense_4h_to_h
 * @param finalNormWeight the final LayerNorm's weight
 * @param finalNormBias the final LayerNorm's bias
 * @param head the output projection hidden → vocab, no bias; over {@code embedding} when tied
 */
record NeoxWeights(Tensor embedding, List<LayerWeights> layers, Tensor finalNormWeight, Tensor finalNormBias, Linear head) {

    NeoxWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Builds the weights of the layers {@code loadLayer} accepts (null: all) from {@code r}, whose
     * tensors are stored as Hugging Face stores them ({@link NeoxWeightLayout#HUGGING_FACE}).
     */
    static NeoxWeights assemble(NeoxConfig config, IntPredicate loadLayer, WeightReader<Parameter> r)
            throws IOException {
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            if (loadLayer != null && !loadLayer.test(l)) {
                continue;
            }
            layers.add(NeoxWeightLayout.LAYER.read(r, l));
        }
        Tensor embedding = r.tensor(Parameter.EMBEDDING, -1);
        Tensor head = config.tiedEmbeddings() ? embedding : r.tensor(Parameter.HEAD, -1);
        return new NeoxWeights(embedding, layers, r.tensor(Parameter.FINAL_NORM_WEIGHT, -1),
                r.tensor(Parameter.FINAL_NORM_BIAS, -1), Linear.outIn(head, null));
    }

    /**
     * Maps a Hugging Face checkpoint through {@link NeoxWeightLayout#HUGGING_FACE}. Every tensor is
     * checked before any is read: missing, unknown, misshaped or non-float tensors are all reported
     * in one exception. The tensors stay views of the checkpoint's mapped file.
     *
     * @throws WeightMappingException listing every problem
     */
    static NeoxWeights mapHuggingFace(Checkpoint checkpoint, NeoxConfig config, IntPredicate loadLayer)
            throws IOException {
        StateDict state = StateDict.of(checkpoint);
        Map<WeightKey<Parameter>, String> names = checkHuggingFace(state, config);
        return assemble(config, loadLayer, WeightReader.of(NeoxWeightLayout.HUGGING_FACE, state, names));
    }

    /** The checkpoint name of every parameter present, after checking them all. */
    static Map<WeightKey<Parameter>, String> checkHuggingFace(StateDict state, NeoxConfig config)
            throws WeightMappingException {
        return NeoxWeightLayout.HUGGING_FACE.check(state, config.shape(), p -> p.presence(config), "GPT-NeoX",
                config.summary());
    }
}

package io.github.vectorlm.gpt2;

import io.github.vectorlm.decoder.LayerWeights;
import io.github.vectorlm.decoder.Presence;
import io.github.vectorlm.decoder.StateDict;
import io.github.vectorlm.decoder.WeightKey;
import io.github.vectorlm.decoder.WeightMappingException;
import io.github.vectorlm.decoder.WeightReader;
import io.github.vectorlm.decoder.WeightTable;
import io.github.vectorlm.gpt2.Gpt2WeightLayout.Parameter;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's parameters as views of the checkpoint's tensors: f32, f16 or bf16 as stored, in the
 * orientation stored, no copies. The LM head is the token embedding read as an [out, in] matrix.
 *
 * @param tokenEmbedding wte [vocab, n_embd]
 * @param positionEmbedding wpe [n_ctx, n_embd]
 * @param blocks the transformer blocks in order: ln_1, attn.c_attn (outputs [q | k | v]), attn.c_proj,
 *     ln_2, mlp.c_fc, mlp.c_proj; biases null without biases
 * @param finalNormWeight ln_f weight
 * @param finalNormBias ln_f bias, or null without biases
 * @param head the tied LM head: {@code Linear.outIn(wte, null)}
 */
record Gpt2Weights(Tensor tokenEmbedding, Tensor positionEmbedding, List<LayerWeights> blocks, Tensor finalNormWeight,
        Tensor finalNormBias, Linear head) {

    Gpt2Weights {
        blocks = List.copyOf(blocks);
    }

    /**
     * Maps {@code state} through {@code table}. Every tensor is checked before any is read:
     * missing, unknown, wrongly shaped or non-float tensors are all reported in one exception.
     *
     * @throws WeightMappingException listing every problem
     * @throws IOException if a tensor cannot be read
     */
    static Gpt2Weights map(StateDict state, Gpt2Config config, WeightTable<Parameter> table) throws IOException {
        WeightReader<Parameter> r = reader(state, config, table);
        List<LayerWeights> blocks = new ArrayList<>(config.layers());
        for (int l = 0; l < config.layers(); l++) {
            blocks.add(Gpt2WeightLayout.BLOCK.read(r, l));
        }
        Tensor wte = r.tensor(Parameter.TOKEN_EMBEDDING, -1);
        return new Gpt2Weights(wte, r.tensor(Parameter.POSITION_EMBEDDING, -1), blocks,
                r.tensor(Parameter.FINAL_NORM_WEIGHT, -1), r.optional(Parameter.FINAL_NORM_BIAS, -1),
                Linear.outIn(wte, null));
    }

    /**
     * A reader of {@code state}'s tensors through {@code table}, after checking them all.
     *
     * @throws WeightMappingException listing every problem
     */
    static WeightReader<Parameter> reader(StateDict state, Gpt2Config config, WeightTable<Parameter> table)
            throws WeightMappingException {
        Map<WeightKey<Parameter>, String> names = table.check(state, config.shape(), p -> presence(p, config),
                "GPT-2", config.summary());
        return WeightReader.of(table, state, names);
    }

    /** Whether a checkpoint of {@code config} holds {@code p}: biases go with the config, the tied head's copy may. */
    private static Presence presence(Parameter p, Gpt2Config config) {
        if (p == Parameter.TIED_HEAD) {
            return Presence.OPTIONAL;
        }
        return p.isBias() && !config.bias() ? Presence.absent("the config has bias=False") : Presence.REQUIRED;
    }
}

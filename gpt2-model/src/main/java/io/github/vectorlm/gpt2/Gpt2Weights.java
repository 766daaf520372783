package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.gpt2.Gpt2WeightLayout.Entry;
import io.github.vectorlm.gpt2.Gpt2WeightLayout.Parameter;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Linear;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * GPT-2's parameters as views of the checkpoint's tensors: f32, f16 or bf16 as stored, in the
 * orientation stored, no copies. The LM head is the token embedding read as an [out, in] matrix.
 *
 * @param tokenEmbedding wte [vocab, n_embd]
 * @param positionEmbedding wpe [n_ctx, n_embd]
 * @param blocks the transformer blocks in order
 * @param finalNormWeight ln_f weight
 * @param finalNormBias ln_f bias, or null without biases
 * @param head the tied LM head: {@code Linear.outIn(wte, null)}
 */
record Gpt2Weights(Tensor tokenEmbedding, Tensor positionEmbedding, List<Block> blocks, Tensor finalNormWeight,
        Tensor finalNormBias, Linear head) {

    Gpt2Weights {
        blocks = List.copyOf(blocks);
    }

    /**
     * One pre-LN transformer block; biases are null without biases.
     *
     * @param norm1Weight ln_1 weight
     * @param norm1Bias ln_1 bias
     * @param attention attn.c_attn: n_embd → 3·n_embd, outputs [q | k | v]
     * @param attentionOutput attn.c_proj
     * @param norm2Weight ln_2 weight
     * @param norm2Bias ln_2 bias
     * @param mlpUp mlp.c_fc
     * @param mlpDown mlp.c_proj
     */
    record Block(Tensor norm1Weight, Tensor norm1Bias, Linear attention, Linear attentionOutput, Tensor norm2Weight,
            Tensor norm2Bias, Linear mlpUp, Linear mlpDown) {
    }

    /**
     * Maps {@code state} through {@code layout}'s table. Every tensor is checked before any is read:
     * missing, unknown, wrongly shaped or non-float tensors are all reported in one exception.
     *
     * @throws WeightMappingException listing every problem
     * @throws IOException if a tensor cannot be read
     */
    static Gpt2Weights map(StateDict state, Gpt2Config config, Gpt2WeightLayout layout) throws IOException {
        List<String> keys = state.keys();
        String prefix = layout.detectPrefix(keys);
        check(state, config, layout, prefix);
        Reader r = new Reader(state, layout, prefix);
        List<Block> blocks = new ArrayList<>(config.layers());
        for (int l = 0; l < config.layers(); l++) {
            blocks.add(new Block(
                    r.vector(Parameter.NORM_1_WEIGHT, l), r.bias(config, Parameter.NORM_1_BIAS, l),
                    r.linear(config, Parameter.ATTENTION_WEIGHT, Parameter.ATTENTION_BIAS, l),
                    r.linear(config, Parameter.ATTENTION_OUTPUT_WEIGHT, Parameter.ATTENTION_OUTPUT_BIAS, l),
                    r.vector(Parameter.NORM_2_WEIGHT, l), r.bias(config, Parameter.NORM_2_BIAS, l),
                    r.linear(config, Parameter.MLP_UP_WEIGHT, Parameter.MLP_UP_BIAS, l),
                    r.linear(config, Parameter.MLP_DOWN_WEIGHT, Parameter.MLP_DOWN_BIAS, l)));
        }
        Tensor wte = r.vector(Parameter.TOKEN_EMBEDDING, -1);
        return new Gpt2Weights(wte, r.vector(Parameter.POSITION_EMBEDDING, -1), blocks,
                r.vector(Parameter.FINAL_NORM_WEIGHT, -1), r.bias(config, Parameter.FINAL_NORM_BIAS, -1),
                Linear.outIn(wte, null));
    }

    private static void check(StateDict state, Gpt2Config config, Gpt2WeightLayout layout, String prefix)
            throws WeightMappingException {
        List<String> problems = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (Entry e : layout.entries()) {
            Parameter p = e.parameter();
            int count = p.perLayer() ? config.layers() : 1;
            for (int l = 0; l < count; l++) {
                String name = Gpt2WeightLayout.name(e, prefix, l);
                long[] expected = e.expectedShape(config);
                boolean present = state.contains(name);
                boolean wanted = !p.isBias() || config.bias();
                if (present) {
                    known.add(name);
                    TensorInfo info = state.info(name);
                    if (!wanted) {
                        problems.add("unexpected '" + name + "' " + info.shape() + ": the config has bias=False");
                        continue;
                    }
                    if (!info.shape().equals(Shape.of(expected))) {
                        problems.add("'" + name + "' has shape " + info.shape() + ", expected "
                                + Arrays.toString(expected));
                    }
                    DType d = info.dtype();
                    if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
                        problems.add("'" + name + "' is " + d + ", expected F32, F16 or BF16");
                    }
                } else if (wanted && p != Parameter.TIED_HEAD) {
                    problems.add("missing '" + name + "', expected shape " + Arrays.toString(expected));
                }
            }
        }
        var ignored = layout.ignoredPatterns(prefix);
        for (String name : state.keys()) {
            if (!known.contains(name) && !Gpt2WeightLayout.matchesAny(ignored, name)) {
                TensorInfo info = state.info(name);
                problems.add("unexpected '" + name + "' " + info.dtype() + info.shape());
            }
        }
        if (!problems.isEmpty()) {
            String what = layout.description() + " GPT-2 weights"
                    + (prefix.isEmpty() ? "" : " (names prefixed '" + prefix + "')")
                    + " for n_layer " + config.layers() + ", n_embd " + config.embeddingSize() + ", vocab "
                    + config.vocabSize() + ", n_ctx " + config.contextLength() + (config.bias() ? "" : ", bias=False");
            throw new WeightMappingException(state.path(), what, problems);
        }
    }

    /** Reads checked tensors as the model's views. */
    private record Reader(StateDict state, Gpt2WeightLayout layout, String prefix) {
        Tensor vector(Parameter p, int layer) throws IOException {
            Entry e = layout.entry(p);
            Tensor t = state.tensor(Gpt2WeightLayout.name(e, prefix, Math.max(layer, 0)));
            for (int i = 0; i < e.leadingOnes(); i++) {
                t = t.slice(0, 0); // OpenAI's [1, in, out] conv weight seen as [in, out], no copy
            }
            // A checkpoint may store a strided view (a transposed tensor saved as such); the kernels read
            // contiguous rows, so only then is a copy made.
            return t.contiguous();
        }

        Tensor bias(Gpt2Config config, Parameter p, int layer) throws IOException {
            return config.bias() ? vector(p, layer) : null;
        }

        Linear linear(Gpt2Config config, Parameter weight, Parameter bias, int layer) throws IOException {
            Tensor w = vector(weight, layer);
            Tensor b = bias(config, bias, layer);
            return switch (layout.entry(weight).storage()) {
                case IN_OUT -> Linear.inOut(w, b);
                case OUT_IN -> Linear.outIn(w, b);
                default -> throw new IllegalStateException(weight + " is no matrix in the " + layout.description()
                        + " table");
            };
        }
    }
}

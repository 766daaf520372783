package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.decoder.Closeables;
import io.github.vectorlm.decoder.GgufModelFile;
import io.github.vectorlm.decoder.GgufNames;
import io.github.vectorlm.decoder.ModelPool;
import io.github.vectorlm.decoder.Projection;
import io.github.vectorlm.decoder.WeightQuantization;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import java.io.IOException;
import java.nio.file.Path;

/**
 * GPT-NeoX from a GGUF file of architecture {@code gptneox}, as llama.cpp's
 * {@code convert_hf_to_gguf.py} writes it. Hyperparameters: {@code gptneox.block_count},
 * {@code .context_length}, {@code .embedding_length}, {@code .feed_forward_length},
 * {@code .attention.head_count}, {@code .attention.layer_norm_epsilon},
 * {@code .use_parallel_residual}, {@code .rope.dimension_count} (the rotated dimensions per head:
 * {@code int(rotary_pct × head_dim)}, so the rotary fraction is dimension_count / head_dim) and
 * {@code .rope.freq_base} when present, else 10000: the converter does not write it and llama.cpp
 * assumes 10000 (a model trained with another base, as {@code rotary_emb_base} allows, runs with
 * the wrong rotation from such a file, in llama.cpp as here).
 *
 * <p>Tensors (every matrix [out, in]): {@code token_embd.weight}, {@code blk.N.attn_norm},
 * {@code blk.N.attn_qkv} (the converter reorders HF's per-head [n_heads, 3, head_dim] rows into
 * [q | k | v], each [n_heads, head_dim], as llama.cpp's graph splits them: views at 0, d and 2d),
 * {@code blk.N.attn_output}, {@code blk.N.ffn_norm}, {@code blk.N.ffn_up}, {@code blk.N.ffn_down},
 * each with its bias, {@code output_norm.{weight,bias}} and {@code output.weight}. The MLP's GELU
 * is the exact (erf) form, as the Hugging Face configs of Pythia and the NeoX models say
 * ({@code hidden_act} "gelu"); the file does not record it, and llama.cpp computes its tanh
 * approximation instead (a difference of at most ~5e-4 per activation).
 */
final class NeoxGgufLoader {
    private NeoxGgufLoader() {
    }

    static NeoxModel load(Path path, LoadOptions options) throws IOException {
        GgufModelFile f = GgufModelFile.open(path, "gptneox");
        ModelPool pool = null;
        WeightQuantization quantization = null;
        try {
            if (options.layers() != null) {
                throw new UnsupportedCheckpointException(path, null, "loading a subset of layers is not supported "
                        + "from a GGUF file");
            }
            int layers = f.positiveInt(GgufNames.BLOCK_COUNT);
            int context = f.positiveInt(GgufNames.CONTEXT_LENGTH);
            int width = f.positiveInt(GgufNames.EMBEDDING_LENGTH);
            int inner = f.positiveInt(GgufNames.FEED_FORWARD_LENGTH);
            int heads = f.positiveInt(GgufNames.HEAD_COUNT);
            float eps = (float) f.number(GgufNames.LAYER_NORM_EPSILON, null);
            boolean parallel = f.bool(GgufNames.PARALLEL_RESIDUAL);
            double base = f.number(GgufNames.ROPE_FREQ_BASE, 10000.0);
            double rotaryDims = f.number(GgufNames.ROPE_DIMENSION_COUNT, null);
            long vocab = f.contains(GgufNames.TOKEN_EMBD) ? f.checkpoint().info(GgufNames.TOKEN_EMBD).shape().dim(0) : 1;
            int headDim = width / Math.max(1, heads);
            if (rotaryDims != Math.rint(rotaryDims) || rotaryDims < 0 || rotaryDims > headDim || vocab > Integer.MAX_VALUE) {
                throw new CorruptCheckpointException(path, null, "gptneox.rope.dimension_count " + rotaryDims
                        + " is not a whole number of dimensions in [0, " + headDim + "] (head size)");
            }
            double fraction = rotaryDims / headDim;
            if ((int) (headDim * fraction) != (int) rotaryDims) {
                fraction = Math.nextUp(fraction); // so that int(head_dim × fraction) gives the dimensions back
            }
            NeoxConfig config;
            try {
                config = new NeoxConfig((int) vocab, width, layers, heads, inner, context, fraction, base, parallel,
                        NeoxConfig.Activation.GELU_ERF, eps, false, true);
            } catch (IllegalArgumentException e) {
                throw new CorruptCheckpointException(path, null, e.getMessage());
            }
            f.expect(GgufNames.TOKEN_EMBD, vocab, width);
            f.expectLayerNormBlocks(layers, width, inner);
            f.expect("output_norm.weight", width);
            f.expect("output_norm.bias", width);
            f.expect(GgufNames.OUTPUT, vocab, width);
            f.checkTensors();
            Tokenizer tokenizer = options.tokenizer() != null ? Tokenizers.load(options.tokenizer()) : f.tokenizer((int) vocab);

            options.progress().progress("mapping GPT-NeoX weights", 0, 1);
            pool = ModelPool.of(options);
            quantization = WeightQuantization.of(options, "GPT-NeoX", 4 * layers);
            GgufModelFile.LayerNormBlocks blocks = f.layerNormBlocks(layers, quantization::layer);
            WeightQuantization q = quantization;
            Projection head = f.projection(GgufNames.OUTPUT, null, q::head);
            NeoxWeights held = new NeoxWeights(null, blocks.weights(), f.tensor("output_norm.weight"),
                    f.tensor("output_norm.bias"), null);
            options.progress().progress("mapping GPT-NeoX weights", 1, 1);
            return new NeoxModel(config, held, blocks.projections(), f.embedding(GgufNames.TOKEN_EMBD), false, pool.parallel(),
                    tokenizer, head, WeightQuantization.describe(options), Closeables.inOrder(f, quantization, pool));
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeAfter(e, f, quantization, pool);
            throw e;
        }
    }
}

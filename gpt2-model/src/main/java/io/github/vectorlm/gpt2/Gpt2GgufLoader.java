package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.decoder.Closeables;
import io.github.vectorlm.decoder.GgufModelFile;
import io.github.vectorlm.decoder.GgufNames;
import io.github.vectorlm.decoder.ModelPool;
import io.github.vectorlm.decoder.WeightQuantization;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import java.io.IOException;
import java.nio.file.Path;

/**
 * GPT-2 from a GGUF file of architecture {@code gpt2}, as llama.cpp's {@code convert_hf_to_gguf.py}
 * writes it. Hyperparameters: {@code gpt2.block_count}, {@code .context_length},
 * {@code .embedding_length}, {@code .attention.head_count}, {@code .attention.layer_norm_epsilon},
 * {@code .feed_forward_length} (4 × width when absent). Tensors (every matrix [out, in]; the
 * converter transposes HF's Conv1D weights): {@code token_embd.weight}, {@code position_embd.weight},
 * {@code blk.N.attn_norm.{weight,bias}}, {@code blk.N.attn_qkv.{weight,bias}} (outputs
 * [q | k | v], as HF's c_attn), {@code blk.N.attn_output}, {@code blk.N.ffn_norm},
 * {@code blk.N.ffn_up}, {@code blk.N.ffn_down}, {@code output_norm.{weight,bias}}, and
 * {@code output.weight} (the converter writes a copy of the tied table; when absent the head reads
 * {@code token_embd}). GELU in its tanh form, as GPT-2 and llama.cpp's graph.
 */
final class Gpt2GgufLoader {
    private Gpt2GgufLoader() {
    }

    static Gpt2Model load(Path path, LoadOptions options) throws IOException {
        GgufModelFile f = GgufModelFile.open(path, "gpt2");
        ModelPool pool = null;
        WeightQuantization quantization = null;
        try {
            if (options.layers() != null) {
                throw new UnsupportedCheckpointException(path, null, "loading a subset of layers is not supported for GPT-2");
            }
            int layers = f.positiveInt(GgufNames.BLOCK_COUNT);
            int context = f.positiveInt(GgufNames.CONTEXT_LENGTH);
            int width = f.positiveInt(GgufNames.EMBEDDING_LENGTH);
            int heads = f.positiveInt(GgufNames.HEAD_COUNT);
            double ff = f.number(GgufNames.FEED_FORWARD_LENGTH, 4.0 * width);
            float eps = (float) f.number(GgufNames.LAYER_NORM_EPSILON, null);
            long vocab = f.contains(GgufNames.TOKEN_EMBD) ? f.checkpoint().info(GgufNames.TOKEN_EMBD).shape().dim(0) : 1;
            if (ff != Math.rint(ff) || ff < 1 || ff > Integer.MAX_VALUE || vocab > Integer.MAX_VALUE) {
                throw new CorruptCheckpointException(path, null, "gpt2.feed_forward_length " + ff + " or vocabulary "
                        + vocab + " is not a positive 32-bit integer");
            }
            Gpt2Config config;
            try {
                config = new Gpt2Config((int) vocab, context, width, layers, heads, (int) ff, eps,
                        Gpt2Config.Activation.GELU_TANH, true);
            } catch (IllegalArgumentException e) {
                throw new CorruptCheckpointException(path, null, e.getMessage());
            }
            f.expect(GgufNames.TOKEN_EMBD, vocab, width);
            f.expect(GgufNames.POSITION_EMBD, context, width);
            f.expectLayerNormBlocks(layers, width, config.innerSize());
            f.expect("output_norm.weight", width);
            f.expect("output_norm.bias", width);
            boolean untied = f.contains(GgufNames.OUTPUT);
            if (untied) {
                f.expect(GgufNames.OUTPUT, vocab, width);
            }
            f.checkTensors();
            Tokenizer tokenizer = options.tokenizer() != null ? Tokenizers.load(options.tokenizer()) : f.tokenizer((int) vocab);

            options.progress().progress("mapping GPT-2 weights", 0, 1);
            pool = ModelPool.of(options);
            quantization = WeightQuantization.of(options, "GPT-2", 4 * layers);
            GgufModelFile.LayerNormBlocks blocks = f.layerNormBlocks(layers, quantization::layer);
            WeightQuantization q = quantization;
            var head = f.projection(untied ? GgufNames.OUTPUT : GgufNames.TOKEN_EMBD, null, q::head);
            Gpt2Weights weights = new Gpt2Weights(null, f.tensor(GgufNames.POSITION_EMBD), blocks.weights(),
                    f.tensor("output_norm.weight"), f.tensor("output_norm.bias"), null);
            options.progress().progress("mapping GPT-2 weights", 1, 1);
            return new Gpt2Model(config, weights, blocks.projections(), f.embedding(GgufNames.TOKEN_EMBD), pool.parallel(), tokenizer,
                    head, WeightQuantization.describe(options), Closeables.inOrder(f, quantization, pool));
        } catch (IOException | RuntimeException | Error e) {
            Closeables.closeAfter(e, f, quantization, pool);
            throw e;
        }
    }
}

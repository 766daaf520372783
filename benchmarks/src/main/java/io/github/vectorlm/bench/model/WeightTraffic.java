package io.github.vectorlm.bench.model;

import io.github.vectorlm.bench.ReadProbe;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The weight bytes one decode step reads, from a Hugging Face folder's tensor list: every matrix
 * the step multiplies by (the LM head included), with the biases and LayerNorm parameters beside
 * them. Not counted: the one embedding row and position row a token looks up, buffers
 * ({@code attn.bias}, {@code rotary_emb.inv_freq}), and the KV cache (activations, not weights;
 * about 1% of the weight bytes for the 16 + 128 positions of the decode benchmark).
 *
 * <p>With int8, each transformer-layer matrix of a NeoX model is read as one byte per weight plus
 * one f32 scale per output ({@code Int8Linear}); its bias and the LayerNorms as stored; the head
 * in 16 bits (an f32 head is held as an F16 copy, as LLM.int8 keeps it). Outlier columns, which re-read f32 weights, are not counted:
 * the random benchmark models have none (|x| &gt; 6 never occurs in LayerNorm outputs ≈ N(0, 1)).
 *
 * <p>With Q8_0/Q4_0 ({@code --quantize}), each layer matrix is read as its blocks and the head
 * as Q8_0 blocks; biases and LayerNorms as stored.
 *
 * @param bytes bytes read per decoded token
 * @param matrixDType the dtype of the largest share of those bytes as stored on disk
 */
record WeightTraffic(long bytes, DType matrixDType) {
    /** Where {@link #fileReadRates} leaves the sum it read, so that the reads are kept. */
    private static volatile float readSink;

    /** Reads the tensor list of the checkpoint in {@code folder} (metadata only). */
    static WeightTraffic of(Path folder, String architecture, boolean int8) throws IOException {
        return of(folder, architecture, int8, null);
    }

    /**
     * As {@link #of(Path, String, boolean)}, with the layers' matrices quantized to {@code blocks}
     * (Q8_0 or Q4_0; null for none) and the head to Q8_0, as {@code WeightQuantization} does.
     */
    static WeightTraffic of(Path folder, String architecture, boolean int8, BlockType blocks) throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(folder)) {
            long total = 0;
            Map<DType, Long> byDType = new EnumMap<>(DType.class);
            for (String name : ckpt.tensorNames()) {
                TensorInfo info = ckpt.info(name);
                long bytes = bytesRead(name, info, architecture, int8, blocks);
                total = Math.addExact(total, bytes);
                if (bytes > 0) {
                    byDType.merge(info.dtype(), bytes, Long::sum);
                }
            }
            DType main = byDType.entrySet().stream().max(Map.Entry.comparingByValue())
                    .map(Map.Entry::getKey).orElse(DType.F32);
            return new WeightTraffic(total, main);
        }
    }

    /**
     * GB/s of {@code passes} plain reads ({@link ReadProbe}) of the tensors a decode step reads,
     * as stored in the checkpoint in {@code folder}, mapped from the file as the model maps it
     * (its own mapping of the same page-cache pages): the read-bandwidth limit of this very
     * memory, rather than of a block of anonymous memory. Each pass reads every such tensor once,
     * in file order; the first pass is not counted.
     */
    static double[] fileReadRates(Path folder, String architecture, Parallel parallel, int passes) throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(folder)) {
            List<Tensor> read = new ArrayList<>();
            long bytes = 0;
            for (String name : ckpt.tensorNames()) {
                if (bytesRead(name, ckpt.info(name), architecture, false) > 0) {
                    read.add(ckpt.tensor(name));
                    bytes += ckpt.info(name).dataBytes();
                }
            }
            ReadProbe probe = new ReadProbe(parallel);
            double[] rates = new double[passes];
            float sink = 0;
            for (int pass = -1; pass < passes; pass++) {
                long t0 = System.nanoTime();
                for (Tensor t : read) {
                    sink += probe.read(t.segment(), t.byteOffset(), t.shape().numel() * t.dtype().byteSize());
                }
                long t1 = System.nanoTime();
                if (pass >= 0) {
                    rates[pass] = bytes / (double) (t1 - t0);
                }
            }
            readSink = sink;
            return rates;
        }
    }

    /** What one decode step reads of tensor {@code name}. */
    static long bytesRead(String name, TensorInfo info, String architecture, boolean int8) {
        return bytesRead(name, info, architecture, int8, null);
    }

    /** What one decode step reads of tensor {@code name}, the matrices quantized to {@code blocks} (or null). */
    static long bytesRead(String name, TensorInfo info, String architecture, boolean int8, BlockType blocks) {
        long stored = bytesRead(name, info, architecture, int8 ? "int8" : "");
        if (blocks == null || stored == 0 || info.shape().rank() != 2) {
            return stored;
        }
        boolean head = name.endsWith("wte.weight") || name.endsWith("embed_out.weight");
        boolean layer = architecture.equals("gpt2") ? !head : name.contains(".layers.");
        if (head) {
            return BlockType.Q8_0.bytesFor(info.shape().numel());
        }
        return layer ? blocks.bytesFor(info.shape().numel()) : stored;
    }

    private static long bytesRead(String name, TensorInfo info, String architecture, String mode) {
        boolean int8 = mode.equals("int8");
        if (!info.dtype().isFloatingPoint()) {
            return 0;
        }
        return switch (architecture) {
            case "gpt2" -> {
                // the causal-mask buffers h.N.attn.bias / .masked_bias, not c_attn.bias
                if (name.endsWith("wpe.weight") || name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")
                        || name.equals("lm_head.weight")) { // the tied head reads wte, counted once
                    yield 0;
                }
                yield info.dataBytes();
            }
            case "gpt-neox" -> {
                if (name.endsWith("embed_in.weight") || name.endsWith(".attention.bias")
                        || name.endsWith(".attention.masked_bias") || name.endsWith("inv_freq")) {
                    yield 0;
                }
                if (int8 && info.shape().rank() == 2 && name.contains(".layers.")) {
                    long out = info.shape().dim(0); // NeoX matrices are [out, in]
                    yield Math.addExact(info.shape().numel(), Math.multiplyExact(out, 4L));
                }
                if (int8 && name.endsWith("embed_out.weight") && info.dtype() == DType.F32) {
                    yield Math.multiplyExact(info.shape().numel(), 2L);
                }
                yield info.dataBytes();
            }
            default -> throw new IllegalArgumentException("no decode traffic rule for architecture " + architecture);
        };
    }
}

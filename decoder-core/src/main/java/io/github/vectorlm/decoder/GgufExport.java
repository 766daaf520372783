package io.github.vectorlm.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.checkpoint.GgmlType;
import io.github.vectorlm.checkpoint.GgufWriter;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.BlockQuantizer;
import io.github.vectorlm.tensor.ops.Parallel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model's Hugging Face twin ({@link ExportSource}) converted to GGUF as llama.cpp's
 * {@code convert_hf_to_gguf.py} converts a Hugging Face folder: the same metadata keys and values,
 * the same tensor names, transforms and types.
 *
 * <p>Types, as the converter chooses them: vectors (biases, norms) and GPT-2's position embedding
 * in F32; every other matrix in the export's type, a block type falling back to F16 for rows that
 * are no whole number of blocks. Q4_0, which the converter does not write, keeps the head
 * ({@code output.weight}) in Q8_0, as {@code llama-quantize} keeps it above Q4_0 (in Q6_K, which
 * this library does not write). Where the Hugging Face model ties its head to the embedding,
 * {@code output.weight} is a copy of {@code token_embd.weight}: the converter writes it for GPT-2,
 * and llama.cpp needs it for GPT-NeoX too (the converter leaves it out there, and llama.cpp then
 * refuses the file). For the same reason a GPT-NeoX model without attention biases
 * ({@code attention_bias: false}) gets zero F32 {@code attn_qkv.bias} / {@code attn_output.bias},
 * each right after its weight ({@link #requiredBias}).
 */
final class GgufExport {
    private static final int STAGING_BYTES = 4 << 20;

    private GgufExport() {
    }

    /** Writes {@code source} to {@code out} (the final path: written under a temporary name). */
    static ModelExport.Counts write(ExportSource source, TokenizerExport tokenizer, ExportType type, Path out,
            ModelExport.Progress progress) throws IOException {
        String modelType = source.modelType();
        String arch = GgufNames.architecture(modelType);
        ObjectNode config = source.config(DType.F32, tokenizer == null ? -1 : tokenizer.endOfText());
        GgufWriter.Metadata md = new GgufWriter.Metadata();
        md.putString(GgufNames.ARCHITECTURE, arch);
        md.putString(GgufNames.TYPE, "model");
        md.putString(GgufNames.NAME, source.name());
        md.putString(GgufNames.SIZE_LABEL, sizeLabel(source.tensors(), modelType.equals("gpt2")
                || source.tensors().stream().noneMatch(t -> GgufNames.map(modelType, t.name()).name().equals(GgufNames.OUTPUT))));
        if (modelType.equals("gpt2")) {
            // GPT2Model.set_gguf_parameters
            md.putUint32(arch + "." + GgufNames.BLOCK_COUNT, config.get("n_layer").asLong());
            md.putUint32(arch + "." + GgufNames.CONTEXT_LENGTH, config.get("n_ctx").asLong());
            md.putUint32(arch + "." + GgufNames.EMBEDDING_LENGTH, config.get("n_embd").asLong());
            md.putUint32(arch + "." + GgufNames.FEED_FORWARD_LENGTH, 4 * config.get("n_embd").asLong());
            md.putUint32(arch + "." + GgufNames.HEAD_COUNT, config.get("n_head").asLong());
            md.putFloat32(arch + "." + GgufNames.LAYER_NORM_EPSILON, (float) config.get("layer_norm_epsilon").asDouble());
            md.putUint32(GgufNames.FILE_TYPE, type.fileType());
        } else {
            // GPTNeoXModel.set_gguf_parameters (it writes no general.file_type)
            long hidden = config.get("hidden_size").asLong();
            long heads = config.get("num_attention_heads").asLong();
            md.putUint32(arch + "." + GgufNames.CONTEXT_LENGTH, config.get("max_position_embeddings").asLong());
            md.putUint32(arch + "." + GgufNames.EMBEDDING_LENGTH, hidden);
            md.putUint32(arch + "." + GgufNames.BLOCK_COUNT, config.get("num_hidden_layers").asLong());
            md.putUint32(arch + "." + GgufNames.FEED_FORWARD_LENGTH, config.get("intermediate_size").asLong());
            md.putUint32(arch + "." + GgufNames.ROPE_DIMENSION_COUNT,
                    (long) (config.get("rotary_pct").asDouble() * (hidden / heads)));
            md.putUint32(arch + "." + GgufNames.HEAD_COUNT, heads);
            md.putBool(arch + "." + GgufNames.PARALLEL_RESIDUAL, config.path("use_parallel_residual").asBoolean(true));
            md.putFloat32(arch + "." + GgufNames.LAYER_NORM_EPSILON, (float) config.get("layer_norm_eps").asDouble());
        }
        if (tokenizer == null) {
            throw new io.github.vectorlm.checkpoint.UnsupportedCheckpointException(null, null, "a GGUF export needs "
                    + "the model's tokenizer (llama.cpp reads it from the file): none was found beside the model; "
                    + "name one with --tokenizer");
        }
        int vocab = config.get("vocab_size").asInt();
        tokenizer.putGguf(md, vocab);
        // SpecialVocab: the ids config.json gives, in its order of types
        for (String kind : List.of("bos", "eos", "unk", "sep", "pad", "cls", "mask")) {
            JsonNode id = config.get(kind + "_token_id");
            if (id != null && id.isInt() && id.asInt() >= 0 && id.asInt() < vocab) {
                md.putUint32("tokenizer.ggml." + kind + "_token_id", id.asLong());
            }
        }
        md.putUint32(GgufNames.QUANTIZATION_VERSION, 2);

        int heads = modelType.equals("gpt_neox") ? config.get("num_attention_heads").asInt() : 0;
        boolean hasOutput = false;
        List<GgufWriter.TensorSpec> specs = new ArrayList<>();
        ExportTensor embedding = null;
        Set<String> mappedNames = new HashSet<>();
        for (ExportTensor t : source.tensors()) {
            mappedNames.add(GgufNames.map(modelType, t.name()).name());
        }
        for (ExportTensor t : source.tensors()) {
            GgufNames.Mapped m = GgufNames.map(modelType, t.name());
            hasOutput |= m.name().equals(GgufNames.OUTPUT);
            specs.add(spec(m.name(), t, m.transform(), type, heads, progress));
            String bias = requiredBias(modelType, m.name());
            if (bias != null && !mappedNames.contains(bias)) {
                specs.add(zeroBias(bias, t.shape().dim(0), progress));
            }
            if (m.name().equals(GgufNames.TOKEN_EMBD)) {
                embedding = t;
                if (modelType.equals("gpt2")) {
                    specs.add(spec(GgufNames.OUTPUT, t, GgufNames.Transform.NONE, type, heads, progress));
                    hasOutput = true;
                }
            }
        }
        if (!hasOutput && embedding != null) {
            specs.add(spec(GgufNames.OUTPUT, embedding, GgufNames.Transform.NONE, type, heads, progress));
        }
        long bytes = 0;
        for (GgufWriter.TensorSpec s : specs) {
            bytes += s.dataBytes();
        }
        progress.start(bytes);
        GgufWriter.write(out, md, specs);
        return new ModelExport.Counts(specs.size(), bytes);
    }

    /**
     * gguf-py's {@code size_label}: the parameter count of the file's tensors (a copied head counted
     * again) in the fewest digits that keep two significant ones, e.g. {@code 124M}, {@code 1.4B}.
     */
    static String sizeLabel(List<ExportTensor> tensors, boolean headCopied) {
        long total = 0;
        ExportTensor embedding = null;
        for (ExportTensor t : tensors) {
            total += t.shape().numel();
            if (t.name().endsWith("wte.weight") || t.name().endsWith("embed_in.weight")) {
                embedding = t;
            }
        }
        if (headCopied && embedding != null) {
            total += embedding.shape().numel();
        }
        double scaled;
        String suffix;
        if (total > 1e12) {
            scaled = total * 1e-12;
            suffix = "T";
        } else if (total > 1e9) {
            scaled = total * 1e-9;
            suffix = "B";
        } else if (total > 1e6) {
            scaled = total * 1e-6;
            suffix = "M";
        } else {
            scaled = total * 1e-3;
            suffix = "K";
        }
        String rounded = Long.toString((long) Math.rint(scaled)).replaceFirst("^0+", "");
        int fix = Math.max(2 - rounded.length(), 0);
        return new java.math.BigDecimal(scaled).setScale(fix, java.math.RoundingMode.HALF_EVEN).toPlainString() + suffix;
    }

    /**
     * The bias llama.cpp requires beside {@code weight}, or null. Its {@code LLM_ARCH_GPTNEOX}
     * tensor loading ({@code src/llama-model.cpp}, c392e50) creates {@code attn_qkv.bias} and
     * {@code attn_output.bias} with flags 0, not {@code TENSOR_NOT_REQUIRED}, so a file without them
     * is refused ("missing tensor"); the converter writes only the biases the Hugging Face model has,
     * so its file of an {@code attention_bias: false} model does not load. A zero bias adds nothing
     * to the projection. (GPT-2's exports always have biases: {@code Gpt2Export} gives zeros.)
     */
    static String requiredBias(String modelType, String weight) {
        if (modelType.equals("gpt_neox")
                && (weight.endsWith(".attn_qkv.weight") || weight.endsWith(".attn_output.weight"))) {
            return weight.substring(0, weight.length() - ".weight".length()) + ".bias";
        }
        return null;
    }

    /** An F32 vector of {@code length} zeros. */
    private static GgufWriter.TensorSpec zeroBias(String name, long length, ModelExport.Progress progress) {
        return new GgufWriter.TensorSpec(name, GgmlType.F32, new long[] {length}, sink -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment zeros = arena.allocate(length * Float.BYTES, 64); // allocate zero-fills
                sink.write(zeros);
                progress.add(zeros.byteSize());
            }
        });
    }

    /** The GGUF type of a tensor, as the converter's {@code prepare_tensors} chooses it. */
    static GgmlType typeOf(String name, int dims, long rowLength, ExportType type) {
        if (dims <= 1 || name.endsWith("_norm.weight") || name.equals(GgufNames.POSITION_EMBD) || !name.endsWith(".weight")) {
            return GgmlType.F32;
        }
        GgmlType t = type == ExportType.Q4_0 && name.equals(GgufNames.OUTPUT) ? GgmlType.Q8_0 : type.ggml();
        if (t.blockType() != null && rowLength % t.blockType().blockSize() != 0) {
            return GgmlType.F16; // gguf-py's QuantError fallback
        }
        return t;
    }

    private static GgufWriter.TensorSpec spec(String name, ExportTensor t, GgufNames.Transform transform, ExportType type,
            int heads, ModelExport.Progress progress) {
        long[] shape = t.shape().toArray();
        if (transform == GgufNames.Transform.TRANSPOSE) {
            shape = new long[] {shape[1], shape[0]};
        }
        GgmlType ggml = typeOf(name, shape.length, shape[shape.length - 1], type);
        return new GgufWriter.TensorSpec(name, ggml, shape, sink -> {
            Tensor view = transformed(t.open(), transform, heads);
            writeData(view, ggml, new GgufWriter.DataSink() {
                @Override
                public void write(MemorySegment data) throws IOException {
                    sink.write(data);
                    progress.add(data.byteSize());
                }
            });
        });
    }

    /** The Hugging Face tensor as the converter's {@code modify_tensors} leaves it: a view. */
    static Tensor transformed(Tensor t, GgufNames.Transform transform, int heads) {
        return switch (transform) {
            case NONE -> t;
            case TRANSPOSE -> t.transpose(0, 1);
            case QKV_BY_PART -> {
                long rows = t.dim(0);
                long headDim = rows / 3 / heads;
                Tensor c = t.contiguous();
                yield t.rank() == 2 ? c.reshape(heads, 3, headDim, t.dim(1)).transpose(0, 1)
                        : c.reshape(heads, 3, headDim).transpose(0, 1);
            }
        };
    }

    /**
     * Writes {@code view}'s rows (row-major, leading dimensions flattened) as {@code type}. Rows that
     * need converting (a type change, a transposed view) are converted a staging buffer at a time,
     * its rows split over the shared pool's threads ({@link Parallel#shared()}): each thread reads
     * and converts whole rows into its own part of the buffer, so the bytes do not depend on the
     * thread count.
     */
    static void writeData(Tensor view, GgmlType type, GgufWriter.DataSink sink) throws IOException {
        DType plain = type.dtype();
        if (plain != null && view.dtype() == plain && view.isContiguous()) {
            sink.write(view.contiguousData());
            return;
        }
        TensorRows first = new TensorRows(view);
        int n = first.rowLength();
        long rows = first.rows();
        BlockType block = type.blockType();
        long rowBytes = block != null ? block.bytesFor(n) : (long) n * plain.byteSize();
        boolean copyRows = block == null && view.dtype() == plain && first.rowsAdjacent();
        // whole gathered blocks per thread (TensorRows reads a transposed matrix ROW_GROUP rows at a time)
        long chunkRows = Math.max(1, STAGING_BYTES / rowBytes) / TensorRows.ROW_GROUP * TensorRows.ROW_GROUP;
        chunkRows = Math.min(rows, Math.max(TensorRows.ROW_GROUP, chunkRows));
        // a reader and a row of floats for each thread that can take part in a chunk
        Parallel parallel = Parallel.shared();
        int workers = (int) Math.min(parallel.threads(), (chunkRows + TensorRows.ROW_GROUP - 1) / TensorRows.ROW_GROUP);
        TensorRows[] readers = new TensorRows[workers];
        readers[0] = first;
        for (int t = 1; t < workers; t++) {
            readers[t] = new TensorRows(view);
        }
        float[][] values = new float[workers][n];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment staging = arena.allocate(chunkRows * rowBytes, 64);
            for (long from = 0; from < rows; from += chunkRows) {
                long chunkStart = from;
                int count = (int) Math.min(chunkRows, rows - from);
                parallel.forRange(count, TensorRows.ROW_GROUP, (start, end, worker) -> convertRows(readers[worker],
                        chunkStart + start, chunkStart + end, copyRows, block, plain, values[worker], staging, start * rowBytes,
                        rowBytes));
                sink.write(staging.asSlice(0, count * rowBytes));
            }
        }
    }

    /** Rows {@code [from, to)} of {@code rows}, converted to {@code block} or {@code plain}, from {@code at}. */
    private static void convertRows(TensorRows rows, long from, long to, boolean copyRows, BlockType block, DType plain,
            float[] values, MemorySegment staging, long at, long rowBytes) {
        int n = rows.rowLength();
        for (long r = from; r < to; r++, at += rowBytes) {
            if (copyRows) {
                MemorySegment.copy(rows.rowBytes(r), 0, staging, at, rowBytes);
                continue;
            }
            rows.read(r, values);
            if (block == BlockType.Q8_0) {
                BlockQuantizer.quantizeQ8_0(values, 0, n, staging, at);
            } else if (block != null) {
                block.quantize(values, 0, n, staging, at);
            } else {
                TensorRows.encode(values, n, plain, staging, at);
            }
        }
    }
}

package io.github.vectorlm.decoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.checkpoint.SafetensorsWriter;
import io.github.vectorlm.checkpoint.TensorInfo;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's Hugging Face twin ({@link ExportSource}) written as {@code save_pretrained} writes a
 * folder: {@code config.json}, {@code generation_config.json}, {@code tokenizer.json} (when the
 * model has a tokenizer) and the weights in one {@code model.safetensors}, or, above the shard
 * size, in {@code model-0000i-of-0000n.safetensors} shards cut in state-dict order with
 * {@code model.safetensors.index.json}. Every tensor is written in one dtype (the stored one unless
 * asked otherwise), each made only when the writer reaches it and freed once written.
 */
final class HfFolderExport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfFolderExport() {
    }

    /** Writes the folder's files into {@code folder} (an empty temporary folder). */
    static ModelExport.Counts write(ExportSource source, TokenizerExport tokenizer, DType dtype, long maxShardBytes,
            Path folder, ModelExport.Progress progress) throws IOException {
        List<ExportTensor> tensors = source.tensors();
        long total = 0;
        List<List<ExportTensor>> shards = new ArrayList<>();
        List<ExportTensor> shard = new ArrayList<>();
        long shardBytes = 0;
        for (ExportTensor t : tensors) {
            long bytes = Math.multiplyExact(t.shape().numel(), (long) dtype.byteSize());
            total += bytes;
            if (!shard.isEmpty() && shardBytes + bytes > maxShardBytes) {
                shards.add(shard);
                shard = new ArrayList<>();
                shardBytes = 0;
            }
            shard.add(t);
            shardBytes += bytes;
        }
        shards.add(shard);
        progress.start(total);

        Map<String, String> weightMap = new TreeMap<>();
        for (int s = 0; s < shards.size(); s++) {
            String file = shards.size() == 1 ? "model.safetensors"
                    : String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            List<SafetensorsWriter.Item> items = new ArrayList<>();
            for (ExportTensor t : shards.get(s)) {
                weightMap.put(t.name(), file);
                items.add(new SafetensorsWriter.Item(t.name(), new TensorInfo(t.name(), dtype, t.shape()),
                        new Converted(t, dtype, progress)));
            }
            SafetensorsWriter.write(items, folder.resolve(file), Map.of("format", "pt"));
        }
        if (shards.size() > 1) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            JSON.writeValue(folder.resolve("model.safetensors.index.json").toFile(), index);
        }
        ObjectNode config = source.config(dtype, tokenizer == null ? -1 : tokenizer.endOfText());
        JSON.writeValue(folder.resolve("config.json").toFile(), config);
        ObjectNode generation = JSON.createObjectNode();
        generation.put("_from_model_config", true);
        for (String key : List.of("bos_token_id", "eos_token_id")) {
            if (config.hasNonNull(key)) {
                generation.set(key, config.get(key));
            }
        }
        JSON.writeValue(folder.resolve("generation_config.json").toFile(), generation);
        if (tokenizer != null) {
            Files.write(folder.resolve("tokenizer.json"), tokenizer.json());
        }
        return new ModelExport.Counts(tensors.size(), total);
    }

    /** A tensor made in the export's dtype when the writer asks for it, freed when written. */
    private static final class Converted implements SafetensorsWriter.TensorSupplier {
        private final ExportTensor tensor;
        private final DType dtype;
        private final ModelExport.Progress progress;
        private Arena arena;

        Converted(ExportTensor tensor, DType dtype, ModelExport.Progress progress) {
            this.tensor = tensor;
            this.dtype = dtype;
            this.progress = progress;
        }

        @Override
        public Tensor get() throws IOException {
            arena = Arena.ofConfined();
            return TensorRows.materialize(tensor.open(), dtype, arena);
        }

        @Override
        public void written() {
            progress.add(tensor.shape().numel() * dtype.byteSize());
            if (arena != null) {
                arena.close();
                arena = null;
            }
        }
    }
}

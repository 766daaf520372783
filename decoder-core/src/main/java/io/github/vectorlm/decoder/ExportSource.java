package io.github.vectorlm.decoder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model opened for export, seen as its Hugging Face twin: the {@code config.json} transformers
 * would write for it and its state dict, tensor by tensor, whatever layout it was read from. A
 * model module makes one ({@link DecoderLoader#openExport}); {@link ModelExport} writes it as a
 * Hugging Face folder, or converts it to GGUF as llama.cpp's converter converts such a folder.
 */
public interface ExportSource extends AutoCloseable {
    /**
     * Hugging Face's {@code model_type}.
     *
     * @return {@code gpt2} or {@code gpt_neox}
     */
    String modelType();

    /**
     * A short name for the model (its folder's name), for {@code general.name}.
     *
     * @return the name
     */
    String name();

    /**
     * The folder where the model's tokenizer files are looked for.
     *
     * @return the folder, or null
     */
    Path tokenizerFolder();

    /**
     * The type most of the weights are stored in (the first matrix's).
     *
     * @return F32, F16 or BF16
     */
    DType storedDType();

    /**
     * The {@code config.json} of the model, with {@code torch_dtype} set to {@code dtype} and the
     * token ids of {@code bosId} / {@code eosId}.
     *
     * @param dtype the dtype the weights are written in
     * @param endOfText the tokenizer's end-of-text id, or -1 if it has none (the source's own ids win)
     * @return a fresh JSON object
     */
    ObjectNode config(DType dtype, int endOfText);

    /**
     * The tensors, in state-dict order, tied copies left out (as {@code save_pretrained} does).
     *
     * @return the tensors
     */
    List<ExportTensor> tensors();

    /** Releases what the source holds open. */
    @Override
    void close() throws IOException;
}

package io.github.vectorlm.decoder;

import io.github.vectorlm.checkpoint.OutputFiles;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.ModelLoader;
import io.github.vectorlm.generation.ProgressListener;
import io.github.vectorlm.tensor.DType;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes a model that a loader reads, from any layout it reads it in, as a Hugging Face folder or a
 * GGUF file ({@code vectorlm export}).
 *
 * <p>The model is seen as its Hugging Face twin ({@link ExportSource}, made by the model module):
 * the {@code config.json} and state dict {@code save_pretrained} would write. A Hugging Face export
 * writes that; a GGUF export converts it as llama.cpp's {@code convert_hf_to_gguf.py} converts such
 * a folder ({@link GgufNames}). Tensors are read one at a time and written as they come, so a
 * model larger than memory exports: NeoX slim weights are merged one pipeline layer at a time.
 * The output is written under a temporary name beside {@code out} and moved into place when
 * complete; an existing output is replaced only with {@link ExportOptions#force()}.
 *
 * <pre>{@code
 * ModelExport.export(Path.of("gpt2-tf"), Path.of("gpt2-hf"), ExportOptions.of(ExportFormat.HF));
 * ModelExport.export(Path.of("pythia-160m"), Path.of("pythia.Q8_0.gguf"),
 *         ExportOptions.of(ExportFormat.GGUF).withType(ExportType.Q8_0));
 * }</pre>
 */
public final class ModelExport {
    private ModelExport() {
    }

    /**
     * What an export wrote.
     *
     * @param out the folder or file
     * @param format its format
     * @param type the weights' type
     * @param tensors tensors written
     * @param bytes bytes of tensor data written
     */
    public record Result(Path out, ExportFormat format, ExportType type, int tensors, long bytes) {
    }

    /** Tensors and bytes written. */
    record Counts(int tensors, long bytes) {
    }

    /**
     * Exports the model at {@code model} with the loaders installed ({@link LanguageModels#loaders()}).
     *
     * @param model a model folder or file, as {@code LanguageModels.load} takes
     * @param out the folder (Hugging Face) or file (GGUF) to write
     * @param options format, type and the rest
     * @return what was written
     * @throws NoSuchFileException if {@code model} does not exist, or the folder {@code out} goes in does not
     * @throws FileAlreadyExistsException if {@code out} exists and {@code force} is off
     * @throws UnsupportedCheckpointException if no installed loader exports the model
     * @throws IOException if reading or writing fails (nothing is then left at {@code out})
     */
    public static Result export(Path model, Path out, ExportOptions options) throws IOException {
        return export(model, out, options, LanguageModels.loaders());
    }

    /**
     * As {@link #export(Path, Path, ExportOptions)}, asking only {@code loaders}.
     *
     * @param model the model
     * @param out the output
     * @param options the options
     * @param loaders the loaders to ask
     * @return what was written
     * @throws IOException as above
     */
    public static Result export(Path model, Path out, ExportOptions options, List<? extends ModelLoader> loaders)
            throws IOException {
        Objects.requireNonNull(options, "options");
        if (!Files.exists(model)) {
            throw new NoSuchFileException(model.toString(), null, "no model here");
        }
        checkOutput(out, options);
        DecoderLoader loader = exporter(model, loaders);
        try (ExportSource source = loader.openExport(model, options)) {
            TokenizerExport tokenizer = TokenizerExport.find(options.tokenizer(), source.tokenizerFolder());
            ExportType type = options.type() != null ? options.type() : ExportType.of(source.storedDType());
            Progress progress = new Progress("exporting " + source.name() + " to " + out.getFileName(), options.progress());
            Counts counts;
            if (options.format() == ExportFormat.HF) {
                Path temp = OutputFiles.temporaryFolder(out);
                boolean done = false;
                try {
                    DType dtype = type.dtype();
                    counts = HfFolderExport.write(source, tokenizer, dtype, options.maxShardBytes(), temp, progress);
                    OutputFiles.moveIntoPlace(temp, out);
                    done = true;
                } finally {
                    if (!done) {
                        OutputFiles.deleteFolder(temp);
                    }
                }
            } else {
                counts = GgufExport.write(source, tokenizer, type, out, progress);
            }
            progress.finish();
            return new Result(out, options.format(), type, counts.tensors(), counts.bytes());
        }
    }

    private static void checkOutput(Path out, ExportOptions options) throws IOException {
        if (Files.exists(out)) {
            if (!options.force()) {
                throw new FileAlreadyExistsException(out.toString(), null, "pass --force to replace it");
            }
            boolean folder = Files.isDirectory(out);
            if (options.format() == ExportFormat.HF && !folder) {
                throw new FileAlreadyExistsException(out.toString(), null, "is a file; a Hugging Face export is a folder");
            }
            if (options.format() == ExportFormat.GGUF && folder) {
                throw new FileAlreadyExistsException(out.toString(), null, "is a folder; a GGUF export is one file");
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new NoSuchFileException(out.toString(), null, "the folder " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new java.nio.file.AccessDeniedException(out.toString(), null, "the folder " + parent + " is not writable");
        }
    }

    private static DecoderLoader exporter(Path model, List<? extends ModelLoader> loaders) throws IOException {
        List<DecoderLoader> accepting = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (ModelLoader l : loaders) {
            if (l instanceof DecoderLoader d) {
                asked.add(d.architecture());
                if (d.canLoad(model)) {
                    accepting.add(d);
                }
            }
        }
        if (accepting.size() != 1) {
            throw new UnsupportedCheckpointException(model, null, (accepting.isEmpty() ? "no model loader recognises it"
                    : "several model loaders claim it") + " (asked: " + String.join(", ", asked)
                    + "); export takes what 'vectorlm generate --model' takes");
        }
        return accepting.getFirst();
    }

    /** Bytes of tensor data written, reported to a {@link ProgressListener}. */
    static final class Progress {
        private final String task;
        private final ProgressListener listener;
        private long total = -1;
        private long done;

        Progress(String task, ProgressListener listener) {
            this.task = task;
            this.listener = listener;
        }

        void start(long bytes) {
            total = bytes;
            listener.progress(task, 0, total);
        }

        void add(long bytes) {
            done += bytes;
            listener.progress(task, done, total);
        }

        void finish() {
            listener.progress(task, total, total);
        }
    }
}

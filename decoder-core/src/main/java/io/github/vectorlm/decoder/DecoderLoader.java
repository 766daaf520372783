package io.github.vectorlm.decoder;

import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.generation.ModelLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A decoder-only model's {@link ModelLoader}: names its architecture once. A subclass needs a
 * public no-argument constructor, which {@link java.util.ServiceLoader} calls.
 */
public abstract class DecoderLoader implements ModelLoader {
    private final String architecture;

    /**
     * A loader of {@code architecture} models.
     *
     * @param architecture the name {@link io.github.vectorlm.generation.LanguageModel#architecture()}
     *     gives the models it loads, e.g. {@code "gpt2"}
     */
    protected DecoderLoader(String architecture) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
    }

    @Override
    public final String architecture() {
        return architecture;
    }

    /**
     * Opens the model at {@code path} for {@link ModelExport}: its Hugging Face twin, tensors read
     * when written. The default refuses.
     *
     * @param path a path {@link #canLoad} accepts
     * @param options the export's options (its {@link ExportOptions#config()} names a config file)
     * @return the source, which the caller closes
     * @throws IOException if the model cannot be read
     */
    public ExportSource openExport(Path path, ExportOptions options) throws IOException {
        throw new UnsupportedCheckpointException(path, null, architecture + " models cannot be exported");
    }
}

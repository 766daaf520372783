package io.github.vectorlm.decoder;

import io.github.vectorlm.generation.ModelLoader;
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
}

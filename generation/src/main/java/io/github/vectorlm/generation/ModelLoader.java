package io.github.vectorlm.generation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Service-provider interface: a model module's loader, found by {@link java.util.ServiceLoader}
 * ({@code provides io.github.vectorlm.generation.ModelLoader with ...} in its module descriptor,
 * and a {@code META-INF/services} entry for class-path use).
 */
public interface ModelLoader {
    /** The architecture this loads, e.g. {@code "gpt2"}. */
    String architecture();

    /**
     * Whether {@code path} (a folder or a file) holds a model this loader reads, judged from its
     * config files or checkpoint metadata without loading weights.
     */
    boolean canLoad(Path path) throws IOException;

    /** Loads the model at {@code path}. */
    LanguageModel load(Path path, LoadOptions options) throws IOException;
}

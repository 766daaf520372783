package io.github.vectorlm.langchain4j;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The models loaded for the langchain4j classes, one per model folder and thread count, each with
 * the one {@link Engine} that every langchain4j model built on it submits to, so that their calls
 * are batched together. Reference-counted: each langchain4j model holds a {@link ModelLease}, and
 * the last one closed closes the engine and the model (unmapping the weights).
 */
final class SharedModels {
    /** What identifies a loaded model: its folder (real path) and its pool's threads (0: shared pool). */
    private record Key(Path folder, int threads) {
    }

    /** A loaded model, its engine, and how many leases hold it. */
    private static final class Loaded {
        final LanguageModel model;
        final Engine engine;
        final Tokenizer tokenizer;
        int leases;

        Loaded(LanguageModel model, Engine engine, Tokenizer tokenizer) {
            this.model = model;
            this.engine = engine;
            this.tokenizer = tokenizer;
        }
    }

    private static final Map<Key, Loaded> LOADED = new HashMap<>();

    private SharedModels() {
    }

    /**
     * A lease on the model at {@code folder}, loading it (and starting its engine) if no lease
     * holds it now.
     *
     * @param folder the model folder or checkpoint file
     * @param threads threads of a pool of the model's own, or 0 for the shared pool
     * @throws UncheckedIOException if the model cannot be loaded (the message names the path)
     * @throws IllegalArgumentException if the model has no tokenizer
     */
    static synchronized ModelLease acquire(Path folder, int threads) {
        Key key = new Key(canonical(folder), threads);
        Loaded loaded = LOADED.get(key);
        if (loaded == null) {
            loaded = load(key);
            LOADED.put(key, loaded);
        }
        loaded.leases++;
        return new ModelLease(key.folder(), loaded.engine, loaded.tokenizer, () -> release(key));
    }

    /** The path without links, so that every spelling of one folder names one model; as given if it is missing. */
    private static Path canonical(Path folder) {
        try {
            return folder.toRealPath();
        } catch (IOException e) {
            return folder.toAbsolutePath().normalize(); // loading it reports what is wrong
        }
    }

    /** How many models are loaded now (for tests of the sharing). */
    static synchronized int loadedCount() {
        return LOADED.size();
    }

    private static Loaded load(Key key) {
        LoadOptions options = key.threads() == 0 ? LoadOptions.defaults() : LoadOptions.defaults().withThreads(key.threads());
        LanguageModel model;
        try {
            model = LanguageModels.load(key.folder(), options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model at " + key.folder() + ": " + e.getMessage(), e);
        }
        Tokenizer tokenizer = model.tokenizer().orElse(null);
        if (tokenizer == null) {
            model.close();
            throw new IllegalArgumentException("the model at " + key.folder()
                    + " has no tokenizer beside it: langchain4j models take text");
        }
        return new Loaded(model, Engine.start(model), tokenizer);
    }

    private static synchronized void release(Key key) {
        Loaded loaded = LOADED.get(key);
        if (loaded == null || --loaded.leases > 0) {
            return;
        }
        LOADED.remove(key);
        try {
            loaded.engine.close();
        } finally {
            loaded.model.close();
        }
    }
}

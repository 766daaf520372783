package io.github.vectorlm.generation;

import io.github.vectorlm.tensor.VectorApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Loads a model from a path by asking every {@link ModelLoader} on the module path or class path
 * (found with {@link ServiceLoader}) whether it can read it.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModels.load(Path.of("models/gpt2"))) { ... }
 * }</pre>
 */
public final class LanguageModels {
    /** How many entries of a folder an error message lists. */
    private static final int LISTED_ENTRIES = 20;

    private LanguageModels() {
    }

    /** Loads the model at {@code path} (a folder, or a single checkpoint file) with default options. */
    public static LanguageModel load(Path path) throws IOException {
        return load(path, LoadOptions.defaults());
    }

    /** Loads the model at {@code path} with {@code options}, using the loaders {@link #loaders()} finds. */
    public static LanguageModel load(Path path, LoadOptions options) throws IOException {
        return load(path, options, loaders());
    }

    /**
     * Loads the model at {@code path} with the one loader among {@code loaders} whose
     * {@link ModelLoader#canLoad} accepts it.
     *
     * @throws IllegalStateException if the JVM lacks the Vector API (on the class path: started
     *     without {@code --add-modules jdk.incubator.vector}); the message names the flag
     * @throws NoSuchFileException if {@code path} does not exist
     * @throws UnrecognizedModelException if no loader, or more than one, accepts the path; the
     *     message's first line says so (and, when the path looks like a GPT-2 or GPT-NeoX model
     *     whose loader is not installed, which artifact to add), the next lines list the loaders
     *     asked (with any error a loader raised while looking) and what the path holds
     */
    public static LanguageModel load(Path path, LoadOptions options, List<? extends ModelLoader> loaders) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        VectorApi.requireAvailable(); // here, not at the first kernel as a NoClassDefFoundError
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no model here");
        }
        List<ModelLoader> accepting = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (ModelLoader loader : loaders) {
            String name = loader.architecture() + " (" + loader.getClass().getName() + ")";
            try {
                if (loader.canLoad(path)) {
                    accepting.add(loader);
                    asked.add(name + ": yes");
                } else {
                    asked.add(name + ": no");
                }
            } catch (IOException | RuntimeException e) {
                asked.add(name + ": failed while looking: " + e);
            }
        }
        if (accepting.size() == 1) {
            return accepting.getFirst().load(path, options);
        }
        String problem = accepting.isEmpty()
                ? "no model loader recognises " + path + ModelFamilies.missingLoaderHint(path, loaders)
                        + ModelFamilies.ggufNote(path)
                : "several model loaders claim " + path + ", cannot choose";
        String tried = loaders.isEmpty()
                ? "no model loaders are installed: put vectorlm-gpt2-model or vectorlm-neox-model on the class or module path"
                : "loaders asked:\n  " + String.join("\n  ", asked);
        throw new UnrecognizedModelException(path, problem + "\n" + tried + "\n" + describe(path));
    }

    /** The model loaders installed, in {@link ServiceLoader} order. */
    public static List<ModelLoader> loaders() {
        List<ModelLoader> found = new ArrayList<>();
        ServiceLoader.load(ModelLoader.class).forEach(found::add);
        return found;
    }

    /** What a path holds, for error messages: a folder's entries (the first few), or a file's size. */
    static String describe(Path path) {
        try {
            if (Files.isDirectory(path)) {
                List<String> names;
                try (Stream<Path> entries = Files.list(path)) {
                    names = entries.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
                }
                if (names.isEmpty()) {
                    return path + " is an empty folder";
                }
                String shown = String.join(", ", names.subList(0, Math.min(LISTED_ENTRIES, names.size())));
                return path + " holds: " + shown + (names.size() > LISTED_ENTRIES ? ", … (" + names.size() + " entries)" : "");
            }
            return path + " is a file of " + Files.size(path) + " bytes";
        } catch (IOException e) {
            return path + " cannot be listed: " + e;
        }
    }
}

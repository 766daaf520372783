package io.github.vectorlm.spark;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.generation.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * The models of one JVM (a Spark executor, or the driver in local mode): each model path is loaded
 * once, its weights mapped once, and one batching {@link Engine} is started on it; every task of
 * the JVM shares them, so that the rows of concurrent tasks run in the same passes of the model.
 * Nothing is ever unloaded while the JVM runs: a shutdown hook closes the engines and then the
 * models when it exits. Tokenizers are cached the same way.
 *
 * <p>The kernels run on {@link #threads} threads. A model path is local to the JVM (the model must
 * be on every executor's disk, or a shared mount, under that path) unless it is a Hadoop
 * filesystem URI, whose model is copied to local disk once per machine.
 */
public final class ExecutorModels {
    private static final Map<Path, Loaded> MODELS = new HashMap<>();
    private static final Map<Path, Tokenizer> TOKENIZERS = new HashMap<>();
    private static final Map<String, Path> COPIES = new HashMap<>();
    private static final List<AutoCloseable> TO_CLOSE = Collections.synchronizedList(new ArrayList<>());
    private static boolean hookAdded;

    private ExecutorModels() {
    }

    /**
     * A model loaded in this JVM, with its engine and tokenizer.
     *
     * @param path the absolute, normalized path it was loaded from
     * @param model the model (shared; never close it)
     * @param engine the engine running it (shared; never close it)
     * @param tokenizer the model's tokenizer
     */
    public record Loaded(Path path, LanguageModel model, Engine engine, Tokenizer tokenizer) {
    }

    /**
     * The model at {@code path}, loaded on the first call in this JVM and shared afterwards.
     *
     * @param path a model folder or file, as {@code LanguageModels.load} takes it, or a Hadoop
     *     filesystem URI of one ({@code hdfs://…}, {@code s3a://…}, {@code file:…}), copied to local
     *     disk first (see {@link #copy})
     * @return the loaded model, its engine and tokenizer
     * @throws UncheckedIOException if the path does not exist or the model cannot be loaded (the
     *     message names the path)
     * @throws IllegalArgumentException if the model has no tokenizer
     */
    public static Loaded model(String path) {
        if (path != null && ModelCopies.isUri(path)) {
            synchronized (MODELS) {
                Path local = COPIES.get(path);
                if (local == null) {
                    local = copy(path, SparkEnv.get() == null ? null : SparkEnv.get().conf());
                    COPIES.put(path, local);
                }
                return model(local.toString());
            }
        }
        Path key = key(path);
        synchronized (MODELS) {
            Loaded loaded = MODELS.get(key);
            if (loaded == null) {
                loaded = load(key);
                MODELS.put(key, loaded);
            }
            return loaded;
        }
    }

    /**
     * Copies the model at a Hadoop-filesystem URI to local disk (once per machine while it is
     * unchanged), under {@code spark.vectorlm.modelCache} (default: {@code vectorlm-models} in the
     * JVM's temporary folder), with the {@code spark.hadoop.*} settings of {@code conf}.
     */
    static Path copy(String uri, SparkConf conf) {
        Configuration hadoop = new Configuration();
        String cache = System.getProperty("java.io.tmpdir") + "/vectorlm-models";
        if (conf != null) {
            for (Tuple2<String, String> e : conf.getAllWithPrefix("spark.hadoop.")) {
                hadoop.set(e._1(), e._2());
            }
            cache = conf.get("spark.vectorlm.modelCache", cache);
        }
        try {
            return ModelCopies.localCopy(uri, hadoop, Path.of(cache));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model " + uri + " to local disk: " + e.getMessage(), e);
        }
    }

    /**
     * The tokenizer at {@code path} (a tokenizer file, or a model folder holding one), loaded once
     * in this JVM.
     *
     * @param path a tokenizer file or a folder, as {@link Tokenizers#load} takes it
     * @return the tokenizer (thread-safe)
     * @throws UncheckedIOException if it cannot be read (the message names the path)
     */
    public static Tokenizer tokenizer(String path) {
        Path key = key(path);
        synchronized (TOKENIZERS) {
            Tokenizer t = TOKENIZERS.get(key);
            if (t == null) {
                try {
                    if (!Files.exists(key)) {
                        throw new NoSuchFileException(key.toString(), null, "no such tokenizer file or folder");
                    }
                    t = Tokenizers.load(key);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot load the tokenizer" + named(key, e), e);
                }
                TOKENIZERS.put(key, t);
            }
            return t;
        }
    }

    /** How many models this JVM holds; for tests. */
    static int loadedModels() {
        synchronized (MODELS) {
            return MODELS.size();
        }
    }

    private static Path key(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("no model path set");
        }
        return Path.of(path).toAbsolutePath().normalize();
    }

    /**
     * The threads of a model's kernels in an executor configured by {@code conf}:
     * {@code spark.vectorlm.threads} if set, else {@code spark.executor.cores} if set, else 0 (the
     * JVM's shared pool, one thread per processor, as in local mode).
     */
    static int threads(SparkConf conf) {
        if (conf == null) {
            return 0;
        }
        int n = conf.getInt("spark.vectorlm.threads", conf.getInt("spark.executor.cores", 0));
        if (n < 0) {
            throw new IllegalArgumentException("spark.vectorlm.threads must be >= 0 (0: one per processor), got " + n);
        }
        return n;
    }

    private static Loaded load(Path path) {
        LanguageModel model;
        try {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString(), null,
                        "no such model on this machine (the model must be on every executor's disk)");
            }
            int threads = threads(SparkEnv.get() == null ? null : SparkEnv.get().conf());
            model = LanguageModels.load(path, threads == 0 ? LoadOptions.defaults() : LoadOptions.defaults().withThreads(threads));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model" + named(path, e), e);
        }
        Tokenizer tokenizer = model.tokenizer().orElse(null);
        if (tokenizer == null) {
            model.close();
            throw new IllegalArgumentException("the model " + path + " has no tokenizer beside its weights");
        }
        Engine engine = Engine.start(model, EngineOptions.defaults(model));
        closeAtExit(model);
        closeAtExit(engine); // closed first: the hook closes in reverse order
        return new Loaded(path, model, engine, tokenizer);
    }

    private static void closeAtExit(AutoCloseable c) {
        TO_CLOSE.add(c);
        if (!hookAdded) {
            hookAdded = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "vectorlm-models-close"));
        }
    }

    private static void closeAll() {
        synchronized (TO_CLOSE) {
            for (int i = TO_CLOSE.size() - 1; i >= 0; i--) {
                try {
                    TO_CLOSE.get(i).close();
                } catch (Exception e) {
                    // the JVM is exiting: nothing to tell
                }
            }
            TO_CLOSE.clear();
        }
    }

    /** The exception's message, after the path unless it names the path itself. */
    private static String named(Path path, IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.contains(path.toString()) ? ": " + m : " " + path + ": " + m;
    }
}

package io.github.vectorlm.checkpoint;

/**
 * The bounds every reader of this library holds untrusted files to: how deep a structure may nest,
 * how large what it describes may grow. A file beyond a bound is refused with an
 * {@link UnsupportedCheckpointException} (or, in a format whose own rules it breaks, a
 * {@link CorruptCheckpointException}) whose message names the file, the limit and its value, e.g.
 * {@code "model.pt: content nests deeper than 1000 (MAX_NESTING_DEPTH) levels at 'a.0.0.0…'"}.
 *
 * <p>Each bound is far above what real checkpoints, configs and tokenizer files use and far
 * below what would exhaust a default heap or thread stack; {@code docs/security.md} lists them
 * with their reasons. A reader of a new format uses these constants where its structures nest or
 * grow (content values, array elements included: {@link #MAX_CONTENT_VALUES}; tensors:
 * {@link #MAX_TENSORS}; tensor ranks: {@link #MAX_RANK}; names: {@link #MAX_NAME_CHARS}; GGUF's
 * arrays of arrays: {@link #MAX_GGUF_ARRAY_NESTING}; JSON: the {@code MAX_JSON_*} values) and says
 * so in its message through {@link #describe}.
 */
public final class ReaderLimits {
    /**
     * Deepest nesting of containers (lists, tuples, dicts, sets, objects) in a checkpoint's
     * {@link Checkpoint#content()}, counted along the longest path from the root. Python's own
     * pickler cannot write deeper (its recursion limit is 1000), and the JDK's recursive
     * {@code toString}, {@code equals} and {@code hashCode} of content this deep take about half of
     * a default 1 MB thread stack.
     */
    public static final int MAX_NESTING_DEPTH = 1000;

    /**
     * Most values in a checkpoint's {@link Checkpoint#content()}, a container shared through a
     * pickle's memo counted at every place it appears (as printing or copying the content would
     * meet it). Bounds the sharing bombs a few hundred bytes can describe (2<sup>64</sup> paths
     * through 64 shared lists). Real checkpoints hold thousands. In a GGUF file: one per metadata
     * key plus every array element, nested ones included (a 256k-token vocabulary's tokens,
     * scores and types are under a million); each costs a byte or more of file but may become an
     * object of tens of bytes.
     */
    public static final long MAX_CONTENT_VALUES = 1L << 24;

    /**
     * Most tensors one checkpoint may name. A pickle names a tensor object shared between places
     * at each of them, so a small file could otherwise ask for millions of names; the largest
     * public models have about a thousand tensors, with optimizer state a few thousand.
     */
    public static final int MAX_TENSORS = 1 << 20;

    /**
     * Deepest nesting of a GGUF metadata array: an array of scalars or strings is 1, an array of
     * arrays of them 2. Real GGUF files use flat arrays (token lists, scores, merges); the reader
     * reads nested ones with one Java frame per level, and eight levels keep that and every
     * recursive {@code toString}/{@code equals} of the metadata trivially shallow.
     */
    public static final int MAX_GGUF_ARRAY_NESTING = 8;

    /** Most dimensions of a tensor: NumPy 2 allows 64, PyTorch's kernels 25, GGUF 4. */
    public static final int MAX_RANK = 64;

    /**
     * Longest tensor name (and GGUF metadata key), in characters (UTF-16 units; real names are
     * under 200).
     */
    public static final int MAX_NAME_CHARS = 1 << 16;

    /** Deepest nesting of JSON or YAML objects and arrays (headers, shard indexes, configs, tokenizer files nest 3 to 6 deep). */
    public static final int MAX_JSON_NESTING_DEPTH = 64;

    /** Longest JSON or YAML string value, in characters. */
    public static final int MAX_JSON_STRING_CHARS = 1 << 24;

    /** Longest JSON or YAML property name, in characters. */
    public static final int MAX_JSON_NAME_CHARS = MAX_NAME_CHARS;

    /** Longest JSON number, in characters (configs write {@code 1e-05}; Python's own int limit is 4300 digits). */
    public static final int MAX_JSON_NUMBER_CHARS = 100;

    /** Largest config file ({@code config.json}, {@code hparams.json}, a NeoX YAML) read, in bytes; real ones are a few kB. */
    public static final long MAX_CONFIG_FILE_BYTES = 16L << 20;

    /** Most shard files a Hugging Face {@code *.index.json} may name (the largest public models have a few hundred). */
    public static final int MAX_SHARD_FILES = 10_000;

    private ReaderLimits() {
    }

    /**
     * The words a message uses for a limit: {@code "1000 (MAX_NESTING_DEPTH)"}.
     *
     * @param value the limit's value
     * @param name the constant's name
     * @return the value and the name
     */
    public static String describe(long value, String name) {
        return value + " (" + name + ")";
    }
}

package io.github.vectorlm.corpus;

import io.github.vectorlm.generation.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tokenizes JSON-lines corpora into Megatron-LM / GPT-NeoX indexed datasets, as GPT-NeoX's
 * {@code tools/datasets/preprocess_data.py} does: each line is a document; the text under each
 * key is tokenized into one item of that key's dataset, {@code PREFIX_KEY_document.bin/.idx};
 * {@link PreprocessOptions#appendEndOfText()} adds the end-of-text id; the tokens are stored in
 * the smallest type that fits the vocabulary ({@link TokenDtype#bestFitting}). A line whose texts
 * are all empty is skipped, as GPT-NeoX's reader skips empty documents; whitespace-only lines are
 * skipped too. Lines are read in order on the calling thread and tokenized in batches on
 * {@code workers} threads; the batches are written in input order, so the output is the same
 * byte for byte whatever the number of workers.
 */
public final class Preprocessor {
    /** Lines tokenized per task. */
    private static final int BATCH_LINES = 64;

    private final Tokenizer tokenizer;
    private final PreprocessOptions options;
    private final int endOfText;

    /**
     * A preprocessor with {@code tokenizer}.
     *
     * @throws IllegalArgumentException if the end-of-text id is asked for and the tokenizer has none
     */
    public Preprocessor(Tokenizer tokenizer, PreprocessOptions options) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.options = Objects.requireNonNull(options, "options");
        if (options.appendEndOfText() && tokenizer.endOfText().isEmpty()) {
            throw new IllegalArgumentException("the tokenizer has no end-of-text token to append");
        }
        this.endOfText = tokenizer.endOfText().orElse(-1);
    }

    /** Where a run stands; given to the progress callback about twice a second and at the end. */
    public record Progress(long documents, long tokens, long badLines, long fileBytesRead, long totalFileBytes,
            long textBytes, long elapsedNanos) {
        /** Documents per second so far. */
        public double documentsPerSecond() {
            return elapsedNanos == 0 ? 0 : documents / (elapsedNanos / 1e9);
        }

        /** Megabytes (10^6) of text per second so far. */
        public double megabytesPerSecond() {
            return elapsedNanos == 0 ? 0 : textBytes / 1e6 / (elapsedNanos / 1e9);
        }
    }

    /** Receives {@link Progress}. */
    @FunctionalInterface
    public interface ProgressCallback {
        /** Ignores progress. */
        ProgressCallback NONE = p -> { };

        /** Where the run stands. */
        void progress(Progress progress);
    }

    /**
     * What a run wrote.
     *
     * @param outputs each key's dataset prefix
     * @param progress the final counts
     * @param firstBadLine the first bad line skipped, or null
     */
    public record Result(Map<String, Path> outputs, Progress progress, CorpusLineException firstBadLine) {
    }

    /**
     * Tokenizes {@code inputs}, in order, into one dataset per key beside {@code outputPrefix}.
     *
     * @throws CorpusLineException for a bad line, unless skipping them (nothing is left behind)
     * @throws IOException if a file cannot be read or written (the message names it)
     */
    public Result run(List<Path> inputs, Path outputPrefix, ProgressCallback progress) throws IOException {
        long totalBytes = 0;
        for (Path p : inputs) {
            totalBytes += java.nio.file.Files.size(p);
        }
        List<String> keys = options.keys();
        Map<String, Path> outputs = new LinkedHashMap<>();
        List<IndexedDatasetWriter> writers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "vectorlm-preprocess");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<DocumentParser> parsers = ThreadLocal.withInitial(() -> new DocumentParser(keys));
        Counts counts = new Counts(System.nanoTime(), totalBytes);
        try {
            TokenDtype dtype = TokenDtype.bestFitting(tokenizer.vocabSize());
            for (String key : keys) {
                Path prefix = outputPrefix.resolveSibling(outputPrefix.getFileName() + "_" + key + "_document");
                outputs.put(key, prefix);
                writers.add(IndexedDatasetWriter.create(prefix, dtype));
            }
            ArrayDeque<Future<Encoded[]>> pending = new ArrayDeque<>();
            long readBefore = 0;
            for (Path input : inputs) {
                try (JsonLinesReader reader = new JsonLinesReader(input)) {
                    while (true) {
                        Batch batch = Batch.read(reader);
                        counts.fileBytes = readBefore + reader.fileBytesRead();
                        if (batch == null) {
                            break;
                        }
                        pending.add(pool.submit(() -> encode(batch, parsers.get())));
                        if (pending.size() >= 2 * options.workers()) {
                            write(pending.poll(), writers, counts, progress);
                        }
                    }
                    readBefore += reader.fileBytesRead();
                }
            }
            while (!pending.isEmpty()) {
                write(pending.poll(), writers, counts, progress);
            }
            for (IndexedDatasetWriter w : writers) {
                w.finish();
            }
            Progress last = counts.progress();
            progress.progress(last);
            return new Result(outputs, last, counts.firstBadLine);
        } finally {
            pool.shutdownNow();
            for (IndexedDatasetWriter w : writers) {
                w.close();
            }
        }
    }

    /** One line's outcome: its ids per key, nothing (skipped), or why it is bad. */
    private record Encoded(int[][] ids, CorpusLineException bad, int textBytes) {
    }

    /** Lines read together, with the number of the first. */
    private record Batch(Path file, long[] lineNumbers, byte[][] lines, int count) {
        static Batch read(JsonLinesReader reader) throws IOException {
            byte[][] lines = new byte[BATCH_LINES][];
            long[] numbers = new long[BATCH_LINES];
            int n = 0;
            while (n < BATCH_LINES) {
                byte[] line = reader.next();
                if (line == null) {
                    break;
                }
                if (isBlank(line)) {
                    continue;
                }
                numbers[n] = reader.lineNumber();
                lines[n++] = line;
            }
            return n == 0 ? null : new Batch(reader.file(), numbers, lines, n);
        }

        private static boolean isBlank(byte[] line) {
            for (byte b : line) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }

    private Encoded[] encode(Batch batch, DocumentParser parser) {
        Encoded[] out = new Encoded[batch.count()];
        for (int i = 0; i < batch.count(); i++) {
            String[] texts;
            try {
                texts = parser.parse(batch.lines()[i]);
            } catch (IllegalArgumentException e) {
                out[i] = new Encoded(null, new CorpusLineException(batch.file(), batch.lineNumbers()[i], e.getMessage()), 0);
                continue;
            }
            boolean allEmpty = true;
            for (String t : texts) {
                allEmpty &= t.isEmpty();
            }
            if (allEmpty) {
                out[i] = new Encoded(null, null, 0);
                continue;
            }
            int[][] ids = new int[texts.length][];
            for (int k = 0; k < texts.length; k++) {
                int[] encoded = tokenizer.encode(texts[k]);
                if (options.appendEndOfText()) {
                    encoded = java.util.Arrays.copyOf(encoded, encoded.length + 1);
                    encoded[encoded.length - 1] = endOfText;
                }
                ids[k] = encoded;
            }
            out[i] = new Encoded(ids, null, batch.lines()[i].length);
        }
        return out;
    }

    private void write(Future<Encoded[]> future, List<IndexedDatasetWriter> writers, Counts counts,
            ProgressCallback progress) throws IOException {
        Encoded[] batch;
        try {
            batch = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("preprocessing interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
        for (Encoded e : batch) {
            if (e.bad() != null) {
                if (!options.skipBadLines()) {
                    throw e.bad();
                }
                counts.badLines++;
                if (counts.firstBadLine == null) {
                    counts.firstBadLine = e.bad();
                }
                continue;
            }
            if (e.ids() == null) {
                continue;
            }
            for (int k = 0; k < writers.size(); k++) {
                int[] ids = e.ids()[k];
                if (ids.length > 0) { // an empty text under one key: an empty document, as GPT-NeoX writes it
                    writers.get(k).addItem(ids, ids.length);
                }
                writers.get(k).endDocument();
                counts.tokens += ids.length;
            }
            counts.documents++;
            counts.textBytes += e.textBytes();
        }
        long now = System.nanoTime();
        if (now - counts.lastReport > 500_000_000L) {
            counts.lastReport = now;
            progress.progress(counts.progress());
        }
    }

    /** The running totals of a run (one thread writes them). */
    private static final class Counts {
        final long start;
        final long totalFileBytes;
        long documents;
        long tokens;
        long badLines;
        long fileBytes;
        long textBytes;
        long lastReport;
        CorpusLineException firstBadLine;

        Counts(long start, long totalFileBytes) {
            this.start = start;
            this.totalFileBytes = totalFileBytes;
            this.lastReport = start;
        }

        Progress progress() {
            return new Progress(documents, tokens, badLines, fileBytes, totalFileBytes, textBytes,
                    System.nanoTime() - start);
        }
    }
}

package io.github.vectorlm.corpus;

import io.github.vectorlm.generation.IntList;
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
 * skipped too. With several keys, an empty text under one of them is an empty document (no item,
 * no end-of-text) in that key's dataset, so that document {@code d} of every dataset comes from
 * the same line. The calling thread reads the files in chunks of whole lines (about a megabyte);
 * {@code workers} threads split, parse and tokenize the chunks and lay the tokens out as the
 * {@code .bin} stores them; the calling thread copies them out in input order, so the output is
 * the same byte for byte whatever the number of workers.
 */
public final class Preprocessor {
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
        TokenDtype dtype = TokenDtype.bestFitting(tokenizer.vocabSize());
        Map<String, Path> outputs = new LinkedHashMap<>();
        List<IndexedDatasetWriter> writers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "vectorlm-preprocess");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<Worker> workers = ThreadLocal.withInitial(() -> new Worker(new DocumentParser(keys), new IntList(1 << 12)));
        Counts counts = new Counts(System.nanoTime(), totalBytes);
        try {
            for (String key : keys) {
                Path prefix = outputPrefix.resolveSibling(outputPrefix.getFileName() + "_" + key + "_document");
                outputs.put(key, prefix);
                writers.add(IndexedDatasetWriter.create(prefix, dtype));
            }
            ArrayDeque<Future<Encoded>> pending = new ArrayDeque<>();
            long readBefore = 0;
            for (Path input : inputs) {
                counts.startFile();
                try (JsonLinesReader reader = new JsonLinesReader(input)) {
                    JsonLinesReader.Chunk chunk;
                    while ((chunk = reader.next(counts.lineInFile)) != null) {
                        counts.fileBytes = readBefore + reader.fileBytesRead();
                        JsonLinesReader.Chunk c = chunk;
                        pending.add(pool.submit(() -> encode(c, workers.get(), dtype)));
                        while (pending.size() >= 2 * options.workers()) {
                            write(pending.poll(), writers, counts, progress);
                        }
                    }
                    while (!pending.isEmpty()) { // line numbers count per file
                        write(pending.poll(), writers, counts, progress);
                    }
                    readBefore += reader.fileBytesRead();
                }
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

    /** A chunk's outcome: each key's documents, and its bad lines (by line within the chunk). */
    private record Encoded(Path file, EncodedDocuments[] keys, int lines, long[] badLines, String[] badReasons,
            int badCount, long documents, long textBytes) {
    }

    /** A worker thread's parser and id list, reused from document to document. */
    private record Worker(DocumentParser parser, IntList ids) {
    }

    private Encoded encode(JsonLinesReader.Chunk chunk, Worker worker, TokenDtype dtype) {
        int n = options.keys().size();
        EncodedDocuments[] keys = new EncodedDocuments[n];
        for (int k = 0; k < n; k++) {
            // about one token for 3.5 bytes of JSON lines (English text under one key)
            keys[k] = new EncodedDocuments(dtype, chunk.length() / 3 / n);
        }
        DocumentParser parser = worker.parser();
        IntList ids = worker.ids();
        long[] badLines = new long[4];
        String[] badReasons = new String[4];
        int bad = 0;
        int line = 0;
        long documents = 0;
        long textBytes = 0;
        byte[] bytes = chunk.bytes();
        for (int start = 0; start < chunk.length(); ) {
            int end = start;
            while (end < chunk.length() && bytes[end] != '\n') {
                end++;
            }
            int next = end + 1;
            line++;
            if (end > start && bytes[end - 1] == '\r') {
                end--;
            }
            if (!isBlank(bytes, start, end)) {
                try {
                    String[] texts = parser.parse(bytes, start, end - start);
                    if (!allEmpty(texts)) {
                        for (int k = 0; k < n; k++) {
                            ids.clear();
                            if (!texts[k].isEmpty()) {
                                tokenizer.encode(texts[k], ids);
                            }
                            // an empty text under one key: an empty document, as GPT-NeoX writes it
                            keys[k].add(ids, options.appendEndOfText() && ids.size() > 0 ? endOfText : -1);
                        }
                        documents++;
                        textBytes += end - start;
                    }
                } catch (IllegalArgumentException e) {
                    if (bad == badLines.length) {
                        badLines = java.util.Arrays.copyOf(badLines, 2 * bad);
                        badReasons = java.util.Arrays.copyOf(badReasons, 2 * bad);
                    }
                    badLines[bad] = line;
                    badReasons[bad++] = e.getMessage();
                    if (!options.skipBadLines()) {
                        break; // the run stops here
                    }
                }
            }
            start = next;
        }
        return new Encoded(chunk.file(), keys, line, badLines, badReasons, bad, documents, textBytes);
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private static boolean allEmpty(String[] texts) {
        for (String t : texts) {
            if (!t.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private void write(Future<Encoded> future, List<IndexedDatasetWriter> writers, Counts counts,
            ProgressCallback progress) throws IOException {
        Encoded e;
        try {
            e = future.get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("preprocessing interrupted");
        } catch (ExecutionException ee) {
            if (ee.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(ee.getCause());
        }
        if (e.badCount() > 0) {
            CorpusLineException first = new CorpusLineException(e.file(), counts.lineInFile + e.badLines()[0],
                    e.badReasons()[0]);
            if (!options.skipBadLines()) {
                throw first;
            }
            counts.badLines += e.badCount();
            if (counts.firstBadLine == null) {
                counts.firstBadLine = first;
            }
        }
        for (int k = 0; k < writers.size(); k++) {
            e.keys()[k].writeTo(writers.get(k));
            counts.tokens += e.keys()[k].tokens();
        }
        counts.lineInFile += e.lines();
        counts.documents += e.documents();
        counts.textBytes += e.textBytes();
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
        long lineInFile;
        CorpusLineException firstBadLine;

        Counts(long start, long totalFileBytes) {
            this.start = start;
            this.totalFileBytes = totalFileBytes;
            this.lastReport = start;
        }

        void startFile() {
            lineInFile = 0;
        }

        Progress progress() {
            return new Progress(documents, tokens, badLines, fileBytes, totalFileBytes, textBytes,
                    System.nanoTime() - start);
        }
    }
}

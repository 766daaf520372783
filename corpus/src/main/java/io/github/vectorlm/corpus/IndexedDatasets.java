package io.github.vectorlm.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Operations on whole indexed datasets. */
public final class IndexedDatasets {
    private IndexedDatasets() {
    }

    /**
     * Merges {@code inputs}, in order, into one dataset at {@code output}: the tokens one after
     * another, the items and documents in order (GPT-NeoX's {@code tools/datasets/merge_datasets.py}
     * for a list of prefixes; the document boundaries are kept, as Megatron-LM keeps them).
     *
     * @return the merged dataset's counts: items, documents, tokens
     * @throws IOException if an input is missing or invalid, or the dtypes differ (the message names the dataset)
     */
    public static long[] merge(List<Path> inputs, Path output) throws IOException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge: give at least one dataset");
        }
        TokenDtype dtype;
        try (IndexedDataset first = IndexedDataset.open(inputs.get(0))) {
            dtype = first.dtype();
        }
        try (IndexedDatasetWriter out = IndexedDatasetWriter.create(output, dtype)) {
            for (Path p : inputs) {
                try (IndexedDataset in = IndexedDataset.open(p)) {
                    out.append(in);
                }
            }
            long[] counts = {out.items(), out.documents(), out.tokens()};
            out.finish();
            return counts;
        }
    }

    /**
     * The dataset prefixes in {@code folder}: every name with both a {@code .bin} and an
     * {@code .idx}, in name order (as {@code merge_datasets.py} lists a folder).
     *
     * @throws IOException if the folder cannot be listed, or holds a {@code .bin} or {@code .idx} without its pair
     */
    public static List<Path> inFolder(Path folder) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".bin") || name.endsWith(".idx")) {
                    names.add(name.substring(0, name.length() - 4));
                }
            }
        }
        List<Path> out = new ArrayList<>();
        for (String name : names) {
            Path prefix = folder.resolve(name);
            for (Path need : List.of(IndexedDatasetFormat.binFile(prefix), IndexedDatasetFormat.idxFile(prefix))) {
                if (!Files.isRegularFile(need)) {
                    throw new IOException(need + " is missing: " + prefix + " has only half of a dataset");
                }
            }
            out.add(prefix);
        }
        return out;
    }
}

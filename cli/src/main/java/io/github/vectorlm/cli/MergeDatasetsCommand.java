package io.github.vectorlm.cli;

import io.github.vectorlm.corpus.IndexedDatasets;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vectorlm merge-datasets}: several indexed datasets into one. */
@Command(name = "merge-datasets",
        header = "Merge GPT-NeoX/Megatron indexed datasets into one.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Concatenates indexed datasets (PREFIX.bin + PREFIX.idx pairs, as 'vectorlm preprocess' and GPT-NeoX "
                    + "write them) into one, in the order given; a folder stands for every dataset in it, in name "
                    + "order (as GPT-NeoX's tools/datasets/merge_datasets.py reads a folder). Document boundaries are "
                    + "kept. All inputs must store the same token type.",
            ""},
        footer = {
            "",
            "Examples:",
            "  vectorlm merge-datasets --output-prefix data/pile_text_document data/parts/",
            "  vectorlm merge-datasets --output-prefix all a_text_document b_text_document"})
final class MergeDatasetsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--output-prefix", paramLabel = "PREFIX", required = true,
            description = "The merged dataset: PREFIX.bin and PREFIX.idx.")
    private Path output;

    @Parameters(paramLabel = "INPUT", arity = "1..*", description = "Dataset prefixes, or folders of datasets.")
    private List<Path> inputs;

    @Override
    public Integer call() throws Exception {
        List<Path> prefixes = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                List<Path> found = IndexedDatasets.inFolder(p);
                if (found.isEmpty()) {
                    throw new CliException("no datasets in " + p, "a dataset is a PREFIX.bin with a PREFIX.idx beside it");
                }
                prefixes.addAll(found);
            } else {
                prefixes.add(p);
            }
        }
        long start = System.nanoTime();
        long[] counts = IndexedDatasets.merge(prefixes, output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "merged %d datasets: %,d documents, %,d items, %,d tokens in %.1f s -> %s.bin/.idx%n",
                prefixes.size(), counts[1], counts[0], counts[2], (System.nanoTime() - start) / 1e9, output);
        out.flush();
        return 0;
    }
}

package io.github.vectorlm.cli;

import io.github.vectorlm.corpus.PreprocessOptions;
import io.github.vectorlm.corpus.Preprocessor;
import io.github.vectorlm.generation.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm preprocess}: JSON-lines corpora to GPT-NeoX / Megatron indexed datasets. */
@Command(name = "preprocess",
        header = "Tokenize JSON-lines corpora into GPT-NeoX/Megatron indexed datasets.",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Does what GPT-NeoX's tools/datasets/preprocess_data.py does, on all cores: each line of the input "
                    + "files is a JSON object (a document); the text under each --json-keys key is tokenized and "
                    + "written to PREFIX_KEY_document.bin and .idx (the mmap indexed-dataset format GPT-NeoX and "
                    + "Megatron-LM train from; tokens as uint16 below 65500 ids, else int32). Inputs may be plain, "
                    + "gzip, xz or zstd (recognised by their bytes). Lines with empty text are skipped.",
            ""},
        footer = {
            "",
            "Output: a summary line; with --json: {\"documents\", \"tokens\", \"bad_lines\", \"outputs\": {KEY: PREFIX},"
                    + " \"seconds\"}.",
            "",
            "Examples:",
            "  vectorlm preprocess --input pile/00.jsonl.zst --tokenizer 20B_tokenizer.json --append-eod \\",
            "      --output-prefix data/pile_00",
            "  vectorlm preprocess --input a.jsonl b.jsonl.gz --model models/gpt2-shakespeare --output-prefix out/ab"})
final class PreprocessCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Option(names = "--input", paramLabel = "FILE", arity = "1..*", required = true,
            description = "JSON-lines files, read in order.")
    private List<Path> inputs;

    @Option(names = {"--json-keys", "--jsonl-keys"}, paramLabel = "KEY", arity = "1..*", defaultValue = "text",
            description = "The keys whose texts are tokenized, one dataset each. Default: ${DEFAULT-VALUE}.")
    private List<String> keys;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    static final class Source {
        @Option(names = "--tokenizer", paramLabel = "FILE", required = true,
                description = "A tokenizer file: tokenizer.json, 20B_tokenizer.json, or encoder.json with vocab.bpe beside it.")
        Path tokenizer;

        @Option(names = "--model", paramLabel = "PATH", required = true,
                description = "The tokenizer of this model (found beside its weights).")
        Path model;
    }

    @Option(names = "--append-eod", description = "End each document with the tokenizer's <|endoftext|> id.")
    private boolean appendEod;

    @Option(names = "--output-prefix", paramLabel = "PREFIX", required = true,
            description = "Where the datasets go: PREFIX_KEY_document.bin and .idx.")
    private Path outputPrefix;

    @Option(names = "--workers", paramLabel = "N", description = "Tokenizing threads. Default: the number of cores.")
    private Integer workers;

    @Option(names = "--skip-bad-lines",
            description = "Count and skip lines that are not JSON objects with the keys as strings in UTF-8 (default: stop at the first).")
    private boolean skipBadLines;

    @Option(names = "--json", description = "Print the summary as JSON.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        for (Path p : inputs) {
            if (!Files.isRegularFile(p)) {
                throw new CliException("no such file: " + p, "--input takes JSON-lines files (plain, .gz, .xz or .zst)");
            }
        }
        Tokenizer tokenizer = ModelOptions.tokenizerOnly(source.tokenizer, source.model, root.context());
        PreprocessOptions options = new PreprocessOptions(keys, appendEod,
                workers == null ? Runtime.getRuntime().availableProcessors() : workers, skipBadLines);
        Preprocessor.Result result;
        try (ProgressDisplay progress = root.progress()) {
            result = new Preprocessor(tokenizer, options).run(inputs, outputPrefix, p -> progress.bytes("preprocess",
                    p.fileBytesRead(), p.totalFileBytes(), String.format(Locale.ROOT, "%,d docs, %.0f docs/s, %.1f MB/s",
                            p.documents(), p.documentsPerSecond(), p.megabytesPerSecond())));
        }
        Preprocessor.Progress p = result.progress();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("documents", p.documents());
            summary.put("tokens", p.tokens());
            summary.put("bad_lines", p.badLines());
            Map<String, String> outputs = new LinkedHashMap<>();
            result.outputs().forEach((k, v) -> outputs.put(k, v.toString()));
            summary.put("outputs", outputs);
            summary.put("seconds", p.elapsedNanos() / 1e9);
            Json.print(out, summary);
        } else {
            out.printf(Locale.ROOT, "%,d documents, %,d tokens in %.1f s (%.0f docs/s, %.1f MB/s) -> %s%n", p.documents(),
                    p.tokens(), p.elapsedNanos() / 1e9, p.documentsPerSecond(), p.megabytesPerSecond(),
                    String.join(", ", result.outputs().values().stream().map(v -> v + ".bin/.idx").toList()));
        }
        out.flush();
        if (p.badLines() > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("skipped " + p.badLines() + " bad line" + (p.badLines() == 1 ? "" : "s") + "; the first: "
                    + result.firstBadLine().getMessage());
            err.flush();
        }
        return 0;
    }
}

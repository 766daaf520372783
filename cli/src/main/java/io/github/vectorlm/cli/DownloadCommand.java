package io.github.vectorlm.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm download}: OpenAI's released GPT-2 files. */
@Command(name = "download",
        header = "OpenAI's GPT-2 files (gpt2, gpt2-medium, gpt2-large, gpt2-xl).",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Downloads OpenAI's released GPT-2 checkpoint (TensorFlow) and tokenizer files for one model size from "
                    + "OpenAI's public storage. The folder then loads with --model DIR.",
            "",
            "Each file is written to FILE.part and renamed when its size equals the size the server announced. "
                    + "An interrupted download resumes where it stopped (HTTP Range) when the command runs again; "
                    + "files already complete are skipped; dropped connections are retried.",
            "",
            "Sizes: gpt2 (124M, 0.5 GB), gpt2-medium (355M, 1.4 GB), gpt2-large (774M, 3.1 GB), gpt2-xl (1558M, 6.2 GB). "
                    + "OpenAI's own names 124M, 355M, 774M and 1558M work too.",
            ""},
        footer = {
            "",
            "Files: " + "checkpoint, encoder.json, hparams.json, vocab.bpe, model.ckpt.index, model.ckpt.meta, "
                    + "model.ckpt.data-00000-of-00001",
            "",
            "Examples:",
            "  vectorlm download gpt2",
            "  vectorlm download gpt2-medium --to models/gpt2-medium",
            "  vectorlm generate --model gpt2 --prompt \"Hello, I'm a language model,\""})
final class DownloadCommand implements Callable<Integer> {
    /** OpenAI's public GPT-2 storage; the size's folder and the file name are appended. */
    static final String DEFAULT_BASE_URL = "https://openaipublic.blob.core.windows.net/gpt-2/models";

    /** The files of one size, in the order they are fetched (small ones first). */
    static final List<String> FILES = List.of("checkpoint", "encoder.json", "hparams.json", "vocab.bpe",
            "model.ckpt.index", "model.ckpt.meta", "model.ckpt.data-00000-of-00001");

    /** Hugging Face-style size names → OpenAI's folder names. */
    static final Map<String, String> SIZES = Map.of(
            "gpt2", "124M", "gpt2-medium", "355M", "gpt2-large", "774M", "gpt2-xl", "1558M",
            "124M", "124M", "355M", "355M", "774M", "774M", "1558M", "1558M");

    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SIZE", description = "gpt2, gpt2-medium, gpt2-large or gpt2-xl.")
    private String size;

    @Option(names = "--to", paramLabel = "DIR", description = "The folder to fill. Default: ./SIZE (e.g. ./gpt2).")
    private Path to;

    @Option(names = "--base-url", paramLabel = "URL", defaultValue = DEFAULT_BASE_URL,
            description = "Where the size folders are. Default: ${DEFAULT-VALUE}")
    private String baseUrl;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
            description = "Attempts per file when connections drop. Default: ${DEFAULT-VALUE}.")
    private int retries;

    @Option(names = "--retry-delay-ms", paramLabel = "MS", defaultValue = "2000", hidden = true,
            description = "Pause before the first retry, doubled at each one (tests make it 0).")
    private long retryDelayMillis;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String folder = SIZES.getOrDefault(size.toLowerCase(Locale.ROOT), SIZES.get(size.toUpperCase(Locale.ROOT)));
        if (folder == null) {
            throw new CliException("unknown GPT-2 size '" + size + "'",
                    "choose gpt2, gpt2-medium, gpt2-large or gpt2-xl (or 124M, 355M, 774M, 1558M)");
        }
        if (retries < 1) {
            throw new CliException("--retries must be at least 1, got " + retries);
        }
        Path dir = to != null ? to : Path.of(size);
        Files.createDirectories(dir);
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        try (ProgressDisplay progress = root.progress()) {
            HttpDownloader downloader = new HttpDownloader(client, retries, Duration.ofMillis(retryDelayMillis), new HttpDownloader.Listener() {
                @Override
                public void bytes(String file, long done, long total) {
                    progress.bytes(file, done, total);
                }

                @Override
                public void notice(String line) {
                    err.println(line);
                    err.flush();
                }
            });
            for (String file : FILES) {
                URI url = URI.create(base + folder + "/" + file);
                Path target = dir.resolve(file);
                HttpDownloader.Outcome outcome = downloader.download(url, target);
                String what = switch (outcome) {
                    case ALREADY_COMPLETE -> "already complete";
                    case DOWNLOADED -> "downloaded";
                    case RESUMED -> "resumed and completed";
                };
                err.printf(Locale.ROOT, "%-32s %s, %s%n", file, what, InspectCommand.bytesText(Files.size(target)));
                err.flush();
            }
        } finally {
            client.close();
        }
        out.println(dir);
        out.flush();
        err.println("done: run it with  vectorlm generate --model " + dir + " --prompt \"Hello\"");
        err.flush();
        return 0;
    }
}

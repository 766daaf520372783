package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code ./vectorlm} examples run as written on a fresh clone: every command of a
 * ```bash block runs, through the launcher on the packaged jars, in an empty folder that holds
 * only what a clone has ({@code ./vectorlm} and {@code models/}), and exits 0 with no error line.
 * A block that downloads (it needs the network, which tests never use) is checked for order
 * instead: each downloaded model is downloaded before a command of the block names it.
 */
class ReadmeExamplesIT {
    private static final Pattern BASH_BLOCK = Pattern.compile("```bash\\R(.*?)```", Pattern.DOTALL);
    private static final Pattern DOWNLOAD = Pattern.compile("^\\./vectorlm download (\\S+)");

    @Test
    void everyReadmeCommandRunsOnAFreshClone(@TempDir Path clone) throws Exception {
        Files.createSymbolicLink(clone.resolve("vectorlm"), Cli.HOME.resolve("vectorlm"));
        Files.createSymbolicLink(clone.resolve("models"), Cli.HOME.resolve("models"));
        Files.createSymbolicLink(clone.resolve("corpus"), Cli.HOME.resolve("corpus")); // preprocess's sample corpus
        List<String> ran = new ArrayList<>();
        for (List<String> block : blocks()) {
            if (block.stream().anyMatch(line -> DOWNLOAD.matcher(line).find())) {
                continue;
            }
            for (String line : block) {
                Run run = bash(clone, line);
                assertThat(run.status()).as("%s%nstdout: %s%nstderr: %s", line, run.out(), run.err()).isZero();
                // no error line; the launcher's own notes (an AOT cache made for this build) are fine
                assertThat(run.err().lines().filter(l -> l.startsWith("vectorlm: ") || l.startsWith("hint: "))
                        .filter(l -> !l.startsWith("vectorlm: preparing the AOT cache"))).as(line).isEmpty();
                ran.add(line);
            }
        }
        assertThat(ran).as("commands run").hasSizeGreaterThanOrEqualTo(8)
                .anyMatch(l -> l.startsWith("./vectorlm convert ")).anyMatch(l -> l.startsWith("./vectorlm bench"))
                .anyMatch(l -> l.startsWith("./vectorlm forward "));
        assertThat(clone.resolve("shakespeare.safetensors")).as("convert's output").isNotEmptyFile();
        assertThat(clone.resolve("docs_text_document.bin")).as("preprocess's output").isNotEmptyFile();
    }

    @Test
    void aBlockThatDownloadsDoesSoBeforeItUsesTheModel() throws IOException {
        int blocksWithDownloads = 0;
        for (List<String> block : blocks()) {
            List<String> downloaded = new ArrayList<>();
            for (String line : block) {
                Matcher d = DOWNLOAD.matcher(line);
                if (d.find()) {
                    downloaded.add(d.group(1));
                    continue;
                }
                for (String size : DownloadCommand.SIZES.keySet()) {
                    if (Pattern.compile("(--model |\\s)" + Pattern.quote(size) + "(/|\\s|$)").matcher(line).find()) {
                        assertThat(downloaded).as("downloaded before: %s", line).contains(size);
                    }
                }
            }
            blocksWithDownloads += downloaded.isEmpty() ? 0 : 1;
        }
        assertThat(blocksWithDownloads).isPositive();
    }

    /** The {@code ./vectorlm} lines of each ```bash block of the README, in order. */
    private static List<List<String>> blocks() throws IOException {
        String readme = Files.readString(Cli.HOME.resolve("README.md"));
        List<List<String>> blocks = new ArrayList<>();
        Matcher m = BASH_BLOCK.matcher(readme);
        while (m.find()) {
            List<String> lines = m.group(1).lines().map(String::strip).filter(l -> l.startsWith("./vectorlm ")).toList();
            if (!lines.isEmpty()) {
                blocks.add(lines);
            }
        }
        assertThat(blocks).as("```bash blocks with ./vectorlm commands in README.md").isNotEmpty();
        return blocks;
    }

    record Run(int status, String out, String err) {
    }

    private static Run bash(Path folder, String line) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(folder.toFile());
        pb.environment().put("VECTORLM_NO_BUILD", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        Path out = Files.createTempFile(folder, "out", ".txt");
        // stdout can be large (forward --json): drain it on another thread while stderr is read
        Thread drain = Thread.ofPlatform().start(() -> {
            try {
                Files.write(out, p.getInputStream().readAllBytes());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(line).isTrue();
        drain.join();
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Run(p.exitValue(), printed, new String(err, StandardCharsets.UTF_8));
    }
}

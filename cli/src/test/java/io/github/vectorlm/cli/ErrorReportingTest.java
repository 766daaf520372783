package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one 'vectorlm:' line (the reader's own message), a non-zero status, and a stack trace only with --verbose. */
class ErrorReportingTest {
    @Test
    void unreadableFileGivesTheCheckpointMessage(@TempDir Path tmp) throws IOException {
        long seed = 20240607L;
        System.out.println("random bytes seed " + seed);
        byte[] junk = new byte[4096];
        new Random(seed).nextBytes(junk);
        junk[0] = 'x';
        Path file = tmp.resolve("junk.bin");
        Files.write(file, junk);
        Cli.Result r = Cli.run("inspect", file.toString()).assertOneLineError(1);
        assertThat(r.err()).contains(file.toString()).contains("not a checkpoint");
        Cli.run("convert", file.toString(), tmp.resolve("o.safetensors").toString()).assertOneLineError(1);
    }

    @Test
    void hostilePickleIsRefusedByNameWithoutTrace() {
        Path bad = Cli.CHECKPOINT_FIXTURES.resolve("torch/bad/os_system.pt");
        Cli.Result r = Cli.run("inspect", bad.toString()).assertOneLineError(1);
        assertThat(r.err()).contains("os.system");
    }

    @Test
    void truncatedCheckpointAsModelIsOneLine(@TempDir Path tmp) throws IOException {
        byte[] ckpt = Files.readAllBytes(Cli.DEMO.resolve("ckpt.pt"));
        Path cut = tmp.resolve("ckpt.pt");
        Files.write(cut, java.util.Arrays.copyOf(ckpt, ckpt.length / 2));
        Cli.Result r = Cli.run("generate", "--model", cut.toString(), "--ids", "1,2").assertOneLineError(1);
        assertThat(r.err()).contains(cut.toString());
    }

    @Test
    void verboseAddsTheStackTrace(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("empty.pt");
        Files.write(file, new byte[0]);
        Cli.Result quiet = Cli.run("inspect", file.toString()).assertOneLineError(1);
        Cli.Result verbose = Cli.run("--verbose", "inspect", file.toString());
        assertThat(verbose.status()).isEqualTo(1);
        assertThat(verbose.err()).startsWith(quiet.err().strip().split("\n")[0]).contains("\tat ");
    }

    @Test
    void missingModelAndFolderWithoutModel(@TempDir Path tmp) {
        Cli.Result missing = Cli.run("score", "--model", tmp.resolve("nope").toString(), "--ids", "1,2").assertOneLineError(1);
        assertThat(missing.err()).contains("no such file or folder").contains("nope");
        Cli.Result empty = Cli.run("score", "--model", tmp.toString(), "--ids", "1,2").assertOneLineError(1);
        assertThat(empty.err()).contains("no model loader recognises").contains("hint: --model takes");
    }

    @Test
    void aMissingModelNamedLikeADownloadableOneSaysToDownloadItFirst(@TempDir Path tmp) {
        assertThat(Cli.run("forward", "--model", "gpt2", "--ids", "1,2").assertOneLineError(1).err())
                .isEqualTo("vectorlm: no such file or folder: gpt2 (no model here)\n"
                        + "hint: run 'vectorlm download gpt2' first (OpenAI's GPT-2 files)\n");
        assertThat(Cli.run("convert", "gpt2/model.ckpt.index", tmp.resolve("x.safetensors").toString())
                .assertOneLineError(1).err()).contains("hint: run 'vectorlm download gpt2' first");
        Path medium = tmp.resolve("models/gpt2-medium");
        assertThat(Cli.run("bench", "--model", medium.toString()).assertOneLineError(1).err())
                .contains("hint: run 'vectorlm download gpt2-medium --to " + medium + "' first");
        assertThat(Cli.run("generate", "--model", "pythia-160m", "--prompt", "x").assertOneLineError(1).err())
                .contains("hint: fetch EleutherAI/pythia-160m from the Hugging Face hub into pythia-160m first");
        assertThat(Cli.run("score", "--model", tmp.resolve("nope").toString(), "--ids", "1,2").assertOneLineError(1).err())
                .doesNotContain("hint:");
    }

    @Test
    void demoModelMissingSaysHowToGiveOne(@TempDir Path tmp) {
        java.io.StringWriter err = new java.io.StringWriter();
        int status = VectorLm.execute(new String[] {"generate", "--prompt", "x"}, new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err), new CliContext(tmp, false));
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).startsWith("vectorlm: no --model given, and the demo model is not at")
                .contains("hint: pass --model PATH");
    }
}

package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in-process, as {@code vectorlm ARGS} would, and captures what it prints. */
final class Cli {
    /** The repository root: tests run in the cli module's folder. */
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    static final Path DEMO = HOME.resolve("models/gpt2-shakespeare");
    static final Path GPT2_FIXTURES = HOME.resolve("gpt2-model/src/test/resources");
    static final Path CHECKPOINT_FIXTURES = HOME.resolve("checkpoint-io/src/test/resources");

    private Cli() {
    }

    /** What a run printed and returned. */
    record Result(int status, String out, String err) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + out, e);
            }
        }

        /** Exit status 0 and nothing on stderr but the progress lines a quiet run has none of. */
        Result assertSuccess() {
            assertThat(status).as("exit status; stderr: %s", err).isZero();
            return this;
        }

        /**
         * A failure reported the way users must see it: one 'vectorlm:' line (after any progress
         * lines the command printed before failing), maybe a hint line, and no stack trace.
         */
        Result assertOneLineError(int expectedStatus) {
            assertThat(status).as("exit status; stdout: %s; stderr: %s", out, err).isEqualTo(expectedStatus);
            String[] lines = err.strip().split("\n");
            int first = 0;
            while (first < lines.length && !lines[first].startsWith("vectorlm: ")) {
                first++;
            }
            assertThat(first).as("a 'vectorlm: ' line in %s", err).isLessThan(lines.length);
            assertThat(lines.length - first).as("lines from the error on: %s", err).isLessThanOrEqualTo(2);
            if (lines.length - first == 2) {
                assertThat(lines[first + 1]).startsWith("hint: ");
            }
            assertThat(err).doesNotContain("\tat ").doesNotContain("Exception:");
            return this;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Files.isDirectory(DEMO)).as("demo model at %s", DEMO).isTrue();
        int status = VectorLm.execute(args, new PrintWriter(out), new PrintWriter(err), new CliContext(HOME, false));
        return new Result(status, out.toString(), err.toString());
    }

    static int[] ints(JsonNode array) {
        int[] v = new int[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).intValue();
        }
        return v;
    }

    static String ids(int[] ids) {
        return TokenIds.format(ids);
    }

    static JsonNode readJson(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }
}

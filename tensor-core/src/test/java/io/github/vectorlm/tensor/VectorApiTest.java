package io.github.vectorlm.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Vector API check, in JVMs of its own on this module's classes: on the class path without
 * {@code --add-modules jdk.incubator.vector} it fails with the message that names the flag; with
 * the flag it passes.
 */
class VectorApiTest {
    /** Started in a child JVM: prints what {@link VectorApi#requireAvailable()} did. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                VectorApi.requireAvailable();
                System.out.print("available");
            } catch (IllegalStateException e) {
                System.out.print("refused: " + e.getMessage());
            }
        }
    }

    @Test
    void thisTestJvmHasIt() {
        assertThat(VectorApi.isAvailable()).isTrue();
        VectorApi.requireAvailable();
    }

    @Test
    void withoutTheFlagTheCheckNamesIt() throws Exception {
        String refused = probe(false);
        assertThat(refused).isEqualTo("refused: " + VectorApi.missingMessage());
        assertThat(refused).contains("--add-modules jdk.incubator.vector");
        assertThat(probe(true)).isEqualTo("available");
    }

    private static String probe(boolean withFlag) throws IOException, InterruptedException {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(javaCommand));
        if (withFlag) {
            command.addAll(List.of("--add-modules", VectorApi.MODULE));
        }
        String classPath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target/test-classes").toAbsolutePath();
        command.addAll(List.of("-cp", classPath, Probe.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}

package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./vectorlm} launcher end to end, on the jar and {@code cli/target/lib} that the
 * package phase made (VECTORLM_NO_BUILD=1: no nested build): it finds JDK 25, passes the JVM flags,
 * finds the demo model through {@code vectorlm.home}, and keeps the exit statuses.
 */
class LauncherIT {
    private static final Path LAUNCHER = Cli.HOME.resolve("vectorlm");

    record Run(int status, String out, String err) {
    }

    private static Run launch(String... args) throws IOException, InterruptedException {
        return launchWith(null, args);
    }

    /** The launcher with {@code VECTORLM_JAVA_OPTS} set to {@code javaOpts} (unless null). */
    private static Run launchWith(String javaOpts, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(Files.createTempDirectory("launcher-it").toFile());
        pb.environment().put("VECTORLM_NO_BUILD", "1");
        if (javaOpts != null) {
            pb.environment().put("VECTORLM_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        // read both streams fully (small outputs), then wait
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void generatesWithTheDemoModelFromAnyFolderLikeTheInProcessCommand() throws Exception {
        String[] args = {"generate", "--prompt", "ROMEO:", "--temperature", "0", "--max-new-tokens", "8", "--json"};
        Run run = launch(args);
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(Cli.run(args).assertSuccess().out());
        assertThat(run.out()).startsWith("{\"ids\":[").contains("\"text\":\"ROMEO:");
    }

    @Test
    void onTheClassPathWithoutTheVectorModuleLoadingNamesTheFlag() throws Exception {
        // the jars as someone would run them by hand, forgetting --add-modules jdk.incubator.vector
        Path target = Cli.HOME.resolve("cli/target");
        String classPath = target.resolve("vectorlm-cli.jar") + java.io.File.pathSeparator + target.resolve("lib/*");
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", classPath,
                "-Dvectorlm.home=" + Cli.HOME, VectorLm.class.getName(), "generate", "--prompt", "ROMEO:");
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        assertThat(out).isEmpty();
        assertThat(err).startsWith("vectorlm: the JDK Vector API (module jdk.incubator.vector) is not in this JVM")
                .contains("start java with --add-modules jdk.incubator.vector").doesNotContain("\tat ")
                .doesNotContain("NoClassDefFoundError");
        assertThat(err.strip().lines().count()).isEqualTo(1);
    }

    @Test
    void javaOptionsNamingAHeapSizeOrACollectorReplaceTheLaunchersOwn() throws Exception {
        // the launcher's own first heap (96 MB) must give way to a smaller maximum, not clash with it
        Run small = launchWith("-Xmx48m", "generate", "--prompt", "ROMEO:", "--max-new-tokens", "2", "--seed", "1");
        assertThat(small.status()).as(small.err()).isZero();
        assertThat(small.out()).startsWith("ROMEO:");
        Run g1 = launchWith("-XX:+UseG1GC -XX:+PrintCommandLineFlags", "--version");
        assertThat(g1.status()).as(g1.err()).isZero();
        assertThat(g1.out()).contains("-XX:+UseG1GC").doesNotContain("-XX:+UseSerialGC");
        Run own = launchWith("-XX:+PrintCommandLineFlags", "--version");
        assertThat(own.out()).contains("-XX:+UseSerialGC").contains("-XX:NewSize=67108864");
    }

    @Test
    void errorsKeepTheirStatusAndOneLine() throws Exception {
        Run missing = launch("inspect", "/no/such/checkpoint.pt");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("vectorlm: no such file or folder: /no/such/checkpoint.pt").doesNotContain("\tat ");
        Run usage = launch("generate", "--no-such-option");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(launch("--version").out()).startsWith("vectorlm ");
    }
}

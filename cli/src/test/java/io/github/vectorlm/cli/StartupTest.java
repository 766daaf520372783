package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the start-up work relies on: the arguments the tokenizer prefetch reads, the launch clock, the launcher's JIT flags. */
class StartupTest {
    private static final CliContext CONTEXT = new CliContext(Cli.HOME, false);

    private static TokenizerPrefetch.Target target(String... args) {
        return TokenizerPrefetch.target(args, CONTEXT);
    }

    @Test
    void thePrefetchReadsTheModelOfAModelCommandOnly(@TempDir Path tmp) throws IOException {
        assertThat(target("generate", "--prompt", "ROMEO:")).isEqualTo(new TokenizerPrefetch.Target(Cli.DEMO, null));
        Path model = Files.createDirectories(tmp.resolve("m"));
        Path tok = Files.writeString(tmp.resolve("tokenizer.json"), "{}");
        assertThat(target("--verbose", "score", "--model", model.toString(), "--ids", "1,2"))
                .isEqualTo(new TokenizerPrefetch.Target(model, null));
        assertThat(target("forward", "--model=" + model, "--tokenizer=" + tok, "--ids", "1"))
                .isEqualTo(new TokenizerPrefetch.Target(model, tok));
        assertThat(target("bench", "--threads", "1")).isEqualTo(new TokenizerPrefetch.Target(Cli.DEMO, null));
        // not a model command, help, a model or tokenizer that is not there, an option without its value
        assertThat(target("tokenize", "--text", "x")).isNull();
        assertThat(target("inspect", Cli.DEMO.resolve("ckpt.pt").toString())).isNull();
        assertThat(target("generate", "--help")).isNull();
        assertThat(target("help", "generate")).isNull();
        assertThat(target("generate", "--model", tmp.resolve("nope").toString(), "--prompt", "x")).isNull();
        assertThat(target("generate", "--tokenizer", tmp.resolve("nope.json").toString(), "--prompt", "x")).isNull();
        assertThat(target("generate", "--prompt", "x", "--model")).isNull();
        assertThat(target()).isNull();
    }

    @Test
    void theLaunchClockReadsTheLaunchersTimestamp() {
        String before = System.getProperty(StartupClock.LAUNCHED_PROPERTY);
        try {
            System.setProperty(StartupClock.LAUNCHED_PROPERTY, "1796621755.557915");
            assertThat(StartupClock.launchedMillis()).isEqualTo(1796621755558L);
            System.setProperty(StartupClock.LAUNCHED_PROPERTY, "1796621755,5"); // a decimal comma locale
            assertThat(StartupClock.launchedMillis()).isEqualTo(1796621755500L);
            assertThat(StartupClock.describe(1796621756000L)).startsWith("500 ms after the launcher started");
            System.setProperty(StartupClock.LAUNCHED_PROPERTY, "");
            assertThat(StartupClock.describe(System.currentTimeMillis())).contains("after the process started");
        } finally {
            if (before == null) {
                System.clearProperty(StartupClock.LAUNCHED_PROPERTY);
            } else {
                System.setProperty(StartupClock.LAUNCHED_PROPERTY, before);
            }
        }
    }

    /** A renamed kernel class would silently drop its JIT flag: each class the launcher names must exist. */
    @Test
    void theClassesTheLaunchersJitFlagsNameExist() throws Exception {
        String launcher = Files.readString(Cli.HOME.resolve("vectorlm"));
        Matcher m = Pattern.compile("CompileCommand=\\w+,(io/github/vectorlm/[\\w/]+)\\.\\*").matcher(launcher);
        int named = 0;
        while (m.find()) {
            String className = m.group(1).replace('/', '.');
            assertThat(Class.forName(className, false, getClass().getClassLoader())).as(className).isNotNull();
            named++;
        }
        assertThat(named).as("CompileCommands naming VectorLM classes").isGreaterThanOrEqualTo(2);
    }
}

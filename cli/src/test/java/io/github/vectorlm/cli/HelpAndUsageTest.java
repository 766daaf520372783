package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpAndUsageTest {
    private static final List<String> COMMANDS =
            List.of("generate", "score", "forward", "tokenize", "inspect", "convert", "export", "download", "bench", "serve");

    @Test
    void topLevelHelpListsEveryCommandAndExamples() {
        Cli.Result r = Cli.run("--help").assertSuccess();
        for (String c : COMMANDS) {
            assertThat(r.out()).contains("\n  " + c + " ");
        }
        assertThat(r.out()).contains("Examples:").contains("vectorlm generate --prompt \"ROMEO:\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "score", "forward", "tokenize", "inspect", "convert", "export", "download", "bench", "serve"})
    void everyCommandHasHelpWithExamples(String command) {
        Cli.Result r = Cli.run(command, "--help").assertSuccess();
        assertThat(r.out()).contains("Usage: vectorlm " + command).contains("Examples:").contains("  vectorlm " + command);
        Cli.Result viaHelp = Cli.run("help", command).assertSuccess();
        assertThat(viaHelp.out()).isEqualTo(r.out());
    }

    @Test
    void noCommandPrintsUsageAndExitsWithUsageStatus() {
        Cli.Result r = Cli.run();
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("Usage: vectorlm");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownCommandIsOneLineWithSuggestion() {
        Cli.Result r = Cli.run("generat", "--prompt", "x");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("vectorlm: Unmatched arguments").contains("generate").doesNotContain("\tat ");
    }

    @Test
    void badOptionValueNamesTheOptionAndPointsToHelp() {
        Cli.Result r = Cli.run("generate", "--ids", "1,x,3");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("'x' is not a token id").contains("hint: see 'vectorlm generate --help'");
    }

    @Test
    void promptAndIdsAreExclusiveAndOneIsRequired() {
        assertThat(Cli.run("generate").status()).isEqualTo(2);
        Cli.Result both = Cli.run("generate", "--prompt", "a", "--ids", "1");
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void versionNamesTheJava() {
        Cli.Result r = Cli.run("--version").assertSuccess();
        assertThat(r.out()).startsWith("vectorlm ").contains("Java " + Runtime.version().feature());
    }

    @Test
    void verboseIsAcceptedBeforeAndAfterTheCommand() {
        assertThat(Cli.run("--verbose", "tokenize", "--text", "Hi").assertSuccess().out()).isEqualTo("17250\n");
        assertThat(Cli.run("tokenize", "--text", "Hi", "--verbose").assertSuccess().out()).isEqualTo("17250\n");
    }
}

package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vectorlm serve}'s refusals, before it loads anything (ServeIT runs it for real). */
class ServeCommandTest {
    @Test
    void parallelMustBePositive() {
        Cli.Result r = Cli.run("serve", "--parallel", "0");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("--parallel").doesNotContain("\tat ");
    }

    @Test
    void aBadChatTemplateNamesItsFile(@TempDir Path dir) throws Exception {
        Path template = Files.writeString(dir.resolve("chat.json"), "{\"user\": \"no placeholder\"}");
        Cli.Result r = Cli.run("serve", "--chat-template", template.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("chat.json").contains("{content}");
        Cli.Result missing = Cli.run("serve", "--chat-template", dir.resolve("missing.json").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("missing.json");
    }
}

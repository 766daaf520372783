package io.github.vectorlm.decoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed reads of config settings, and the errors that name the file and the setting. */
class ConfigReaderTest {
    private static final Path FILE = Path.of("dir/config.json");

    private static ConfigReader json(String text) throws IOException {
        return ConfigReader.of(FILE, new ObjectMapper().readTree(text));
    }

    @Test
    void readsTypedValuesWithFallbacksAndAliases() throws IOException {
        ConfigReader c = json("{\"n\": 12, \"eps\": \"1e-5\", \"flag\": \"True\", \"name\": \"gelu\", \"gone\": null,"
                + " \"alias\": 7}");
        assertThat(c.requiredInt("n")).isEqualTo(12);
        assertThat(c.doubleOr("eps", 0)).isEqualTo(1e-5);
        assertThat(c.boolOr("flag", false)).isTrue();
        assertThat(c.stringOr("name", null)).isEqualTo("gelu");
        assertThat(c.has("gone")).isFalse();
        assertThat(c.intOr("gone", 3)).isEqualTo(3);
        assertThat(c.intOr("missing", c.intOr("alias", 1))).isEqualTo(7);
        assertThat(c.file()).isEqualTo(FILE);
    }

    @Test
    void errorsNameTheFileAndTheSetting() throws IOException {
        ConfigReader c = json("{\"n\": 1024.5, \"flag\": 3, \"list\": [1], \"cross\": true}");
        assertThatThrownBy(() -> c.requiredInt("n")).isInstanceOf(CorruptCheckpointException.class)
                .hasMessage("dir/config.json: setting 'n' = 1024.5 is not an integer");
        assertThatThrownBy(() -> c.requiredInt("absent")).hasMessage("dir/config.json: setting 'absent' is missing");
        assertThatThrownBy(() -> c.boolOr("flag", true)).hasMessageContaining("'flag' = 3 is not true or false");
        assertThatThrownBy(() -> c.stringOr("list", null)).hasMessageContaining("'list' = [1] is not a string");
        assertThatThrownBy(() -> c.refuseUnless("cross", false, "cross-attention"))
                .isInstanceOf(UnsupportedCheckpointException.class)
                .hasMessage("dir/config.json: setting 'cross' = true is not supported: cross-attention is not implemented");
        c.refuseUnless("absent", false, "anything");
        assertThatThrownBy(() -> ConfigReader.of(FILE, new ObjectMapper().readTree("[1, 2]")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("found array");
    }

    @Test
    void dashedKeysAreUnderscoresAndBothSpellingsMustAgree() throws IOException {
        JsonNode same = new ObjectMapper().readTree("{\"num-layers\": 2, \"num_layers\": 2}");
        ConfigReader c = ConfigReader.ofDashedKeys(FILE, same);
        assertThat(c.requiredInt("num_layers")).isEqualTo(2);
        assertThatThrownBy(() -> c.requiredInt("hidden_size")).hasMessageContaining("'hidden-size' (or 'hidden_size')");
        JsonNode different = new ObjectMapper().readTree("{\"num-layers\": 2, \"num_layers\": 3}");
        assertThatThrownBy(() -> ConfigReader.ofDashedKeys(FILE, different))
                .hasMessageContaining("'num-layers' = 2 and 'num_layers' = 3 name the same setting");
    }

    @Test
    void readJsonNamesABrokenFile(@TempDir Path dir) throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"a\": ");
        assertThatThrownBy(() -> ConfigReader.readJson(broken)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("broken.json: not valid JSON");
    }
}

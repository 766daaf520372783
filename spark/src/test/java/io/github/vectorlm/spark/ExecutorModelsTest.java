package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** One model per path per JVM, and clear errors for a missing one. */
class ExecutorModelsTest {
    @Test
    void aPathIsLoadedOnceWhateverItsSpelling() {
        ExecutorModels.Loaded a = ExecutorModels.model(SparkTests.MODEL);
        ExecutorModels.Loaded b = ExecutorModels.model(SparkTests.MODEL + "/./");
        assertThat(b).isSameAs(a);
        assertThat(a.tokenizer().encode("ROMEO:")).isNotEmpty();
    }

    @Test
    void aMissingModelIsAnErrorNamingThePath() {
        assertThatThrownBy(() -> ExecutorModels.model("no/such/model"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no/such/model").hasMessageContaining("no such model");
        assertThatThrownBy(() -> ExecutorModels.tokenizer("no/such/tokenizer.json"))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("no/such/tokenizer.json");
        assertThatThrownBy(() -> ExecutorModels.model(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTokenizerIsLoadedOncePerPath() {
        assertThat(ExecutorModels.tokenizer(SparkTests.MODEL + "/encoder.json"))
                .isSameAs(ExecutorModels.tokenizer(SparkTests.MODEL + "/encoder.json"));
    }
}

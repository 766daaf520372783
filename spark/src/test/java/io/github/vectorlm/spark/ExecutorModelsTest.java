package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import org.apache.spark.SparkConf;
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

    @Test
    void theKernelsTakeTheExecutorsCoresUnlessToldOtherwise() {
        assertThat(ExecutorModels.threads(null)).isZero();
        assertThat(ExecutorModels.threads(new SparkConf(false))).isZero();
        assertThat(ExecutorModels.threads(new SparkConf(false).set("spark.executor.cores", "6"))).isEqualTo(6);
        assertThat(ExecutorModels.threads(new SparkConf(false).set("spark.executor.cores", "6")
                .set("spark.vectorlm.threads", "3"))).isEqualTo(3);
        assertThatThrownBy(() -> ExecutorModels.threads(new SparkConf(false).set("spark.vectorlm.threads", "-1")))
                .hasMessageContaining("spark.vectorlm.threads");
    }
}

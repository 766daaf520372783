package io.github.vectorlm.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aModelAtAUriIsCopiedToLocalDiskOnceWhileItIsUnchanged(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("source/model");
        Files.createDirectories(source.resolve("sub"));
        Files.writeString(source.resolve("config.json"), "{}");
        Files.writeString(source.resolve("sub/weights.bin"), "abc");
        SparkConf conf = new SparkConf(false).set("spark.vectorlm.modelCache", dir.resolve("cache").toString());
        String uri = source.toUri().toString();
        assertThat(uri).startsWith("file:");
        Path copy = ExecutorModels.copy(uri, conf);
        assertThat(copy.getParent()).isEqualTo(dir.resolve("cache"));
        assertThat(Files.readString(copy.resolve("sub/weights.bin"))).isEqualTo("abc");
        assertThat(ExecutorModels.copy(uri, conf)).isEqualTo(copy);
        try (var listed = Files.list(dir.resolve("cache"))) {
            assertThat(listed.toList()).containsExactly(copy);
        }
        Files.writeString(source.resolve("sub/weights.bin"), "abcd");
        Path changed = ExecutorModels.copy(uri, conf);
        assertThat(changed).isNotEqualTo(copy);
        assertThat(Files.readString(changed.resolve("sub/weights.bin"))).isEqualTo("abcd");
        assertThatThrownBy(() -> ExecutorModels.copy(dir.resolve("nothing").toUri().toString(), conf))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("nothing").hasMessageContaining("no such model");
    }

    @Test
    void aModelUriLoadsFromTheCopy() throws Exception {
        String uri = Path.of(SparkTests.MODEL).toUri().toString();
        ExecutorModels.Loaded loaded = ExecutorModels.model(uri);
        try {
            assertThat(loaded.path()).isNotEqualTo(Path.of(SparkTests.MODEL));
            assertThat(Files.mismatch(loaded.path().resolve("ckpt.pt"), Path.of(SparkTests.MODEL, "ckpt.pt"))).isEqualTo(-1);
            assertThat(ExecutorModels.model(uri)).isSameAs(loaded);
            assertThat(loaded.tokenizer().encode("ROMEO:")).isEqualTo(ExecutorModels.model(SparkTests.MODEL)
                    .tokenizer().encode("ROMEO:"));
        } finally {
            try (var files = Files.walk(loaded.path())) { // the copy is mapped: deleting the names is safe on Linux
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}

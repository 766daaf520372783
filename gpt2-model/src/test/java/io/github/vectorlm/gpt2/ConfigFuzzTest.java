package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.testing.MutationFuzzer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mutation campaign over GPT-2's config readers: OpenAI's hparams.json and Hugging Face's config.json. */
class ConfigFuzzTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"hf/openai-tf-src/hparams.json", "hf/f16/config.json"})
    void everyMutantReadsOrFailsAsDocumented(String seed) throws Exception {
        Path file = dir.resolve(Path.of(seed).getFileName());
        Files.copy(Path.of("src/test/resources").resolve(seed), file);
        MutationFuzzer.Reader reader = f -> Gpt2Config.fromJsonFile(f).shape();
        reader.read(file);
        MutationFuzzer.Report report = new MutationFuzzer("gpt2-" + file.getFileName(), false, CheckpointException.class)
                .run(file, reader, MutationFuzzer.mutantsPerSeed(), MutationFuzzer.campaignSeed());
        System.out.println("fuzz report | " + report.summary());
        assertThat(report.violations()).isEmpty();
        assertThat(report.outcomes().getOrDefault("ok", 0)).isLessThan(report.mutants());
    }
}

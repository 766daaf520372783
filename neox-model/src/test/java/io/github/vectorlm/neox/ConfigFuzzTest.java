package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.testing.MutationFuzzer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mutation campaign over GPT-NeoX's config readers: a NeoX training YAML and Hugging Face's config.json. */
class ConfigFuzzTest {
    @TempDir
    Path dir;

    private void campaign(String seed, MutationFuzzer.Reader reader) throws Exception {
        Path file = dir.resolve(Path.of(seed).getFileName());
        Files.copy(Path.of("src/test/resources").resolve(seed), file);
        reader.read(file);
        MutationFuzzer.Report report = new MutationFuzzer("neox-" + file.getFileName(), false, CheckpointException.class)
                .run(file, reader, MutationFuzzer.mutantsPerSeed(), MutationFuzzer.campaignSeed());
        System.out.println("fuzz report | " + report.summary());
        assertThat(report.violations()).isEmpty();
        assertThat(report.outcomes().getOrDefault("ok", 0)).isLessThan(report.mutants());
    }

    @Test
    void neoxYaml() throws Exception {
        campaign("hf/slim/configs/tiny.yml", f -> NeoxConfig.fromNeoxYaml(f, 512));
    }

    @Test
    void huggingFaceConfigJson() throws Exception {
        campaign("hf/par_r25_f32_st/config.json", NeoxConfig::fromHuggingFace);
    }
}

package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face shard maps over safetensors (and, once the PyTorch reader lands, .bin) shards. */
class ShardedCheckpointTest {
    private static final JsonNode EXPECTED = Fixtures.json("safetensors/expected.json").get("sharded");

    @TempDir
    Path temp;

    private static void assertUnion(Checkpoint ckpt) throws IOException {
        List<String> names = new ArrayList<>();
        EXPECTED.get("tensors").fieldNames().forEachRemaining(names::add);
        assertThat(ckpt.tensorNames()).containsExactlyInAnyOrderElementsOf(names);
        for (String name : names) {
            JsonNode e = EXPECTED.get("tensors").get(name);
            assertThat(ckpt.info(name).dtype()).isEqualTo(DType.valueOf(e.get("dtype").asText()));
            assertThat(ckpt.info(name).shape()).isEqualTo(Shape.of(Fixtures.shape(e.get("shape"))));
            Fixtures.assertValues(name, ckpt.tensor(name), e.get("values"));
        }
    }

    @Test
    void opensTheIndexAndExposesTheUnionOfItsShards() throws IOException {
        Path index = Fixtures.resource("safetensors/sharded/model.safetensors.index.json");
        assertThat(Checkpoints.detect(index)).isEqualTo(CheckpointFormat.SHARDED);
        try (Checkpoint ckpt = Checkpoints.open(index)) {
            assertThat(ckpt.format()).isEqualTo(CheckpointFormat.SHARDED);
            assertThat(ckpt.path()).isEqualTo(index);
            assertUnion(ckpt);
            assertThat(((ShardedCheckpoint) ckpt).shards()).hasSize(shardFiles().size())
                    .allSatisfy(s -> assertThat(s.format()).isEqualTo(CheckpointFormat.SAFETENSORS));
            assertThat(ckpt.stringMetadata()).containsKey("total_size");
            Map<?, ?> content = (Map<?, ?>) ckpt.content();
            assertThat((Map<?, ?>) content.get("weight_map")).hasSize(EXPECTED.get("tensors").size());
        }
        try (Checkpoint byFolder = Checkpoints.open(index.getParent())) {
            assertThat(byFolder.format()).isEqualTo(CheckpointFormat.SHARDED);
        }
    }

    @Test
    void binShardsAreReadByThePyTorchReader() throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(Fixtures.resource("safetensors/sharded-bin/pytorch_model.bin.index.json"))) {
            assertUnion(ckpt);
            assertThat(((ShardedCheckpoint) ckpt).shards())
                    .allSatisfy(s -> assertThat(s.format()).isEqualTo(CheckpointFormat.TORCH_ZIP));
        }
    }

    /** The shard file names the committed index maps to, in order of first mention. */
    private static List<String> shardFiles() {
        List<String> files = new ArrayList<>();
        Fixtures.json("safetensors/sharded/model.safetensors.index.json").get("weight_map")
                .forEach(f -> {
                    if (!files.contains(f.asText())) {
                        files.add(f.asText());
                    }
                });
        assertThat(files).as("the fixture has several shards").hasSizeGreaterThan(1);
        return files;
    }

    private Path copy() throws IOException {
        return Fixtures.copyFolder("safetensors/sharded", Files.createTempDirectory(temp, "sharded"));
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        Path folder = copy();
        Path shard = folder.resolve(shardFiles().getLast());
        String mapped = Files.readString(folder.resolve("model.safetensors.index.json"));
        Files.delete(shard);
        assertThat(mapped).contains(shard.getFileName().toString());
        assertThatThrownBy(() -> Checkpoints.open(folder.resolve("model.safetensors.index.json")))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.file()).isEqualTo(shard))
                .hasMessageContaining("is missing");
    }

    @Test
    void aWeightMapNamingATensorItsShardLacks() throws IOException {
        Path folder = copy();
        Path index = folder.resolve("model.safetensors.index.json");
        String first = shardFiles().getFirst();
        String json = Files.readString(index).replace("\"weight_map\": {",
                "\"weight_map\": {\n    \"lm_head.weight\": \"" + first + "\",");
        Files.writeString(index, json);
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("lm_head.weight"))
                .hasMessageContaining(first)
                .hasMessageContaining("has no such tensor");
    }

    @Test
    void shardNamesMustStayBesideTheIndexAndTheJsonMustParse() throws IOException {
        Path folder = copy();
        Path index = folder.resolve("model.safetensors.index.json");
        String original = Files.readString(index);
        Files.writeString(index, original.replace("\"" + shardFiles().getFirst() + "\"", "\"../../etc/passwd\""));
        assertThatThrownBy(() -> ShardedCheckpoint.open(index, CheckpointOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("plain file name");
        Files.writeString(index, original.substring(0, original.length() / 2));
        assertThatThrownBy(() -> ShardedCheckpoint.open(index, CheckpointOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("not valid JSON");
        Files.writeString(index, "{\"weight_map\": [1, 2]}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(index, CheckpointOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("no \"weight_map\" object");
    }
}

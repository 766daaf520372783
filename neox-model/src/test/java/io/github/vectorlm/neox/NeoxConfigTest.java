package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.neox.NeoxConfig.Activation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both config formats: the spellings they come in, their defaults, and refusals that name the setting. */
class NeoxConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    // ---------------------------------------------------------------- Hugging Face config.json

    /** The Pythia-160m hub config as transformers 4.24 wrote it. */
    static final String PYTHIA_160M = """
            {"architectures": ["GPTNeoXForCausalLM"], "bos_token_id": 0, "eos_token_id": 0,
             "hidden_act": "gelu", "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
             "layer_norm_eps": 1e-05, "max_position_embeddings": 2048, "model_type": "gpt_neox",
             "num_attention_heads": 12, "num_hidden_layers": 12, "rotary_emb_base": 10000, "rotary_pct": 0.25,
             "tie_word_embeddings": false, "torch_dtype": "float16", "transformers_version": "4.24.0",
             "use_cache": true, "use_parallel_residual": true, "vocab_size": 50304}
            """;

    @Test
    void readsTransformers4Spelling() throws IOException {
        NeoxConfig c = NeoxConfig.fromHuggingFace(write("config.json", PYTHIA_160M));
        assertThat(c).isEqualTo(new NeoxConfig(50304, 768, 12, 12, 3072, 2048, 0.25, 10000, true, Activation.GELU_ERF,
                1e-5f, false, true));
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.rotaryDims()).isEqualTo(16);
    }

    @Test
    void writesAHuggingFaceConfigThatReadsBackEqual() throws IOException {
        NeoxConfig c = new NeoxConfig(100, 48, 3, 6, 200, 77, 0.5, 1234.5, false, Activation.GELU_TANH, 1e-6f, true,
                false);
        assertThat(NeoxConfig.fromHuggingFace(write("config.json", c.toHuggingFaceJson()))).isEqualTo(c);
    }

    @Test
    void readsTransformers5RopeParameters() throws IOException {
        NeoxConfig c = NeoxConfig.fromHuggingFace(write("config.json", """
                {"model_type": "gpt_neox", "vocab_size": 128, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 256, "max_position_embeddings": 64,
                 "rope_parameters": {"partial_rotary_factor": 0.5, "rope_theta": 500.0, "rope_type": "default"},
                 "use_parallel_residual": false, "hidden_act": "gelu_new", "tie_word_embeddings": true,
                 "layer_norm_eps": 1e-6, "attention_bias": false, "pad_token_id": null}
                """));
        assertThat(c.rotaryPct()).isEqualTo(0.5);
        assertThat(c.rotaryBase()).isEqualTo(500.0);
        assertThat(c.rotaryDims()).isEqualTo(8);
        assertThat(c.parallelResidual()).isFalse();
        assertThat(c.activation()).isEqualTo(Activation.GELU_TANH);
        assertThat(c.tiedEmbeddings()).isTrue();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.layerNormEps()).isEqualTo(1e-6f);
    }

    @Test
    void readsTopLevelRopeTheta() throws IOException {
        NeoxConfig c = NeoxConfig.fromHuggingFace(write("config.json", """
                {"model_type": "gpt_neox", "vocab_size": 128, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 256, "partial_rotary_factor": 1.0, "rope_theta": 20000}
                """));
        assertThat(c.rotaryDims()).isEqualTo(16);
        assertThat(c.rotaryBase()).isEqualTo(20000.0);
        // transformers' defaults for the rest
        assertThat(c.maxPositions()).isEqualTo(2048);
        assertThat(c.parallelResidual()).isTrue();
        assertThat(c.activation()).isEqualTo(Activation.GELU_ERF);
    }

    @Test
    void everyTanhGeluSpellingIsTheTanhForm() throws IOException {
        for (String act : new String[] {"gelu_new", "gelu_fast", "gelu_pytorch_tanh"}) {
            NeoxConfig c = NeoxConfig.fromHuggingFace(write("config.json",
                    PYTHIA_160M.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"" + act + "\"")));
            assertThat(c.activation()).as(act).isEqualTo(Activation.GELU_TANH);
        }
    }

    @Test
    void refusesRopeScalingByName() throws IOException {
        Path linear = write("config.json", PYTHIA_160M.replace("\"vocab_size\"",
                "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}, \"vocab_size\""));
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(linear))
                .isInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("rope_scaling").hasMessageContaining("linear").hasMessageContaining("config.json");
        Path yarn = write("config2.json", """
                {"model_type": "gpt_neox", "vocab_size": 128, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 256,
                 "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000, "factor": 4.0}}
                """);
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(yarn))
                .isInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("rope_parameters").hasMessageContaining("rope_type 'yarn'");
    }

    @Test
    void refusesOtherActivationsAndModelTypes() throws IOException {
        Path relu = write("config.json", PYTHIA_160M.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\""));
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(relu))
                .isInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("hidden_act")
                .hasMessageContaining("relu");
        Path gpt2 = write("gpt2.json", PYTHIA_160M.replace("\"gpt_neox\"", "\"gpt2\""));
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(gpt2)).hasMessageContaining("model_type");
    }

    @Test
    void reportsMissingAndMalformedSettings() throws IOException {
        Path missing = write("config.json", PYTHIA_160M.replace("\"num_hidden_layers\": 12,", ""));
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(missing))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("num_hidden_layers")
                .hasMessageContaining("missing");
        Path bad = write("bad.json", PYTHIA_160M.replace("\"hidden_size\": 768", "\"hidden_size\": \"wide\""));
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(bad)).hasMessageContaining("hidden_size")
                .hasMessageContaining("wide");
        Path heads = write("heads.json", PYTHIA_160M.replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 7"));
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(heads)).hasMessageContaining("768")
                .hasMessageContaining("7 heads");
        Path notJson = write("broken.json", "{\"model_type\": ");
        assertThatThrownBy(() -> NeoxConfig.fromHuggingFace(notJson)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.json");
    }

    // ---------------------------------------------------------------- GPT-NeoX YAML

    /**
     * Written in the style of GPT-NeoX's {@code configs/20B.yml}: a JSON-like flow mapping with
     * comments, dashed and underscored keys, Python-style booleans, trailing commas, nested
     * settings this library ignores, and the 20B's model settings.
     */
    static final String NEOX_20B_STYLE = """
            # the 20B's model settings, in the layout of GPT-NeoX's configs/20B.yml
            {
              # where things are
              "vocab-file": "./20B_checkpoints/20B_tokenizer.json",
              "save": "./20B_checkpoints",

              # parallelism
              "pipe-parallel-size": 4,
              "model-parallel-size": 2,

              # model settings
              "num-layers": 44,
              "hidden-size": 6144,
              "num-attention-heads": 64,
              "seq-length": 2048,
              "max-position-embeddings": 2048,
              "norm": "layernorm",
              "pos-emb": "rotary",
              "rotary_pct": 0.25,
              "no-weight-tying": true,
              "gpt_j_residual": true,
              "output_layer_parallelism": "column",
              "scaled-upper-triang-masked-softmax-fusion": true,
              "bias-gelu-fusion": true,

              # optimizer: nested, ignored
              "optimizer": {
                "type": "Adam",
                "params": { "lr": 0.97e-4, "betas": [0.9, 0.95], "eps": 1.0e-8, },
              },
              "zero_optimization": {
                "stage": 1,
                "allgather_partitions": True,
                "overlap_comm": True,
              },
              "fp16": { "fp16": true, "enabled": true, "loss_scale": 0 },
              "tokenizer_type": "HFTokenizer",
            }
            """;

    @Test
    void reads20BStyleYaml() throws IOException {
        NeoxConfig c = NeoxConfig.fromNeoxYaml(write("20B.yml", NEOX_20B_STYLE), 50432);
        assertThat(c).isEqualTo(new NeoxConfig(50432, 6144, 44, 64, 4 * 6144, 2048, 0.25, 10000, true,
                // the 20B trained with NeoX's fused bias_gelu: the tanh form (Hugging Face's copy says gelu_fast)
                Activation.GELU_TANH, 1e-5f, false, true));
        assertThat(c.rotaryDims()).isEqualTo(24);
    }

    @Test
    void readsUnderscoreSpellingsPythonBooleansAndStringNumbers() throws IOException {
        NeoxConfig c = NeoxConfig.fromNeoxYaml(write("tiny.yml", """
                # block-style YAML this time, underscores everywhere
                num_layers: 2
                hidden_size: 64
                num_attention_heads: 4
                seq_length: 32            # no max_position_embeddings: seq_length serves
                norm: layernorm
                pos_emb: rotary
                rotary_pct: 1
                rotary_emb_base: 500
                gpt_j_residual: False
                no_weight_tying: True
                activation: gelu
                bias_gelu_fusion: false
                layernorm_epsilon: 1e-6   # YAML 1.1 reads this as a string
                intermediate_size: 96
                use_bias_in_attn_linear: false
                """), 100);
        assertThat(c).isEqualTo(new NeoxConfig(100, 64, 2, 4, 96, 32, 1.0, 500, false, Activation.GELU_ERF, 1e-6f,
                false, false));
    }

    @Test
    void weightTyingIsNeoxsDefault() throws IOException {
        NeoxConfig c = NeoxConfig.fromNeoxYaml(write("tied.yml", """
                {"num-layers": 1, "hidden-size": 8, "num-attention-heads": 2, "seq-length": 4, "pos-emb": "rotary"}
                """), 10);
        assertThat(c.tiedEmbeddings()).isTrue();
        assertThat(c.rotaryPct()).isEqualTo(1.0);
        assertThat(c.parallelResidual()).isFalse();
        assertThat(c.activation()).isEqualTo(Activation.GELU_ERF);
    }

    @Test
    void bothSpellingsMustAgree() throws IOException {
        Path p = write("twice.yml", """
                {"num-layers": 2, "num_layers": 3, "hidden-size": 8, "num-attention-heads": 2, "seq-length": 4,
                 "pos-emb": "rotary"}
                """);
        assertThatThrownBy(() -> NeoxConfig.fromNeoxYaml(p, 10)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'num-layers' = 2").hasMessageContaining("'num_layers' = 3");
        // the same value twice is fine
        NeoxConfig ok = NeoxConfig.fromNeoxYaml(write("same.yml", """
                {"num-layers": 2, "num_layers": 2, "hidden-size": 8, "num-attention-heads": 2, "seq-length": 4,
                 "pos-emb": "rotary"}
                """), 10);
        assertThat(ok.layers()).isEqualTo(2);
    }

    @Test
    void refusesUnsupportedSettingsByName() throws IOException {
        String base = "\"num-layers\": 2, \"hidden-size\": 8, \"num-attention-heads\": 2, \"seq-length\": 4";
        String[][] cases = {
            {"\"norm\": \"rmsnorm\", \"pos-emb\": \"rotary\"", "'norm'", "rmsnorm"},
            {"\"pos-emb\": \"alibi\"", "'pos-emb'", "alibi"},
            {"\"pos-emb\": \"learned\"", "'pos-emb'", "learned"},
            {"\"pos-emb\": \"rotary\", \"activation\": \"swiglu\"", "'activation'", "swiglu"},
            {"\"pos-emb\": \"rotary\", \"gpt_j_tied\": true", "'gpt_j_tied'", "true"},
            {"\"pos-emb\": \"rotary\", \"num_kv_heads\": 1", "'num_kv_heads'", "1"},
            {"\"pos-emb\": \"rotary\", \"attention_config\": [[[\"local\", \"global\"], 2]]", "'attention_config'",
                "local"},
            {"\"pos-emb\": \"rotary\", \"mlp_type\": \"llama\"", "'mlp_type'", "llama"},
            {"\"pos-emb\": \"rotary\", \"use_bias_in_norms\": false", "'use_bias_in_norms'", "false"},
        };
        for (String[] c : cases) {
            Path p = write("bad.yml", "{" + base + ", " + c[0] + "}");
            assertThatThrownBy(() -> NeoxConfig.fromNeoxYaml(p, 10)).as(c[0])
                    .isInstanceOf(UnsupportedCheckpointException.class)
                    .hasMessageContaining(c[1]).hasMessageContaining(c[2]).hasMessageContaining("bad.yml");
        }
        // flash attention is global attention computed another way
        Path flash = write("flash.yml", "{" + base + ", \"pos-emb\": \"rotary\", \"attention_config\": [[[\"flash\"], 2]]}");
        assertThat(NeoxConfig.fromNeoxYaml(flash, 10).layers()).isEqualTo(2);
    }

    @Test
    void missingPositionEmbeddingSettingIsExplained() throws IOException {
        Path p = write("nopos.yml", "{\"num-layers\": 2, \"hidden-size\": 8, \"num-attention-heads\": 2, \"seq-length\": 4}");
        assertThatThrownBy(() -> NeoxConfig.fromNeoxYaml(p, 10)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pos-emb").hasMessageContaining("learned");
        Path noLayers = write("nolayers.yml", "{\"hidden-size\": 8, \"num-attention-heads\": 2, \"seq-length\": 4, "
                + "\"pos-emb\": \"rotary\"}");
        assertThatThrownBy(() -> NeoxConfig.fromNeoxYaml(noLayers, 10)).hasMessageContaining("'num-layers'")
                .hasMessageContaining("missing");
        Path notYaml = write("broken.yml", "{\"num-layers\": [1, ");
        assertThatThrownBy(() -> NeoxConfig.fromNeoxYaml(notYaml, 10)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("broken.yml");
    }
}

package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.gpt2.Gpt2Config.Activation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2ConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }

    @Test
    void openAiHparamsOfGpt2Small() throws IOException {
        // the hparams.json of OpenAI's 124M release
        Path f = write("hparams.json", "{\n  \"n_vocab\": 50257,\n  \"n_ctx\": 1024,\n  \"n_embd\": 768,\n"
                + "  \"n_head\": 12,\n  \"n_layer\": 12\n}\n");
        assertThat(Gpt2Config.fromOpenAiHparams(f)).isEqualTo(new Gpt2Config(50257, 1024, 768, 12, 12, 3072, 1e-5f,
                Activation.GELU_TANH, true));
        assertThat(Gpt2Config.fromJsonFile(f)).isEqualTo(Gpt2Config.fromOpenAiHparams(f));
        assertThat(Gpt2Config.fromOpenAiHparams(f).headSize()).isEqualTo(64);
    }

    @Test
    void openAiHparamsNeedEveryKey() throws IOException {
        Path f = write("hparams.json", "{\"n_vocab\": 50257, \"n_ctx\": 1024, \"n_embd\": 768, \"n_layer\": 12}");
        assertThatThrownBy(() -> Gpt2Config.fromOpenAiHparams(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("hparams.json").hasMessageContaining("'n_head' is missing");
        Path g = write("h2.json", "{\"n_vocab\": 50257, \"n_ctx\": 1024.5, \"n_embd\": 768, \"n_head\": 12, "
                + "\"n_layer\": 12}");
        assertThatThrownBy(() -> Gpt2Config.fromOpenAiHparams(g)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("setting 'n_ctx' = 1024.5 is not an integer");
        Path h = write("h3.json", "{\"n_vocab\": 50257, \"n_ctx\": 1024, \"n_embd\": 770, \"n_head\": 12, "
                + "\"n_layer\": 12}");
        assertThatThrownBy(() -> Gpt2Config.fromOpenAiHparams(h)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("n_embd 770 is not a multiple of n_head 12");
        Path bad = write("bad.json", "{\"n_vocab\": ");
        assertThatThrownBy(() -> Gpt2Config.fromOpenAiHparams(bad)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("not valid JSON");
    }

    @Test
    void huggingFaceConfigAsSavePretrainedWritesIt() throws IOException {
        Path f = write("config.json", """
                {
                  "activation_function": "gelu_new",
                  "architectures": ["GPT2LMHeadModel"],
                  "attn_pdrop": 0.1,
                  "bos_token_id": 50256,
                  "embd_pdrop": 0.1,
                  "eos_token_id": 50256,
                  "initializer_range": 0.02,
                  "layer_norm_epsilon": 1e-05,
                  "model_type": "gpt2",
                  "n_ctx": 1024,
                  "n_embd": 1024,
                  "n_head": 16,
                  "n_inner": null,
                  "n_layer": 24,
                  "n_positions": 1024,
                  "reorder_and_upcast_attn": false,
                  "resid_pdrop": 0.1,
                  "scale_attn_by_inverse_layer_idx": false,
                  "scale_attn_weights": true,
                  "torch_dtype": "float32",
                  "transformers_version": "4.46.0",
                  "use_cache": true,
                  "vocab_size": 50257
                }
                """);
        assertThat(Gpt2Config.fromHuggingFaceConfig(f)).isEqualTo(new Gpt2Config(50257, 1024, 1024, 24, 16, 4096,
                1e-5f, Activation.GELU_TANH, true));
        assertThat(Gpt2Config.fromJsonFile(f)).isEqualTo(Gpt2Config.fromHuggingFaceConfig(f));
    }

    @Test
    void huggingFaceDefaultsAliasesAndActivations() throws IOException {
        Path minimal = write("min.json", "{\"model_type\": \"gpt2\"}");
        assertThat(Gpt2Config.fromHuggingFaceConfig(minimal)).isEqualTo(new Gpt2Config(50257, 1024, 768, 12, 12,
                3072, 1e-5f, Activation.GELU_TANH, true));
        Path aliases = write("alias.json", "{\"model_type\": \"gpt2\", \"hidden_size\": 64, \"num_attention_heads\": 4,"
                + " \"num_hidden_layers\": 3, \"max_position_embeddings\": 32, \"vocab_size\": 99, \"n_inner\": 100,"
                + " \"layer_norm_epsilon\": 1e-6, \"reorder_and_upcast_attn\": true}");
        assertThat(Gpt2Config.fromHuggingFaceConfig(aliases)).isEqualTo(new Gpt2Config(99, 32, 64, 3, 4, 100, 1e-6f,
                Activation.GELU_TANH, true));
        for (String act : new String[] {"gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate"}) {
            Path f = write(act + ".json", "{\"model_type\": \"gpt2\", \"activation_function\": \"" + act + "\"}");
            assertThat(Gpt2Config.fromHuggingFaceConfig(f).activation()).as(act).isEqualTo(Activation.GELU_TANH);
        }
        for (String act : new String[] {"gelu", "gelu_python"}) {
            Path f = write(act + ".json", "{\"model_type\": \"gpt2\", \"activation_function\": \"" + act + "\"}");
            assertThat(Gpt2Config.fromHuggingFaceConfig(f).activation()).as(act).isEqualTo(Activation.GELU_ERF);
        }
    }

    @Test
    void unsupportedHuggingFaceSettingsAreRefusedByName() throws IOException {
        String[][] cases = {
            {"\"scale_attn_by_inverse_layer_idx\": true", "'scale_attn_by_inverse_layer_idx' = true is not supported"},
            {"\"scale_attn_weights\": false", "'scale_attn_weights' = false is not supported"},
            {"\"add_cross_attention\": true", "'add_cross_attention' = true is not supported"},
            {"\"tie_word_embeddings\": false", "'tie_word_embeddings' = false is not supported"},
            {"\"activation_function\": \"relu\"", "activation_function 'relu' is not supported"},
        };
        for (String[] c : cases) {
            Path f = write("c.json", "{\"model_type\": \"gpt2\", " + c[0] + "}");
            assertThatThrownBy(() -> Gpt2Config.fromHuggingFaceConfig(f)).as(c[0])
                    .isInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining(c[1])
                    .hasMessageContaining("c.json");
        }
        Path neox = write("neox.json", "{\"model_type\": \"gpt_neox\", \"hidden_size\": 64}");
        assertThatThrownBy(() -> Gpt2Config.fromHuggingFaceConfig(neox)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model_type is 'gpt_neox', expected 'gpt2'");
        Path neither = write("x.json", "{\"hidden\": 1}");
        assertThatThrownBy(() -> Gpt2Config.fromJsonFile(neither)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("neither a Hugging Face config.json");
    }

    @Test
    void nanoGptModelArgs() throws IOException {
        // as the unpickler gives them: Long, Boolean, Double
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("n_layer", 6L);
        args.put("n_head", 6L);
        args.put("n_embd", 384L);
        args.put("block_size", 256L);
        args.put("bias", false);
        args.put("vocab_size", 65L);
        args.put("dropout", 0.2);
        Path ckpt = Path.of("out-shakespeare-char/ckpt.pt");
        assertThat(Gpt2Config.fromNanoGptModelArgs(args, ckpt)).isEqualTo(new Gpt2Config(65, 256, 384, 6, 6, 1536,
                1e-5f, Activation.GELU_ERF, false));
        // missing keys take GPTConfig's defaults
        assertThat(Gpt2Config.fromNanoGptModelArgs(Map.of(), ckpt)).isEqualTo(new Gpt2Config(50304, 1024, 768, 12, 12,
                3072, 1e-5f, Activation.GELU_ERF, true));
        args.put("n_head", "six");
        assertThatThrownBy(() -> Gpt2Config.fromNanoGptModelArgs(args, ckpt)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("ckpt.pt").hasMessageContaining("'n_head' is String six, expected an int");
        args.put("n_head", 5L);
        assertThatThrownBy(() -> Gpt2Config.fromNanoGptModelArgs(args, ckpt)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("n_embd 384 is not a multiple of n_head 5");
        args.put("n_head", 1L << 40);
        assertThatThrownBy(() -> Gpt2Config.fromNanoGptModelArgs(args, ckpt)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void theRecordValidatesItsSizes() {
        assertThatThrownBy(() -> new Gpt2Config(0, 8, 8, 1, 1, 32, 1e-5f, Activation.GELU_TANH, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocab 0");
        assertThatThrownBy(() -> new Gpt2Config(10, 8, 8, 1, 1, 32, 0f, Activation.GELU_TANH, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer_norm_epsilon");
        assertThatThrownBy(() -> new Gpt2Config(10, 1 << 20, 4096, 1, 1, 16384, 1e-5f, Activation.GELU_TANH, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    }
}

package io.github.vectorlm.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model families VectorLM has loaders for, and the artifact that holds each: when no installed
 * loader recognises a path, {@link LanguageModels} says which artifact to add if the path looks
 * like a family whose loader is missing. Judged from the file names and {@code config.json} only.
 */
final class ModelFamilies {
    /**
     * A family.
     *
     * @param architecture what its loader's {@link ModelLoader#architecture()} says
     * @param name the family's name for people
     * @param artifact its Maven artifact id (group {@code io.github.vectorlm})
     * @param module its JPMS module
     */
    record Family(String architecture, String name, String artifact, String module) {
    }

    static final Family GPT2 = new Family("gpt2", "GPT-2", "vectorlm-gpt2-model", "io.github.vectorlm.gpt2");
    static final Family NEOX = new Family("gpt-neox", "GPT-NeoX", "vectorlm-neox-model", "io.github.vectorlm.neox");

    private ModelFamilies() {
    }

    /**
     * ": it looks like a GPT-NeoX model (…), whose loader is not installed: add …", or "" when the
     * path does not look like a known family or that family's loader is among {@code loaders}.
     */
    static String missingLoaderHint(Path path, List<? extends ModelLoader> loaders) {
        Guess guess = guess(path);
        if (guess == null || loaders.stream().anyMatch(l -> guess.family().architecture().equals(l.architecture()))) {
            return "";
        }
        Family f = guess.family();
        return ": it looks like a " + f.name() + " model (" + guess.evidence() + "), whose loader is not installed: add "
                + "the artifact io.github.vectorlm:" + f.artifact() + " to the dependencies (on the module path, also "
                + "'requires " + f.module() + ";')";
    }

    /**
     * ": a GGUF file of architecture 'x', which VectorLM does not run (…)" for a GGUF file whose
     * {@code general.architecture} (read from its first metadata entries, where llama.cpp's
     * writers put it) is neither gpt2 nor gptneox, else "".
     */
    static String ggufNote(Path path) {
        String arch = ggufArchitecture(path);
        if (arch == null || arch.equals("gpt2") || arch.equals("gptneox")) {
            return "";
        }
        return ": a GGUF file of architecture '" + arch + "', which VectorLM does not run (GGUF architectures: "
                + "'gpt2', 'gptneox')";
    }

    private static String ggufArchitecture(Path path) {
        if (!Files.isRegularFile(path)) {
            return null;
        }
        try (var in = Files.newInputStream(path)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(in.readNBytes(4096)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() < 24 || b.getInt() != 0x46554747) { // "GGUF"
                return null;
            }
            b.getInt();
            b.getLong();
            long kv = b.getLong();
            for (long i = 0; i < Math.min(kv, 8); i++) {
                String key = string(b);
                int type = b.getInt();
                if (type != 8) {
                    return null; // only strings are skipped here: the key comes first in every converter's output
                }
                String value = string(b);
                if (key.equals("general.architecture")) {
                    return value;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: the readers say why
        }
    }

    private static String string(java.nio.ByteBuffer b) {
        long n = b.getLong();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("string past the buffer");
        }
        byte[] bytes = new byte[(int) n];
        b.get(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private record Guess(Family family, String evidence) {
    }

    private static Guess guess(Path path) {
        Path folder = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        if (folder == null) {
            return null;
        }
        Path config = folder.resolve("config.json");
        if (Files.isRegularFile(config)) {
            String type = modelType(config);
            if ("gpt_neox".equals(type)) {
                return new Guess(NEOX, "config.json has model_type \"gpt_neox\"");
            }
            if ("gpt2".equals(type)) {
                return new Guess(GPT2, "config.json has model_type \"gpt2\"");
            }
        }
        if (Files.isRegularFile(folder.resolve("latest"))) {
            return new Guess(NEOX, "GPT-NeoX slim weights: a folder holding 'latest'");
        }
        if (Files.isRegularFile(folder.resolve("hparams.json"))) {
            return new Guess(GPT2, "OpenAI's hparams.json");
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().equals("ckpt.pt")) {
            return new Guess(GPT2, "a nanoGPT ckpt.pt");
        }
        return null;
    }

    private static String modelType(Path config) {
        try {
            JsonNode root = new ObjectMapper().readTree(config.toFile());
            return root == null ? null : root.path("model_type").asText(null);
        } catch (IOException | RuntimeException e) {
            return null; // a config the loaders could not read either: no guess
        }
    }
}

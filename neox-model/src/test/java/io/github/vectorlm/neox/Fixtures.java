package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the test fixtures lie. The Hugging Face oracle fixtures are made by
 * {@code tools/make_neox_fixtures_hf.py} with transformers' own {@code GPTNeoXForCausalLM}; they live
 * in {@code src/test/resources/hf/}. A missing fixture fails the test (it never skips).
 */
final class Fixtures {
    /** The folder of the HF oracle fixtures. */
    static final Path HF = Path.of("src/test/resources/hf");
    /** The small GPT-NeoX really trained on Tiny Shakespeare (repository root's models/). */
    static final Path SHAKESPEARE = Path.of("../models/neox-shakespeare");

    private Fixtures() {
    }

    /** A fixture folder of {@link #HF}, which must exist. */
    static Path hf(String variant) {
        Path p = HF.resolve(variant);
        assertThat(p).as("fixture %s (made by tools/make_neox_fixtures_hf.py; see the docstring)", p).isDirectory();
        return p;
    }

    static JsonNode json(Path file) throws IOException {
        assertThat(file).as("fixture file").isRegularFile();
        return new ObjectMapper().readTree(Files.readAllBytes(file));
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            JsonNode row = rows.get(r);
            out[r] = new double[row.size()];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = row.get(c).asDouble();
            }
        }
        return out;
    }
}

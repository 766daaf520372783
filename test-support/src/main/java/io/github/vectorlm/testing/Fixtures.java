package io.github.vectorlm.testing;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading the committed fixtures that the scripts under {@code tools/} write (PyTorch and Hugging
 * Face outputs as JSON). A missing fixture fails the test, naming the script that makes it: it
 * never skips.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** Fails (never skips) when {@code path} is absent, naming what makes it. */
    public static Path require(Path path, String madeBy) {
        if (!Files.exists(path)) {
            fail("fixture missing: %s (absolute %s); it is made by: %s", path, path.toAbsolutePath(), madeBy);
        }
        return path;
    }

    /** A JSON fixture file, which must exist. */
    public static JsonNode json(Path file, String madeBy) throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(require(file, madeBy)));
    }

    /** A JSON array of integers. */
    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** A JSON array of arrays of numbers. */
    public static double[][] matrix(JsonNode rows) {
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

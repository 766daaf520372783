package io.github.vectorlm.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.TokenListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the example against the demo model, with the VectorLM jars as named modules: a missing
 * export, a missing {@code provides} or a changed signature fails here.
 */
class QuickStartTest {
    /** The demo model folder, given by the build (see pom.xml). */
    private static final Path MODEL = Path.of(System.getProperty("vectorlm.model", "../models/gpt2-shakespeare"));

    private static LanguageModel model;

    @BeforeAll
    static void load() throws IOException {
        model = LanguageModels.load(MODEL);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void runsOnTheModulePath() {
        // on the class path these would be unnamed, and a broken module-info would go unnoticed
        assertEquals("io.github.vectorlm.examples", QuickStart.class.getModule().getName());
        assertEquals("io.github.vectorlm.generation", LanguageModels.class.getModule().getName());
        assertEquals("io.github.vectorlm.gpt2", model.getClass().getModule().getName());
    }

    @Test
    void scoreEqualsPyTorchLoss() throws IOException {
        // score.json: the first 2,000 validation tokens and the loss PyTorch computed for them
        // when the model was trained (window 256, stride 128)
        String json = Files.readString(MODEL.resolve("score.json"));
        int[] ids = Pattern.compile("-?\\d+").matcher(field(json, "ids", "\\[([^\\]]*)\\]"))
                .results().mapToInt(m -> Integer.parseInt(m.group())).toArray();
        double pytorchLoss = Double.parseDouble(field(json, "loss", "([-+0-9.eE]+)"));
        assertEquals(Integer.parseInt(field(json, "window", "(\\d+)")), model.contextLength(), "the example scores with the context as window");
        assertEquals(2000, ids.length);

        Scorer.Score score = QuickStart.score(model, ids);

        System.out.printf("loss %.6f, PyTorch %.6f%n", score.loss(), pytorchLoss);
        assertEquals(2000, score.tokens());
        assertEquals(pytorchLoss, score.loss(), 1e-4);
    }

    @Test
    void streamsEveryGeneratedToken() {
        List<Integer> streamedIds = new ArrayList<>();
        StringBuilder streamedText = new StringBuilder();

        GenerationResult result = QuickStart.generate(model, "ROMEO:", (id, text) -> {
            if (id != TokenListener.END) {
                streamedIds.add(id);
            }
            streamedText.append(text);
        });

        System.out.println("ROMEO:" + result.text());
        assertTrue(result.ids().length > 0 && result.ids().length <= 40, "1 to 40 ids, got " + result.ids().length);
        assertArrayEquals(result.ids(), streamedIds.stream().mapToInt(Integer::intValue).toArray());
        assertEquals(result.text(), streamedText.toString());
        assertFalse(result.text().isBlank());
        // the same seed gives the same tokens
        assertArrayEquals(result.ids(), QuickStart.generate(model, "ROMEO:", TokenListener.NONE).ids());
    }

    /** The value of a top-level {@code "name": value} in score.json; group 1 of {@code value}. */
    private static String field(String json, String name, String value) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*" + value).matcher(json);
        assertTrue(m.find(), "score.json has no \"" + name + "\"");
        return m.group(1);
    }
}

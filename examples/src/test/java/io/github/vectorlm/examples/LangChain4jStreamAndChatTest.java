package io.github.vectorlm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.output.Response;
import io.github.vectorlm.langchain4j.VectorLmStreamingLanguageModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The langchain4j example on the module path: its streamed pieces make the completion's text, it
 * runs on the demo model, and the repository README's langchain4j snippet is its source.
 */
class LangChain4jStreamAndChatTest {
    private static final Path REPO = Path.of(System.getProperty("vectorlm.repo", ".."));
    private static final Path MODEL = Path.of(System.getProperty("vectorlm.model", "../models/gpt2-shakespeare"));
    private static final Path SOURCE = Path.of("src/main/java/io/github/vectorlm/examples/LangChain4jStreamAndChat.java");

    @Test
    void streamedPiecesMakeTheCompletionsText() {
        try (VectorLmStreamingLanguageModel model = VectorLmStreamingLanguageModel.builder().modelPath(MODEL)
                .temperature(0.8).seed(42L).maxTokens(30).build()) {
            List<String> pieces = new ArrayList<>();
            Response<String> response = LangChain4jStreamAndChat.stream(model, "JULIET:", pieces::add);
            assertTrue(pieces.size() > 1, pieces.toString());
            assertEquals(response.content(), String.join("", pieces));
            assertEquals(30, response.tokenUsage().outputTokenCount());
        }
    }

    @Test
    void theExampleStreamsAndChats() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            LangChain4jStreamAndChat.main(new String[] {MODEL.toString()});
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertTrue(printed.startsWith("ROMEO:"), printed);
        assertTrue(Pattern.compile("\\R\\[(STOP|LENGTH), TokenUsage \\{ inputTokenCount = \\d+, outputTokenCount = \\d+")
                .matcher(printed).results().count() == 2, printed);
        assertTrue(printed.contains("\nJuliet:"), printed);
    }

    @Test
    void theReadmeSnippetIsThisExamplesSource() throws IOException {
        String source = Files.readString(SOURCE).replaceFirst("\\Apackage [\\w.]+;\\R\\R", "");
        Matcher m = Pattern.compile("```java\\R(.*?)```", Pattern.DOTALL).matcher(Files.readString(REPO.resolve("README.md")));
        List<String> found = m.results().map(r -> r.group(1)).filter(b -> b.contains("class LangChain4jStreamAndChat")).toList();
        assertEquals(1, found.size(), "README.md's java blocks with class LangChain4jStreamAndChat");
        assertEquals(source, found.getFirst(), "README.md's langchain4j snippet and " + SOURCE + " differ");
    }
}

package io.github.vectorlm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.UnrecognizedModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The repository README's "Use it from Maven" section is this project: its Java snippet is
 * {@code GenerateAndScore.java} (package line aside), its pom lines are in this pom, and the
 * snippet runs. The build also runs the snippet on the class path with the flag the README names
 * (pom.xml, run-readme-snippet-on-the-class-path).
 */
class ReadmeSnippetTest {
    /** The VectorLM checkout: examples-it passes -Dvectorlm.repo (surefire hands it on); standalone, the parent folder. */
    private static final Path REPO = Path.of(System.getProperty("vectorlm.repo", ".."));
    private static final Path MODEL = Path.of(System.getProperty("vectorlm.model", "../models/gpt2-shakespeare"));
    private static final Path SOURCE = Path.of("src/main/java/io/github/vectorlm/examples/GenerateAndScore.java");

    @Test
    void theReadmeSnippetIsThisProjectsSourceFile() throws IOException {
        String source = Files.readString(SOURCE);
        String withoutPackage = source.replaceFirst("\\Apackage [\\w.]+;\\R\\R", "");
        assertTrue(withoutPackage.length() < source.length(), "the file starts with its package line");
        String snippet = block(readme(), "java", "class GenerateAndScore");
        assertEquals(withoutPackage, snippet, "README.md's Java snippet and " + SOURCE + " differ");
    }

    @Test
    void theReadmePomLinesAreThisProjectsPom() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        String xml = block(readme(), "xml", "maven.compiler.release");
        Matcher element = Pattern.compile("<([\\w.-]+)>([^<]*)</\\1>").matcher(xml);
        int checked = 0;
        while (element.find()) {
            String tag = element.group(1);
            String value = element.group(2);
            if (tag.equals("version")) {
                assertEquals(property(pom, "vectorlm.version"), value, "the README's VectorLM version");
            } else {
                assertTrue(pom.contains(element.group()), "pom.xml lacks the README's " + element.group());
            }
            checked++;
        }
        assertEquals(4, checked, "release, groupId, artifactId, version in " + xml);
    }

    @Test
    void theSnippetGeneratesAndScoresTheDemoModel() throws IOException {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            GenerateAndScore.main(new String[] {MODEL.toString()});
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertTrue(printed.startsWith("ROMEO:") && printed.length() > 60, printed);
        assertTrue(Pattern.compile("\\R?loss \\d+\\.\\d{3}, perplexity \\d+\\.\\d\\R\\z").matcher(printed).find(), printed);
    }

    /**
     * This project has the GPT-2 loader only: a GPT-NeoX folder (a Hugging Face fixture of the
     * repository) is refused with the artifact to add on the first line.
     */
    @Test
    void aNeoxFolderWithoutItsArtifactSaysWhichArtifactToAdd() {
        Path neox = REPO.resolve("neox-model/src/test/resources/hf/par_r25_f32_st");
        assertTrue(Files.isRegularFile(neox.resolve("config.json")), "fixture at " + neox);
        UnrecognizedModelException e = assertThrows(UnrecognizedModelException.class, () -> LanguageModels.load(neox));
        String first = e.getMessage().lines().findFirst().orElseThrow();
        assertTrue(first.contains("it looks like a GPT-NeoX model") && first.contains("io.github.vectorlm:vectorlm-neox-model")
                && first.contains("requires io.github.vectorlm.neox;"), first);
    }

    private static String readme() throws IOException {
        return Files.readString(REPO.resolve("README.md"));
    }

    /** The one fenced block of {@code language} in {@code markdown} that contains {@code marker}. */
    private static String block(String markdown, String language, String marker) {
        Matcher m = Pattern.compile("```" + language + "\\R(.*?)```", Pattern.DOTALL).matcher(markdown);
        List<String> found = m.results().map(r -> r.group(1)).filter(b -> b.contains(marker)).toList();
        assertEquals(1, found.size(), "```" + language + " blocks with '" + marker + "' in README.md");
        return found.getFirst();
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</").matcher(pom);
        assertTrue(m.find(), "pom.xml has no <" + name + ">");
        return m.group(1);
    }
}

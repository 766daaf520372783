package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
    @Test
    void plainTemplateIsATranscriptEndingWithTheAssistantsTurn() {
        String prompt = ChatTemplate.PLAIN.render(List.of(
                new ChatTemplate.Message(ChatTemplate.Role.SYSTEM, "Be terse."),
                new ChatTemplate.Message(ChatTemplate.Role.USER, "Who wrote Hamlet?"),
                new ChatTemplate.Message(ChatTemplate.Role.ASSISTANT, "Shakespeare."),
                new ChatTemplate.Message(ChatTemplate.Role.of("user"), "When?")));
        assertThat(prompt).isEqualTo("System: Be terse.\n\nUser: Who wrote Hamlet?\n\nAssistant: Shakespeare.\n\n"
                + "User: When?\n\nAssistant:");
        assertThat(ChatTemplate.PLAIN.stopStrings()).contains("\nUser:");
    }

    @Test
    void aTemplateFileOverridesWhatItNames(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.json");
        Files.writeString(file, "{\"user\": \"Q: {content}\\n\", \"generation_prompt\": \"A:\", \"stop\": [\"Q:\"]}");
        ChatTemplate t = ChatTemplate.read(file);
        assertThat(t.render(List.of(new ChatTemplate.Message(ChatTemplate.Role.USER, "hi")))).isEqualTo("Q: hi\nA:");
        assertThat(t.stopStrings()).containsExactly("Q:");
        assertThat(t.system()).isEqualTo(ChatTemplate.PLAIN.system());
    }

    @Test
    void badTemplatesNameTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        Path noContent = dir.resolve("a.json");
        Files.writeString(noContent, "{\"user\": \"Q: \"}");
        assertThatThrownBy(() -> ChatTemplate.read(noContent)).hasMessageContaining("a.json")
                .hasMessageContaining("{content}");
        Path notJson = dir.resolve("b.json");
        Files.writeString(notJson, "{user");
        assertThatThrownBy(() -> ChatTemplate.read(notJson)).hasMessageContaining("b.json");
        Path badStop = dir.resolve("c.json");
        Files.writeString(badStop, "{\"stop\": \"x\"}");
        assertThatThrownBy(() -> ChatTemplate.read(badStop)).hasMessageContaining("stop");
        assertThatThrownBy(() -> ChatTemplate.Role.of("tool")).hasMessageContaining("tool");
        assertThatThrownBy(() -> ChatTemplate.PLAIN.render(List.of())).hasMessageContaining("at least one");
    }
}

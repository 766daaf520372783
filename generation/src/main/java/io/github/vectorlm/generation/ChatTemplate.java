package io.github.vectorlm.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a chat (system, user and assistant messages) into one prompt for a base model. GPT-2 and
 * Pythia were never trained on a chat format, so {@link #PLAIN} is a plain transcript that such
 * models continue sensibly:
 *
 * <pre>
 * System: You are terse.
 *
 * User: Who wrote Hamlet?
 *
 * Assistant:
 * </pre>
 *
 * and generation stops where the model starts the next turn ({@code "\nUser:"}). The OpenAI
 * server and the langchain4j chat models both use this class, so the same messages give the same
 * prompt everywhere. Another template can be read from a JSON file ({@link #read}).
 *
 * @param system how a system message is written: {@code {content}} stands for its text
 * @param user how a user message is written
 * @param assistant how an assistant message is written
 * @param generationPrompt appended after the last message: where the model's answer starts
 * @param stopStrings where the answer ends (added to the request's own stop strings)
 */
public record ChatTemplate(String system, String user, String assistant, String generationPrompt,
        List<String> stopStrings) {
    /** The placeholder for a message's text. */
    public static final String CONTENT = "{content}";

    /** The plain transcript template described above. */
    public static final ChatTemplate PLAIN = new ChatTemplate("System: {content}\n\n", "User: {content}\n\n",
            "Assistant: {content}\n\n", "Assistant:", List.of("\nUser:", "\nSystem:"));

    /** Checks that each message format holds {@link #CONTENT} and copies the stop strings. */
    public ChatTemplate {
        for (String[] f : new String[][] {{"system", system}, {"user", user}, {"assistant", assistant}}) {
            Objects.requireNonNull(f[1], f[0]);
            if (!f[1].contains(CONTENT)) {
                throw new IllegalArgumentException("the " + f[0] + " format of a chat template must contain "
                        + CONTENT + ", got \"" + f[1] + "\"");
            }
        }
        Objects.requireNonNull(generationPrompt, "generationPrompt");
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a chat template's stop string must not be empty");
            }
        }
    }

    /** One message of a chat. */
    public enum Role {
        /** Instructions for the assistant. */
        SYSTEM,
        /** What the user said. */
        USER,
        /** What the assistant said before. */
        ASSISTANT;

        /**
         * The role named {@code name} as OpenAI's API names them ({@code system}, {@code user},
         * {@code assistant}; {@code developer} is taken as {@code system}).
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Role of(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "system", "developer" -> SYSTEM;
                case "user" -> USER;
                case "assistant" -> ASSISTANT;
                default -> throw new IllegalArgumentException("unknown chat role \"" + name
                        + "\" (expected system, user or assistant)");
            };
        }
    }

    /**
     * A message.
     *
     * @param role who speaks
     * @param content what they say
     */
    public record Message(Role role, String content) {
        /** Checks for nulls. */
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * The prompt for {@code messages}, ending with the generation prompt.
     *
     * @throws IllegalArgumentException if there are no messages
     */
    public String render(List<Message> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat needs at least one message");
        }
        StringBuilder out = new StringBuilder();
        for (Message m : messages) {
            String format = switch (m.role()) {
                case SYSTEM -> system;
                case USER -> user;
                case ASSISTANT -> assistant;
            };
            out.append(format.replace(CONTENT, m.content()));
        }
        return out.append(generationPrompt).toString();
    }

    /**
     * A template from a JSON file with the keys {@code system}, {@code user}, {@code assistant}
     * (each containing {@code {content}}), {@code generation_prompt} and {@code stop} (an array of
     * strings); a key left out keeps {@link #PLAIN}'s value.
     *
     * @throws IOException if the file cannot be read or is not such a JSON object (the message names the file)
     */
    public static ChatTemplate read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a JSON chat template: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": a chat template is a JSON object with system, user, assistant,"
                    + " generation_prompt and stop");
        }
        try {
            List<String> stops = PLAIN.stopStrings;
            if (root.has("stop")) {
                JsonNode array = root.get("stop");
                if (!array.isArray()) {
                    throw new IllegalArgumentException("\"stop\" must be an array of strings");
                }
                stops = new ArrayList<>();
                for (JsonNode s : array) {
                    if (!s.isTextual()) {
                        throw new IllegalArgumentException("\"stop\" must be an array of strings");
                    }
                    stops.add(s.asText());
                }
            }
            return new ChatTemplate(text(root, "system", PLAIN.system), text(root, "user", PLAIN.user),
                    text(root, "assistant", PLAIN.assistant), text(root, "generation_prompt", PLAIN.generationPrompt),
                    stops);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String key, String otherwise) {
        JsonNode n = root.get(key);
        if (n == null) {
            return otherwise;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return n.asText();
    }
}

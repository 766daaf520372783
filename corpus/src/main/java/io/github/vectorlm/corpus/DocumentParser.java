package io.github.vectorlm.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Takes the texts under the chosen keys out of one JSON-lines line: the line must be valid UTF-8
 * and one JSON object whose values under those keys are strings. Other keys are skipped without
 * being built. One parser per thread.
 */
final class DocumentParser {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(JsonLinesReader.MAX_LINE_BYTES)
                    .maxNestingDepth(64).build())
            .build();

    private final List<String> keys;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    DocumentParser(List<String> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * The texts of {@code line} under each key, in the order of the keys.
     *
     * @throws IllegalArgumentException saying what is wrong with the line
     */
    String[] parse(byte[] line) {
        return parse(line, 0, line.length);
    }

    /** As {@link #parse(byte[])} for the line {@code bytes[offset .. offset + length)}. */
    String[] parse(byte[] bytes, int offset, int length) {
        String[] out = new String[keys.size()];
        // ASCII (most lines of most corpora) is valid UTF-8 and parses straight from the bytes;
        // any other line is checked by a strict decoder first, which names the first bad byte
        try (JsonParser p = isAscii(bytes, offset, length) ? JSON.createParser(bytes, offset, length)
                : JSON.createParser(decode(bytes, offset, length))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                int k = keys.indexOf(p.currentName());
                JsonToken value = p.nextToken();
                if (k < 0) {
                    p.skipChildren();
                } else if (value == JsonToken.VALUE_STRING) {
                    out[k] = p.getText();
                } else {
                    throw new IllegalArgumentException("\"" + keys.get(k) + "\" is " + describe(value) + ", not a string");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("not one JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        for (int k = 0; k < out.length; k++) {
            if (out[k] == null) {
                throw new IllegalArgumentException("no key \"" + keys.get(k) + "\"");
            }
        }
        return out;
    }

    private String decode(byte[] bytes, int offset, int length) {
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException("invalid UTF-8 at byte " + firstBadByte(bytes, offset, length));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("invalid UTF-8: " + e.getMessage());
        }
    }

    /** Whether every byte is below 0x80 (no early exit: the loop vectorizes). */
    private static boolean isAscii(byte[] bytes, int offset, int length) {
        int any = 0;
        for (int i = offset; i < offset + length; i++) {
            any |= bytes[i];
        }
        return any >= 0;
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
    private static int firstBadByte(byte[] bytes, int offset, int length) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(length + 1);
        d.decode(in, out, true);
        return in.position() - offset;
    }
}

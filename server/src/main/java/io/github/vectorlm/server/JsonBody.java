package io.github.vectorlm.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.RequestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads a request body: at most a size limit, within a time limit, strictly UTF-8, one JSON
 * object. Every failure is an {@link ApiException} that says what was wrong.
 */
final class JsonBody {
    /** The mapper for requests and responses; requests nest at most 64 levels deep. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private JsonBody() {
    }

    /**
     * Reads {@code in} as a JSON object.
     *
     * @param declaredLength the Content-Length header, or -1 when the body is chunked
     */
    static ObjectNode read(InputStream in, long declaredLength, long maxBytes, Duration timeout, IoWatchdog watchdog) {
        if (declaredLength > maxBytes) {
            throw ApiException.bodyTooLarge(maxBytes);
        }
        byte[] bytes = readBytes(in, maxBytes, timeout, watchdog);
        String text = utf8(bytes);
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw ApiException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("The request body must be a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    private static byte[] readBytes(InputStream in, long maxBytes, Duration timeout, IoWatchdog watchdog) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (IoWatchdog.Deadline deadline = watchdog.arm(timeout)) {
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    if (out.size() > maxBytes) {
                        throw ApiException.bodyTooLarge(maxBytes);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof ApiException a) {
                    throw a;
                }
                if (deadline.expired()) {
                    throw ApiException.bodyTimeout(timeout.toMillis());
                }
                if (isTooLarge(e)) {
                    throw ApiException.bodyTooLarge(maxBytes);
                }
                throw ApiException.badRequest("The request body could not be read: " + e.getMessage());
            }
        }
        return out.toByteArray();
    }

    /** Helidon's own limit (the listener's max payload size) ends a chunked body with a 413. */
    private static boolean isTooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestException r && r.status().code() == 413) {
                return true;
            }
        }
        return false;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("The request body is not valid UTF-8");
        }
    }
}

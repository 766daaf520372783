package io.github.vectorlm.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;

/** Writing JSON responses, and what every response body shares. */
final class Responses {
    private static final System.Logger LOG = System.getLogger(OpenAiServer.class.getName());

    private Responses() {
    }

    static void sendJson(ServerResponse res, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JsonBody.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes);
    }

    static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode u = JsonNodeFactory.instance.objectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        return u;
    }

    /** An error inside the server: its stack trace goes to the server's log, never to the client. */
    static void logFailure(Throwable error) {
        LOG.log(System.Logger.Level.ERROR, "request failed inside the server", error);
    }
}

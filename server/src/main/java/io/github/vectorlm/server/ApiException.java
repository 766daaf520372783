package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, with the HTTP status and OpenAI's error JSON: {@code {"error":
 * {"message", "type", "param", "code"}}}. The message is for the client; it never holds a stack
 * trace.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiException(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a parameter is missing, of the wrong type or out of range; {@code param} names it. */
    static ApiException badParameter(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    /** 400: the request as a whole is malformed (not JSON, not UTF-8, not an object). */
    static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request_error", null, null, message);
    }

    /** 400: prompt plus completion exceed the model's context. */
    static ApiException contextExceeded(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "context_length_exceeded", message);
    }

    /** 401: no key, or the wrong one. */
    static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                "Incorrect or missing API key: send the header 'Authorization: Bearer KEY' with the server's --api-key");
    }

    /** 404: a model this server does not serve. */
    static ApiException unknownModel(String asked, String served) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + asked + "' does not exist: this server serves '" + served + "'");
    }

    /** 404: no such endpoint. */
    static ApiException unknownPath(String method, String path) {
        return new ApiException(404, "invalid_request_error", null, "unknown_url",
                "Unknown request URL: " + method + " " + path);
    }

    /** 413: the body is larger than the server accepts. */
    static ApiException bodyTooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than this server's limit of " + limit + " bytes");
    }

    /** 408: the client took too long to send its body. */
    static ApiException bodyTimeout(long millis) {
        return new ApiException(408, "invalid_request_error", null, "request_timeout",
                "The request body did not arrive within " + millis + " ms");
    }

    /** 503: too many requests are waiting already. */
    static ApiException overloaded(int limit) {
        return new ApiException(503, "server_error", null, "server_overloaded",
                "The server is busy: " + limit + " sequences are already waiting or running; retry later");
    }

    /** 503: the server is shutting down. */
    static ApiException shuttingDown() {
        return new ApiException(503, "server_error", null, "shutting_down", "The server is shutting down");
    }

    /** 500: something failed inside the server; the details go to its log, not to the client. */
    static ApiException internal() {
        return new ApiException(500, "server_error", null, null,
                "The server had an error while processing your request (see the server's log)");
    }

    int status() {
        return status;
    }

    /** OpenAI's error object. */
    ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}

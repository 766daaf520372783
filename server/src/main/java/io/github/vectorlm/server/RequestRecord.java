package io.github.vectorlm.server;

/** What the request log's line says about one request besides method, path, status and time. */
final class RequestRecord {
    int promptTokens = -1;
    int completionTokens = -1;
    boolean stream;
    String note;
}

/**
 * {@code vectorlm serve}: an OpenAI-compatible HTTP server ({@code /v1/completions},
 * {@code /v1/chat/completions}, {@code /v1/models}, {@code /health}, {@code /metrics}) on the
 * batching {@link io.github.vectorlm.generation.Engine}. Models arrive through the generation
 * module's {@link io.github.vectorlm.generation.ModelLoader} services; this module names none.
 */
module io.github.vectorlm.server {
    requires transitive io.github.vectorlm.generation;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires com.fasterxml.jackson.databind;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;

    exports io.github.vectorlm.server;
}

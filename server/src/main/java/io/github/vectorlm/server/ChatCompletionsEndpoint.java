package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.TokenListener;
import io.github.vectorlm.generation.TokenLogprobs;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * {@code POST /v1/chat/completions}: the messages become one prompt through the server's chat
 * template, whose stop strings end the answer; {@code n} choices, streamed or not.
 */
final class ChatCompletionsEndpoint {
    private final Serving serving;

    ChatCompletionsEndpoint(Serving serving) {
        this.serving = serving;
    }

    void handle(ServerRequest req, ServerResponse res, RequestRecord record) throws InterruptedException {
        long start = System.nanoTime();
        ConnectionProbe probe = ConnectionProbe.of(req); // before any I/O
        Params p = new Params(serving.readBody(req));
        serving.checkModel(p);
        ChatRequest r = ChatRequest.parse(p, serving);
        int n = r.sampling().n();
        List<GenerationOptions> options = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            options.add(r.sampling().options(r.maxTokens(), j, serving.options.chatTemplate().stopStrings(),
                    r.logprobs()));
        }
        record.promptTokens = r.prompt().length;
        String id = Ids.next("chatcmpl-");
        long created = System.currentTimeMillis() / 1000;
        try (Serving.Running run = serving.start(Collections.nCopies(n, r.prompt()), options, start)) {
            serving.metrics.promptTokens(r.prompt().length);
            if (r.sampling().stream()) {
                stream(res, run.generation, r, id, created, record);
            } else {
                List<StringBuilder> texts = new ArrayList<>();
                List<GenerationResult> results = new ArrayList<>(Collections.nCopies(n, null));
                for (int j = 0; j < n; j++) {
                    texts.add(new StringBuilder());
                }
                try {
                    for (int open = n; open > 0; ) {
                        switch (run.generation.next(probe)) {
                            case Generation.Token t -> texts.get(t.choice()).append(t.text());
                            case Generation.Finished f -> {
                                results.set(f.choice(), f.result());
                                open--;
                            }
                            case Generation.Failed f -> throw failure(f.error());
                        }
                    }
                } catch (ClientGoneException e) {
                    record.completionTokens = run.generation.tokensTaken(); // for the log line
                    throw e;
                }
                record.completionTokens = results.stream().mapToInt(x -> x.ids().length).sum();
                Responses.sendJson(res, 200, response(texts, results, r, id, created, record.completionTokens));
            }
        }
    }

    private void stream(ServerResponse res, Generation g, ChatRequest r, String id, long created, RequestRecord record)
            throws InterruptedException {
        SseStream sse = new SseStream(res, serving.watchdog, serving.options.writeTimeout());
        record.stream = true;
        int n = r.sampling().n();
        for (int j = 0; j < n; j++) {
            ObjectNode delta = JsonNodeFactory.instance.objectNode();
            delta.put("role", "assistant");
            delta.put("content", "");
            sse.send(chunk(id, created, j, delta, null, null));
        }
        int completionTokens = 0;
        for (int open = n; open > 0; ) {
            switch (g.next()) {
                case Generation.Token t -> {
                    boolean withLogprobs = r.logprobs() >= 0 && t.id() != TokenListener.END && t.logprobs() != null;
                    if (!t.text().isEmpty() || withLogprobs) {
                        ObjectNode delta = JsonNodeFactory.instance.objectNode();
                        delta.put("content", t.text());
                        ObjectNode logprobs = null;
                        if (withLogprobs) {
                            logprobs = JsonNodeFactory.instance.objectNode();
                            logprobs.putArray("content").add(tokenLogprobs(t.logprobs()));
                            logprobs.putNull("refusal");
                        }
                        sse.send(chunk(id, created, t.choice(), delta, logprobs, null));
                    }
                }
                case Generation.Finished f -> {
                    completionTokens += f.result().ids().length;
                    sse.send(chunk(id, created, f.choice(), JsonNodeFactory.instance.objectNode(), null,
                            Serving.finishReason(f.result().stopReason())));
                    open--;
                }
                case Generation.Failed f -> {
                    sse.send(failure(f.error()).toJson());
                    record.completionTokens = completionTokens;
                    sse.done();
                    return;
                }
            }
        }
        record.completionTokens = completionTokens;
        if (r.sampling().includeUsage()) {
            ObjectNode last = header(id, created, "chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", Responses.usage(r.prompt().length, completionTokens));
            sse.send(last);
        }
        sse.done();
    }

    private ApiException failure(Throwable error) {
        if (error instanceof CancellationException) {
            return ApiException.shuttingDown();
        }
        Responses.logFailure(error);
        return ApiException.internal();
    }

    private ObjectNode header(String id, long created, String object) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", serving.options.modelName());
        return o;
    }

    private ObjectNode chunk(String id, long created, int index, ObjectNode delta, ObjectNode logprobs,
            String finishReason) {
        ObjectNode o = header(id, created, "chat.completion.chunk");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", index);
        c.set("delta", delta);
        if (logprobs == null) {
            c.putNull("logprobs");
        } else {
            c.set("logprobs", logprobs);
        }
        c.put("finish_reason", finishReason);
        return o;
    }

    private ObjectNode response(List<StringBuilder> texts, List<GenerationResult> results, ChatRequest r, String id,
            long created, int completionTokens) {
        ObjectNode o = header(id, created, "chat.completion");
        ArrayNode choices = o.putArray("choices");
        for (int j = 0; j < texts.size(); j++) {
            ObjectNode c = choices.addObject();
            c.put("index", j);
            ObjectNode message = c.putObject("message");
            message.put("role", "assistant");
            message.put("content", texts.get(j).toString());
            message.putNull("refusal");
            if (r.logprobs() >= 0) {
                ObjectNode logprobs = c.putObject("logprobs");
                ArrayNode content = logprobs.putArray("content");
                for (TokenLogprobs lp : results.get(j).logprobs()) {
                    content.add(tokenLogprobs(lp));
                }
                logprobs.putNull("refusal");
            } else {
                c.putNull("logprobs");
            }
            c.put("finish_reason", Serving.finishReason(results.get(j).stopReason()));
        }
        o.set("usage", Responses.usage(r.prompt().length, completionTokens));
        return o;
    }

    /** Chat's shape of one token's log-probabilities: token, logprob, bytes, top_logprobs. */
    private ObjectNode tokenLogprobs(TokenLogprobs lp) {
        ObjectNode o = token(lp.id(), lp.logprob());
        ArrayNode top = o.putArray("top_logprobs");
        int[] ids = lp.topIds();
        double[] values = lp.topLogprobs();
        for (int i = 0; i < ids.length; i++) {
            top.add(token(ids[i], values[i]));
        }
        return o;
    }

    private ObjectNode token(int id, double logprob) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("token", serving.tokenText(id));
        o.put("logprob", logprob);
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : serving.tokenizer.decodeBytes(new int[] {id})) {
            bytes.add(b & 0xff);
        }
        return o;
    }
}

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
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** {@code POST /v1/completions}: one or more prompts, {@code n} choices each, streamed or not. */
final class CompletionsEndpoint {
    private final Serving serving;

    CompletionsEndpoint(Serving serving) {
        this.serving = serving;
    }

    void handle(ServerRequest req, ServerResponse res, RequestRecord record) throws InterruptedException {
        long start = System.nanoTime();
        ConnectionProbe probe = ConnectionProbe.of(req); // before any I/O
        Params p = new Params(serving.readBody(req));
        serving.checkModel(p);
        CompletionRequest r = CompletionRequest.parse(p, serving);
        int n = r.sampling().n();
        List<int[]> prompts = new ArrayList<>();
        List<GenerationOptions> options = new ArrayList<>();
        int promptTokens = 0;
        for (int[] prompt : r.prompts()) {
            promptTokens += prompt.length;
            for (int j = 0; j < n; j++) {
                prompts.add(prompt);
                options.add(r.sampling().options(r.maxTokens(), j, List.of(), r.logprobs()));
            }
        }
        record.promptTokens = promptTokens;
        String id = Ids.next("cmpl-");
        long created = System.currentTimeMillis() / 1000;
        try (Serving.Running run = serving.start(prompts, options, start)) {
            serving.metrics.promptTokens(promptTokens);
            List<Choice> choices = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                choices.add(new Choice(prompts.get(i), r));
            }
            if (r.echo()) {
                echo(r, choices);
            }
            if (r.sampling().stream()) {
                stream(res, run.generation, choices, r, id, created, promptTokens, record);
            } else {
                try {
                    collect(run.generation, choices, probe);
                } catch (ClientGoneException e) {
                    record.completionTokens = run.generation.tokensTaken(); // for the log line
                    throw e;
                }
                record.completionTokens = choices.stream().mapToInt(c -> c.result.ids().length).sum();
                Responses.sendJson(res, 200, response(choices, id, created, promptTokens, record.completionTokens));
            }
        }
    }

    /** Fills each choice's text and log-probabilities with its prompt's. */
    private void echo(CompletionRequest r, List<Choice> choices) throws InterruptedException {
        List<CompletableFuture<List<TokenLogprobs>>> scored = new ArrayList<>();
        for (int[] prompt : r.prompts()) {
            scored.add(r.logprobs() >= 0 && prompt.length >= 2 ? serving.engine.logprobs(prompt, r.logprobs()) : null);
        }
        try {
            for (int i = 0; i < choices.size(); i++) {
                Choice c = choices.get(i);
                CompletableFuture<List<TokenLogprobs>> f = scored.get(i / r.sampling().n());
                c.echoPrompt(serving, f == null ? List.of() : f.get());
            }
        } catch (ExecutionException | CancellationException e) {
            throw ApiException.shuttingDown();
        } finally {
            scored.stream().filter(f -> f != null).forEach(f -> f.cancel(true));
        }
    }

    private void collect(Generation g, List<Choice> choices, ConnectionProbe probe) throws InterruptedException {
        for (int open = choices.size(); open > 0; ) {
            switch (g.next(probe)) {
                case Generation.Token t -> choices.get(t.choice()).add(t, serving);
                case Generation.Finished f -> {
                    choices.get(f.choice()).result = f.result();
                    open--;
                }
                case Generation.Failed f -> throw failure(f.error());
            }
        }
    }

    private void stream(ServerResponse res, Generation g, List<Choice> choices, CompletionRequest r, String id,
            long created, int promptTokens, RequestRecord record) throws InterruptedException {
        SseStream sse = new SseStream(res, serving.watchdog, serving.options.writeTimeout());
        record.stream = true;
        if (r.echo()) {
            for (int i = 0; i < choices.size(); i++) {
                Choice c = choices.get(i);
                sse.send(chunk(id, created, i, c.text.toString(), c.logprobs, null));
                c.startPiece();
            }
        }
        int completionTokens = 0;
        for (int open = choices.size(); open > 0; ) {
            Generation.Event e = g.next();
            Choice c = choices.get(e.choice());
            switch (e) {
                case Generation.Token t -> {
                    c.add(t, serving);
                    if (!t.text().isEmpty() || c.logprobs != null && t.id() != TokenListener.END) {
                        sse.send(chunk(id, created, t.choice(), t.text(), c.logprobs, null));
                        c.startPiece();
                    }
                }
                case Generation.Finished f -> {
                    completionTokens += f.result().ids().length;
                    sse.send(chunk(id, created, f.choice(), "", null, Serving.finishReason(f.result().stopReason())));
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
            ObjectNode last = header(id, created);
            last.putArray("choices");
            last.set("usage", Responses.usage(promptTokens, completionTokens));
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

    private ObjectNode header(String id, long created) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("object", "text_completion");
        o.put("created", created);
        o.put("model", serving.options.modelName());
        return o;
    }

    private ObjectNode chunk(String id, long created, int index, String text, CompletionLogprobs logprobs,
            String finishReason) {
        ObjectNode o = header(id, created);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("text", text);
        c.put("index", index);
        if (logprobs == null) {
            c.putNull("logprobs");
        } else {
            c.set("logprobs", logprobs.json());
        }
        c.put("finish_reason", finishReason);
        return o;
    }

    private ObjectNode response(List<Choice> choices, String id, long created, int promptTokens, int completionTokens) {
        ObjectNode o = header(id, created);
        ArrayNode array = o.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            Choice c = choices.get(i);
            ObjectNode j = array.addObject();
            j.put("text", c.text.toString());
            j.put("index", i);
            if (c.logprobs == null) {
                j.putNull("logprobs");
            } else {
                j.set("logprobs", c.logprobs.json());
            }
            j.put("finish_reason", Serving.finishReason(c.result.stopReason()));
        }
        o.set("usage", Responses.usage(promptTokens, completionTokens));
        return o;
    }

    /**
     * One choice's text and log-probabilities as they arrive. When streaming, {@link #logprobs}
     * holds only the tokens of the piece being sent ({@link #startPiece}); {@link #offset} is the
     * length of the whole text so far.
     */
    private static final class Choice {
        final int[] prompt;
        final StringBuilder text = new StringBuilder();
        final boolean wantLogprobs;
        CompletionLogprobs logprobs;
        GenerationResult result;
        int offset;

        Choice(int[] prompt, CompletionRequest r) {
            this.prompt = prompt;
            this.wantLogprobs = r.logprobs() >= 0;
        }

        void echoPrompt(Serving serving, List<TokenLogprobs> scored) {
            String promptText = serving.tokenizer.decode(prompt);
            if (wantLogprobs) {
                logprobs = new CompletionLogprobs(serving);
                int at = 0;
                for (int i = 0; i < prompt.length; i++) {
                    if (i == 0) {
                        logprobs.addUnscored(prompt[0], at);
                    } else {
                        logprobs.add(scored.get(i - 1), at);
                    }
                    at += serving.tokenText(prompt[i]).length();
                }
            }
            text.append(promptText);
            offset = text.length();
        }

        void add(Generation.Token t, Serving serving) {
            if (wantLogprobs && logprobs == null) {
                logprobs = new CompletionLogprobs(serving);
            }
            if (wantLogprobs && t.id() != TokenListener.END && t.logprobs() != null) {
                logprobs.add(t.logprobs(), offset);
            }
            text.append(t.text());
            offset += t.text().length();
        }

        /** Streaming: the piece just sent is done; the next one's log-probabilities start empty. */
        void startPiece() {
            if (wantLogprobs) {
                logprobs = null;
            }
            text.setLength(0);
        }
    }
}

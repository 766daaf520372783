package io.github.vectorlm.cli;

import io.github.vectorlm.generation.ChatTemplate;
import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.server.OpenAiServer;
import io.github.vectorlm.server.ServerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vectorlm serve}: the OpenAI-compatible HTTP server (module vectorlm-server) on one model. */
@Command(name = "serve",
        header = "Serve a model over OpenAI's HTTP API (completions, chat, models, health, metrics).",
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Loads the model once and answers POST /v1/completions and /v1/chat/completions (streaming too), "
                    + "GET /v1/models, /health and /metrics (Prometheus text), running up to --parallel sequences "
                    + "together through the batching engine. Any OpenAI client works: set its base URL to "
                    + "http://HOST:PORT/v1.",
            "",
            "Chat requests become one prompt through a plain transcript template (System:/User:/Assistant:, "
                    + "stopping at the next 'User:'), since GPT-2 and GPT-NeoX have no chat format; "
                    + "--chat-template FILE replaces it.",
            "",
            "Logs one line per request on stderr. SIGTERM or Ctrl-C stops taking requests, lets those in "
                    + "flight finish for up to 10 s, cancels the rest and exits.",
            ""},
        footer = {
            "",
            "Examples:",
            "  vectorlm serve",
            "  vectorlm serve --model gpt2 --port 8000 --parallel 8 --api-key \"$KEY\"",
            "  curl -s localhost:8080/v1/completions -H 'Content-Type: application/json' \\",
            "       -d '{\"model\": \"gpt2-shakespeare\", \"prompt\": \"ROMEO:\", \"max_tokens\": 20}'"})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    private VectorLm root;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = ServerOptions.DEFAULT_HOST,
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only); 0.0.0.0 for every interface.")
    private String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + ServerOptions.DEFAULT_PORT,
            description = "Port to listen on (0: a free one, printed at start). Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "" + EngineOptions.DEFAULT_SEQUENCES,
            description = "Sequences generated together (more wait in order). Default: ${DEFAULT-VALUE}.")
    private int parallel;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "256",
            description = "Sequences waiting or running at most; a request beyond that gets 503. Default: ${DEFAULT-VALUE}.")
    private int maxQueue;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on /v1 requests (compared in constant time).")
    private String apiKey;

    @Option(names = "--model-name", paramLabel = "NAME",
            description = "The model's name in requests and /v1/models. Default: the model's file or folder name.")
    private String modelName;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "A JSON chat template: {\"system\", \"user\", \"assistant\" (each with {content}), "
                    + "\"generation_prompt\", \"stop\"}; keys left out keep the plain template's.")
    private Path chatTemplate;

    /** Helidon's start-up and shutdown notes are INFO records of this logger; kept here so the level holds. */
    private static final java.util.logging.Logger HELIDON_LOG = java.util.logging.Logger.getLogger("io.helidon");

    @Override
    public Integer call() throws Exception {
        if (!root.verbose()) {
            HELIDON_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        if (parallel < 1 || maxQueue < 1) {
            throw new CliException("--parallel and --max-queue must be at least 1, got " + parallel + " and " + maxQueue);
        }
        ChatTemplate template = readTemplate();
        PrintWriter err = spec.commandLine().getErr();
        Path path = modelOptions.modelPath(root.context());
        String name = modelName != null ? modelName : path.toAbsolutePath().normalize().getFileName().toString();
        ModelOptions.LoadedModel loaded;
        try (ProgressDisplay progress = root.progress()) {
            loaded = modelOptions.load(root.context(), progress);
        }
        LanguageModel model = loaded.model();
        Engine engine = null;
        OpenAiServer server;
        try {
            engine = Engine.start(model, EngineOptions.forSequences(model, parallel));
            ServerOptions options = ServerOptions.defaults(name).withHost(host).withPort(port).withApiKey(apiKey)
                    .withChatTemplate(template);
            options = options.withLimits(options.maxBodyBytes(), maxQueue, options.maxChoices());
            server = OpenAiServer.start(model, engine, options, line -> {
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            });
        } catch (RuntimeException | Error e) {
            if (engine != null) {
                engine.close();
            }
            loaded.close();
            throw e;
        }
        err.printf(Locale.ROOT, "vectorlm: serving %s (%s) at http://%s:%d/v1, %d sequences at once, "
                        + "%.0f MiB of KV cache; Ctrl-C stops%n", name, model.architecture(), host, server.port(),
                parallel, engine.options().memoryBytes() / 1048576.0);
        err.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Engine running = engine;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("vectorlm: stopping: finishing requests in flight");
            err.flush();
            try {
                server.close();
                running.close();
                loaded.close();
            } finally {
                err.println("vectorlm: stopped");
                err.flush();
                stopped.countDown();
            }
        }, "vectorlm-serve-shutdown"));
        stopped.await();
        return 0;
    }

    private ChatTemplate readTemplate() {
        if (chatTemplate == null) {
            return ChatTemplate.PLAIN;
        }
        try {
            return ChatTemplate.read(chatTemplate);
        } catch (IOException e) {
            throw new CliException(e.getMessage());
        }
    }
}

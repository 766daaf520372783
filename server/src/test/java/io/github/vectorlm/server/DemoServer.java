package io.github.vectorlm.server;

import io.github.vectorlm.generation.Engine;
import io.github.vectorlm.generation.EngineOptions;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The demo model (loaded through the ModelLoader services, as {@code vectorlm serve} does), an
 * engine and a server on a free loopback port; closing stops all three.
 */
final class DemoServer implements AutoCloseable {
    static final Path FOLDER = Path.of("../models/gpt2-shakespeare");
    static final String MODEL_NAME = "gpt2-shakespeare";

    final Parallel parallel;
    final LanguageModel model;
    final Engine engine;
    final OpenAiServer server;
    final List<String> log = new CopyOnWriteArrayList<>();

    DemoServer(int sequences, UnaryOperator<ServerOptions> options) throws Exception {
        Fixtures.require(FOLDER.resolve("ckpt.pt"), "tools/train_demo_model.py (see models/gpt2-shakespeare/README.md)");
        parallel = Parallel.create(2);
        model = LanguageModels.load(FOLDER, LoadOptions.defaults().withParallel(parallel));
        engine = Engine.start(model, EngineOptions.forSequences(model, sequences));
        server = OpenAiServer.start(model, engine, options.apply(ServerOptions.defaults(MODEL_NAME).withPort(0)), log::add);
    }

    DemoServer() throws Exception {
        this(8, o -> o);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        model.close();
        parallel.close();
    }
}

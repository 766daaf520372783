/**
 * The {@code vectorlm} command: generate, score, forward, tokenize, inspect, convert, download,
 * bench, serve, preprocess and merge-datasets, on picocli. Model modules are found through
 * {@link io.github.vectorlm.generation.ModelLoader} services.
 */
module io.github.vectorlm.cli {
    requires io.github.vectorlm.tensor;
    requires io.github.vectorlm.checkpoint;
    requires io.github.vectorlm.generation;
    requires io.github.vectorlm.corpus;
    requires io.github.vectorlm.server;
    // DecoderSession.chunk(): long prefills are reported chunk by chunk (ProgressReportingModel)
    requires io.github.vectorlm.decoder;
    // the model modules are needed at run time only (their loaders are services); requiring them
    // puts them in the module graph when the CLI runs from the module path
    requires io.github.vectorlm.gpt2;
    requires io.github.vectorlm.neox;
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires java.net.http;
    requires java.logging; // serve quiets Helidon's INFO notes

    // picocli reads and sets the annotated fields of the commands reflectively
    opens io.github.vectorlm.cli to info.picocli;
}

/**
 * VectorLM used from another application, as a JPMS module: loads the demo model, streams
 * generated text and scores text through the public API only, and through langchain4j.
 */
module io.github.vectorlm.examples {
    // the API: LanguageModels, Generator, Scorer ...
    requires io.github.vectorlm.generation;
    // the GPT-2 loader, found by LanguageModels through ServiceLoader
    requires io.github.vectorlm.gpt2;
    // langchain4j's models on VectorLM (and langchain4j-core, which it requires transitively)
    requires io.github.vectorlm.langchain4j;

    exports io.github.vectorlm.examples;
}

/**
 * Tokenizers, the language-model SPI, sampling, the generation loop and scoring.
 */
module io.github.vectorlm.generation {
    requires transitive io.github.vectorlm.tensor;
    requires com.fasterxml.jackson.databind;

    exports io.github.vectorlm.generation;

    uses io.github.vectorlm.generation.ModelLoader;
}

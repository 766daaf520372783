/**
 * What every decoder-only model shares: {@link io.github.vectorlm.decoder.DecoderModel} (argument
 * checks, the chunked prefill loop, logits of the last or of every position, an idempotent close),
 * {@link io.github.vectorlm.decoder.DecoderSession} (the KV cache and the activation workspace of
 * one sequence), {@link io.github.vectorlm.decoder.WeightTable} (checkpoint names to parameters,
 * every problem reported at once) and {@link io.github.vectorlm.decoder.ConfigReader} (typed reads
 * of a config file). A model module adds its config, its tables and its block math.
 */
module io.github.vectorlm.decoder {
    requires transitive io.github.vectorlm.tensor;
    requires transitive io.github.vectorlm.checkpoint;
    requires transitive io.github.vectorlm.generation;
    requires transitive com.fasterxml.jackson.databind;

    exports io.github.vectorlm.decoder;
}

/**
 * GPT-2: its config, the weight-name tables of OpenAI's TensorFlow, Hugging Face and nanoGPT
 * checkpoints, and the block math on the shared decoder core. Models are loaded through
 * {@link io.github.vectorlm.generation.ModelLoader} (this module provides
 * {@link io.github.vectorlm.gpt2.Gpt2Loader}).
 */
@SuppressWarnings("module") // the name is the design's: io.github.vectorlm.gpt2, digits and all
module io.github.vectorlm.gpt2 {
    requires transitive io.github.vectorlm.decoder;

    exports io.github.vectorlm.gpt2;

    provides io.github.vectorlm.generation.ModelLoader with io.github.vectorlm.gpt2.Gpt2Loader;
}

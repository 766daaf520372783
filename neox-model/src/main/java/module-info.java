/**
 * GPT-NeoX (GPT-NeoX-20B, the Pythia suite): its config (Hugging Face {@code config.json} or a
 * GPT-NeoX YAML), the weight-name tables of Hugging Face checkpoints and of NeoX's tensor-parallel
 * "slim weights" (merged by {@link io.github.vectorlm.neox.NeoxSlimMerger}), and the layer math on
 * the shared decoder core. Models are loaded through
 * {@link io.github.vectorlm.generation.ModelLoader} (this module provides
 * {@link io.github.vectorlm.neox.NeoxLoader}).
 */
module io.github.vectorlm.neox {
    requires transitive io.github.vectorlm.decoder;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml;

    exports io.github.vectorlm.neox;

    provides io.github.vectorlm.generation.ModelLoader with io.github.vectorlm.neox.NeoxLoader;
}

/**
 * Training-data preprocessing: JSON-lines corpora (plain, gzip, xz, zstd) tokenized into the
 * memory-mapped indexed datasets of Megatron-LM and GPT-NeoX, and those datasets read and merged.
 */
module io.github.vectorlm.corpus {
    requires transitive io.github.vectorlm.generation;
    requires com.fasterxml.jackson.core;
    requires org.tukaani.xz;
    requires aircompressor;

    exports io.github.vectorlm.corpus;
}

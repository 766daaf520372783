package io.github.vectorlm.generation;

import java.text.Normalizer;
import java.util.List;

/**
 * The normalizers of Hugging Face's {@code tokenizer.json} that VectorLM supports: the Unicode
 * normalization forms, and sequences of them.
 */
sealed interface TextNormalizer {
    /** The normalized text. */
    String normalize(String text);

    /** Leaves text as it is ({@code "normalizer": null}). */
    TextNormalizer IDENTITY = new Identity();

    /** No normalization. */
    record Identity() implements TextNormalizer {
        @Override
        public String normalize(String text) {
            return text;
        }
    }

    /** One of NFC, NFD, NFKC, NFKD (java.text.Normalizer's tables, Unicode version of the JDK). */
    record Unicode(Normalizer.Form form) implements TextNormalizer {
        @Override
        public String normalize(String text) {
            return Normalizer.isNormalized(text, form) ? text : Normalizer.normalize(text, form);
        }
    }

    /** Each normalizer in turn. */
    record Sequence(List<TextNormalizer> steps) implements TextNormalizer {
        /** Copies the list. */
        public Sequence {
            steps = List.copyOf(steps);
        }

        @Override
        public String normalize(String text) {
            String out = text;
            for (TextNormalizer step : steps) {
                out = step.normalize(out);
            }
            return out;
        }
    }
}

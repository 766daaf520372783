package io.github.vectorlm.decoder;

import java.util.Objects;

/**
 * Whether a model of a given config has a parameter in its checkpoint: a config can drop biases
 * (nanoGPT's {@code bias=False}, NeoX's {@code attention_bias: false}) or tie the head to the
 * embedding.
 *
 * @param kind required, optional or absent
 * @param reason for {@link Kind#ABSENT}, why (ends the "unexpected" problem line), else null
 */
public record Presence(Kind kind, String reason) {
    /** Must be in the checkpoint. */
    public static final Presence REQUIRED = new Presence(Kind.REQUIRED, null);
    /** May be in the checkpoint (a saved copy of a tied head): checked when present, never missed. */
    public static final Presence OPTIONAL = new Presence(Kind.OPTIONAL, null);

    /** The three kinds. */
    public enum Kind {
        /** must be present. */
        REQUIRED,
        /** checked when present. */
        OPTIONAL,
        /** must not be present. */
        ABSENT
    }

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException if an absent parameter has no reason, or another has one
     */
    public Presence {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.ABSENT) != (reason != null)) {
            throw new IllegalArgumentException("a reason goes with ABSENT, and only with it");
        }
    }

    /**
     * Must not be present.
     *
     * @param reason why, e.g. {@code "the config has bias=False"}
     * @return the presence
     */
    public static Presence absent(String reason) {
        return new Presence(Kind.ABSENT, Objects.requireNonNull(reason, "reason"));
    }
}

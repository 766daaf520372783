package io.github.vectorlm.checkpoint.pickle;

/**
 * What a {@link PickleHandler} or the machine itself found wrong; {@link PickleMachine} turns it
 * into the matching {@code CheckpointException} with the file, the pickle and the byte offset.
 */
public final class PickleException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which {@code CheckpointException} subtype the problem becomes. */
    public enum Kind {
        /** the bytes are inconsistent (CorruptCheckpointException) */
        CORRUPT,
        /** the pickle asks for something refused on purpose (UnsafeCheckpointException) */
        UNSAFE,
        /** well-formed, but a feature this reader does not implement (UnsupportedCheckpointException) */
        UNSUPPORTED
    }

    private final Kind kind;

    /** A problem of the given kind. */
    public PickleException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** The bytes are inconsistent. */
    public static PickleException corrupt(String message) {
        return new PickleException(Kind.CORRUPT, message);
    }

    /** Refused on purpose. */
    public static PickleException unsafe(String message) {
        return new PickleException(Kind.UNSAFE, message);
    }

    /** Not implemented here. */
    public static PickleException unsupported(String message) {
        return new PickleException(Kind.UNSUPPORTED, message);
    }

    /** The kind of problem. */
    public Kind kind() {
        return kind;
    }
}

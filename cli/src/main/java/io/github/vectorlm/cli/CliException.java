package io.github.vectorlm.cli;

/**
 * A failure the user can fix, reported as one line ({@code vectorlm: message}) and, when there is
 * one, a hint line saying what to do.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String hint;

    CliException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    CliException(String message) {
        this(message, null);
    }

    /** What to do about it, or null. */
    String hint() {
        return hint;
    }
}

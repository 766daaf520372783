package io.github.vectorlm.server;

/** The client closed the connection, or stopped reading for longer than the write timeout. */
final class ClientGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClientGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}

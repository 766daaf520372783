package io.github.vectorlm.server;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;

/**
 * Bounds the time a client may take to send its headers once its request line has come: Helidon's
 * idle timeout covers a connection waiting for a request line, the body has its own deadline
 * ({@link JsonBody}), and this covers what lies between (headers sent a byte a second would
 * otherwise hold the connection's thread for as long as the header size limit allows). Helidon
 * calls both methods on the connection's own thread, one request after another.
 */
final class HeaderDeadline implements Http1ConnectionListener {
    private final IoWatchdog watchdog;
    private final Duration timeout;
    private final ThreadLocal<IoWatchdog.Deadline> armed = new ThreadLocal<>();

    HeaderDeadline(IoWatchdog watchdog, Duration timeout) {
        this.watchdog = watchdog;
        this.timeout = timeout;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        disarm();
        armed.set(watchdog.arm(timeout));
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        disarm();
    }

    private void disarm() {
        IoWatchdog.Deadline d = armed.get();
        if (d != null) {
            armed.remove();
            d.close();
        }
    }
}

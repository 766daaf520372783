package io.github.vectorlm.server;

import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tells whether the client of a non-streaming request has closed its connection while the
 * request generates. Helidon 4.5's HTTP/1 connection thread runs the handler itself and reads the
 * socket again only after it, and no public API reads, polls or reports the socket meanwhile
 * ({@code ServerRequest} has no connection state; {@code HelidonSocket.isConnected()} is the
 * local state; a second reader would race the connection's own); a streaming response finds out
 * at its next write, a blocking one never. So this asks the kernel: on Linux,
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6} list the server's end of the connection in
 * state CLOSE_WAIT once the client's FIN has arrived (a client that closes or dies). Elsewhere, or
 * when the connection is not found, it never says closed and the request ends as before (at
 * {@code max_tokens}). A client that only half-closes (shuts down its output but still reads)
 * looks closed too; HTTP clients waiting for a response do not do that.
 */
final class ConnectionProbe {
    /** A probe that never sees a close. */
    static final ConnectionProbe NONE = new ConnectionProbe(List.of());

    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    private static final String CLOSE_WAIT = "08";

    /** The server end as {@code /proc/net/tcp*} writes it, "LOCAL REMOTE", in each form it may take. */
    private final List<String> keys;

    private ConnectionProbe(List<String> keys) {
        this.keys = keys;
    }

    /** A probe of {@code req}'s connection; {@link #NONE} where it cannot be told. Call before any I/O. */
    static ConnectionProbe of(ServerRequest req) {
        if (!Files.isReadable(TABLES[0])) {
            return NONE;
        }
        try {
            SocketAddress local = req.localPeer().address();
            SocketAddress remote = req.remotePeer().address();
            if (!(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)
                    || l.getAddress() == null || r.getAddress() == null) {
                return NONE;
            }
            List<String> keys = new ArrayList<>();
            for (String la : forms(l.getAddress())) {
                for (String ra : forms(r.getAddress())) {
                    keys.add(la + ":" + hexPort(l.getPort()) + " " + ra + ":" + hexPort(r.getPort()));
                }
            }
            return new ConnectionProbe(List.copyOf(keys));
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    /** Whether the client's end has closed (its FIN arrived); false when that cannot be told. */
    boolean peerClosed() {
        if (keys.isEmpty()) {
            return false;
        }
        for (Path table : TABLES) {
            try (var lines = Files.lines(table)) {
                // "  sl  local_address rem_address   st ...": fields 1, 2, 3
                boolean closed = lines.skip(1).map(String::trim).map(s -> s.split("\\s+", 5))
                        .filter(f -> f.length >= 4 && keys.contains(f[1] + " " + f[2]))
                        .anyMatch(f -> CLOSE_WAIT.equals(f[3]));
                if (closed) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6) or unreadable: nothing to tell
            }
        }
        return false;
    }

    /** The address as the kernel prints it: 32-bit words in host (little-endian) order, in hex. */
    static List<String> forms(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            byte[] mapped = new byte[16]; // ::ffff:a.b.c.d, as a dual-stack socket lists it in tcp6
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(b, 0, mapped, 12, 4);
            return List.of(words(b), words(mapped));
        }
        return List.of(words(b));
    }

    private static String words(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int w = 0; w < b.length; w += 4) {
            for (int i = 3; i >= 0; i--) {
                s.append(String.format(Locale.ROOT, "%02X", b[w + i] & 0xFF));
            }
        }
        return s.toString();
    }

    private static String hexPort(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }
}

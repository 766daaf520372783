package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 by hand over a socket, for what a well-behaved client never sends. */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Request headers for a POST of {@code length} bytes. */
    static byte[] postHeaders(String path, long length) {
        return ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A whole POST, one response read back (Connection: close). */
    static Response post(int port, String path, byte[] body) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            http.out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            http.out.write(body);
            http.out.flush();
            return http.readAll();
        }
    }

    /** Everything until the server closes the connection. */
    Response readAll() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return Response.parse(all.toString(StandardCharsets.UTF_8));
    }

    /** Whether the server closed the connection (or reset it) within the socket's timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what came before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A status and a body (de-chunked when it was chunked). */
    record Response(int status, String headers, String body) {
        static Response parse(String raw) {
            int split = raw.indexOf("\r\n\r\n");
            String head = raw.substring(0, split);
            String body = raw.substring(split + 4);
            if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                StringBuilder joined = new StringBuilder();
                int at = 0;
                while (true) {
                    int eol = body.indexOf("\r\n", at);
                    int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    joined.append(body, eol + 2, eol + 2 + size); // ASCII sizes only: JSON here is ASCII
                    at = eol + 2 + size + 2;
                }
                body = joined.toString();
            }
            return new Response(Integer.parseInt(head.substring(9, 12)), head, body);
        }

        JsonNode json() throws IOException {
            return JsonBody.MAPPER.readTree(body);
        }
    }
}

package io.github.vectorlm.corpus;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads a JSON-lines file in chunks of whole lines, as raw bytes, decompressing gzip, xz and zstd
 * (recognised by their magic bytes, whatever the file is called), so that the lines can be split
 * and parsed on other threads ({@link Lines}). A line longer than {@link #MAX_LINE_BYTES} is an
 * error naming the file and line rather than an out-of-memory. Not thread-safe.
 */
final class JsonLinesReader implements AutoCloseable {
    /** The longest line read: 256 MiB. */
    static final int MAX_LINE_BYTES = 256 << 20;
    /** About how many bytes of lines a chunk holds. */
    static final int CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final CountingInputStream raw;
    private final InputStream in;
    private byte[] carried = new byte[0];
    private int carry;
    private boolean eof;

    JsonLinesReader(Path file) throws IOException {
        this.file = file;
        this.raw = new CountingInputStream(Files.newInputStream(file));
        try {
            this.in = decompressed(file, new BufferedInputStream(raw, 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static InputStream decompressed(Path file, BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        try {
            if (head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
                return new GZIPInputStream(in, 1 << 16);
            }
            if (head.length >= 6 && (head[0] & 0xFF) == 0xFD && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                    && head[4] == 'Z' && head[5] == 0) {
                return new XZInputStream(in);
            }
            if (head.length >= 4 && (head[0] & 0xFF) == 0x28 && (head[1] & 0xFF) == 0xB5 && (head[2] & 0xFF) == 0x2F
                    && (head[3] & 0xFF) == 0xFD) {
                return new ZstdInputStream(in);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot start decompressing: " + e.getMessage(), e);
        }
        return in;
    }

    /** The file. */
    Path file() {
        return file;
    }

    /** Bytes of the file (compressed, as stored) read so far. */
    long fileBytesRead() {
        return raw.count;
    }

    /**
     * The next whole lines, about {@link #CHUNK_BYTES} of them (more when one line is longer), or
     * null at the end of the file. Every line in the chunk ends with {@code \n} but perhaps the
     * file's last one.
     *
     * @throws IOException if a line is longer than {@link #MAX_LINE_BYTES} (counting lines from
     *     {@code linesBefore}), or reading or decompressing fails; the message names the file
     */
    Chunk next(long linesBefore) throws IOException {
        if (eof && carry == 0) {
            return null;
        }
        byte[] buffer = new byte[Math.max(CHUNK_BYTES, carry * 2)];
        System.arraycopy(carried, 0, buffer, 0, carry);
        int length = carry;
        int scanned = carry;
        while (true) {
            while (length < buffer.length && !eof) {
                int n;
                try {
                    n = in.read(buffer, length, buffer.length - length);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": reading after line " + linesBefore + ": " + e.getMessage(), e);
                }
                if (n < 0) {
                    eof = true;
                } else {
                    length += n;
                }
            }
            int end = length;
            while (end > scanned && buffer[end - 1] != '\n') {
                end--;
            }
            if (end > scanned || eof) {
                int cut = end > scanned ? end : length; // at the end: the last line need not end with \n
                carry = length - cut;
                if (carried.length < carry) {
                    carried = new byte[Math.max(carry, CHUNK_BYTES)];
                }
                System.arraycopy(buffer, cut, carried, 0, carry);
                if (cut == 0) {
                    return null;
                }
                return new Chunk(file, buffer, cut);
            }
            // no line end in the whole buffer: one long line
            if (buffer.length >= MAX_LINE_BYTES) {
                throw new CorpusLineException(file, linesBefore + 1, "longer than " + MAX_LINE_BYTES + " bytes");
            }
            scanned = length;
            buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(MAX_LINE_BYTES, 2L * buffer.length));
        }
    }

    /** Whole lines of a file: {@code bytes[0 .. length)}. */
    record Chunk(Path file, byte[] bytes, int length) {
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Counts the bytes read from the file itself, for progress. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}

package io.github.vectorlm.corpus;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads a JSON-lines file line by line, as raw bytes with their line numbers, decompressing
 * gzip, xz and zstd (recognised by their magic bytes, whatever the file is called). Lines end at
 * {@code \n}; a {@code \r} before it is dropped. A line longer than {@link #MAX_LINE_BYTES} is an
 * error naming the file and line rather than an out-of-memory. Not thread-safe.
 */
final class JsonLinesReader implements AutoCloseable {
    /** The longest line read: 256 MiB. */
    static final int MAX_LINE_BYTES = 256 << 20;

    private final Path file;
    private final CountingInputStream raw;
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private long lineNumber;
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

    /** The number of the line {@link #next()} returned last, from 1. */
    long lineNumber() {
        return lineNumber;
    }

    /** Bytes of the file (compressed, as stored) read so far. */
    long fileBytesRead() {
        return raw.count;
    }

    /**
     * The next line's bytes without its end, or null at the end of the file.
     *
     * @throws CorpusLineException if the line is longer than {@link #MAX_LINE_BYTES}
     * @throws IOException if reading or decompressing fails (the message names the file)
     */
    byte[] next() throws IOException {
        if (eof) {
            return null;
        }
        line.reset();
        while (true) {
            if (position == limit) {
                try {
                    limit = in.read(buffer);
                } catch (IOException | RuntimeException e) {
                    throw new IOException(file + ": reading line " + (lineNumber + 1) + ": " + e.getMessage(), e);
                }
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (line.size() == 0) {
                        return null;
                    }
                    lineNumber++;
                    return withoutCarriageReturn(line.toByteArray());
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (line.size() + (position - start) > MAX_LINE_BYTES) {
                throw new CorpusLineException(file, lineNumber + 1, "longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(buffer, start, position - start);
            if (position < limit) {
                position++; // the newline
                lineNumber++;
                return withoutCarriageReturn(line.toByteArray());
            }
        }
    }

    private static byte[] withoutCarriageReturn(byte[] line) {
        int n = line.length;
        return n > 0 && line[n - 1] == '\r' ? java.util.Arrays.copyOf(line, n - 1) : line;
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

package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Turns a stream of ids into text without ever emitting half a character: the bytes of an
 * incomplete (but so far valid) UTF-8 sequence at the end are held back until the next id
 * completes them, or until {@link #flush()}. The pieces, joined, equal the decoding of all ids at
 * once, U+FFFD replacements included.
 */
final class Utf8StreamingDecoder implements Tokenizer.StreamingDecoder {
    private final IntFunction<byte[]> bytesOf;
    private byte[] pending = new byte[16];
    private int pendingLength;

    /** A decoder reading each id's bytes from {@code bytesOf}. */
    Utf8StreamingDecoder(IntFunction<byte[]> bytesOf) {
        this.bytesOf = bytesOf;
    }

    @Override
    public String next(int id) {
        byte[] bytes = bytesOf.apply(id);
        if (pendingLength + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        int hold = Utf8.incompleteTail(pending, pendingLength);
        int ready = pendingLength - hold;
        if (ready == 0) {
            return "";
        }
        String text = Utf8.decode(pending, ready);
        System.arraycopy(pending, ready, pending, 0, hold);
        pendingLength = hold;
        return text;
    }

    @Override
    public String flush() {
        String text = Utf8.decode(pending, pendingLength);
        pendingLength = 0;
        return text;
    }
}

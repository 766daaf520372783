package io.github.vectorlm.generation;

import java.util.Arrays;

/**
 * GPT-2's byte-level alphabet: every byte value has a printable stand-in character, so that
 * vocabularies and merges can be stored as text. Printable Latin-1 bytes stand for themselves;
 * the other 68 bytes (controls, space, soft hyphen …) are moved to U+0100 and up, in byte order.
 * The space byte becomes {@code Ġ} (U+0120), the newline {@code Ċ} (U+010A).
 */
final class ByteLevel {
    /** Stand-in character of each byte. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Byte of each stand-in character, or -1; indexed by char, every stand-in is below 0x144. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            BYTE_TO_CHAR[b] = direct[b] ? (char) b : (char) next++;
        }
        Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteLevel() {
    }

    /** The stand-in character of byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte {@code c} stands for, or -1 if {@code c} is not in the byte-level alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte-level string of raw bytes: one stand-in character per byte. */
    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The bytes a vocabulary token stands for, as Hugging Face's ByteLevel decoder reads it: if
     * every character of the token is in the byte-level alphabet, the bytes they stand for;
     * otherwise (an added token such as NeoX's runs of real spaces) the token's own UTF-8 bytes.
     */
    static byte[] decodeToken(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = byteOf(token.charAt(i));
            if (b < 0) {
                return Utf8.encode(token);
            }
            out[i] = (byte) b;
        }
        return out;
    }
}

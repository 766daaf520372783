package io.github.vectorlm.generation;

/**
 * UTF-8 encoding and lossy decoding with the Unicode Standard's "substitution of maximal
 * subparts" (chapter 3, U+FFFD substitution), which is what Rust's {@code String::from_utf8_lossy}
 * (so Hugging Face tokenizers) and Python's {@code errors="replace"} do. The JDK's decoder differs
 * on some inputs (an encoded surrogate {@code ED A0 80} gives one U+FFFD there, three here), so
 * this class does it by hand.
 */
final class Utf8 {
    private Utf8() {
    }

    /** UTF-8 bytes of {@code s}; an unpaired surrogate is encoded as U+FFFD. */
    static byte[] encode(CharSequence s) {
        return encode(s, 0, s.length());
    }

    /** UTF-8 bytes of {@code s[from, to)}; an unpaired surrogate is encoded as U+FFFD. */
    static byte[] encode(CharSequence s, int from, int to) {
        int size = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                size += 4;
                i++;
            } else {
                size += 3; // BMP character, or an unpaired surrogate written as U+FFFD
            }
        }
        byte[] out = new byte[size];
        int o = 0;
        for (int i = from; i < to; i++) {
            int c = s.charAt(i);
            if (c < 0x80) {
                out[o++] = (byte) c;
                continue;
            }
            if (Character.isSurrogate((char) c)) {
                if (Character.isHighSurrogate((char) c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                    c = Character.toCodePoint((char) c, s.charAt(++i));
                } else {
                    c = 0xFFFD;
                }
            }
            if (c < 0x800) {
                out[o++] = (byte) (0xC0 | c >> 6);
                out[o++] = (byte) (0x80 | c & 0x3F);
            } else if (c < 0x10000) {
                out[o++] = (byte) (0xE0 | c >> 12);
                out[o++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[o++] = (byte) (0x80 | c & 0x3F);
            } else {
                out[o++] = (byte) (0xF0 | c >> 18);
                out[o++] = (byte) (0x80 | c >> 12 & 0x3F);
                out[o++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[o++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return out;
    }

    /** Decodes {@code bytes[0, length)}, each maximal invalid subpart becoming one U+FFFD. */
    static String decode(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length);
        decodeInto(bytes, 0, length, out);
        return out.toString();
    }

    /** Decodes all of {@code bytes}, each maximal invalid subpart becoming one U+FFFD. */
    static String decode(byte[] bytes) {
        return decode(bytes, bytes.length);
    }

    /** Appends the decoding of {@code bytes[from, to)} to {@code out}. */
    static void decodeInto(byte[] bytes, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                out.append((char) b);
                i++;
                continue;
            }
            int need = sequenceLength(b);
            if (need == 0) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = b & (0xFF >> (need + 1));
            int k = 1;
            while (k < need && i + k < to && continuationFits(b, k, bytes[i + k] & 0xFF)) {
                cp = cp << 6 | bytes[i + k] & 0x3F;
                k++;
            }
            if (k == need) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD'); // the maximal subpart bytes[i, i+k) is invalid or truncated
            }
            i += k;
        }
    }

    /**
     * How many bytes at the end of {@code bytes[0, length)} form an incomplete but so far valid
     * sequence (0 to 3): bytes a streaming decoder must hold back until more arrive.
     */
    static int incompleteTail(byte[] bytes, int length) {
        for (int back = 1; back <= 3 && back <= length; back++) {
            int start = length - back;
            int b = bytes[start] & 0xFF;
            if (b < 0x80) {
                return 0;
            }
            if (b < 0xC0) {
                continue; // a continuation byte: look further back for its lead
            }
            int need = sequenceLength(b);
            if (need <= back) {
                return 0; // invalid lead, or a sequence that is already complete
            }
            for (int k = 1; k < back; k++) {
                if (!continuationFits(b, k, bytes[start + k] & 0xFF)) {
                    return 0;
                }
            }
            return back;
        }
        return 0;
    }

    /** Length of the sequence led by {@code lead} (2..4), or 0 if it cannot lead one. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 0;
    }

    /** Whether {@code b} may be byte {@code k} (1-based after the lead) of a sequence led by {@code lead}. */
    private static boolean continuationFits(int lead, int k, int b) {
        if (k == 1) {
            return switch (lead) {
                case 0xE0 -> b >= 0xA0 && b <= 0xBF; // no overlong 3-byte forms
                case 0xED -> b >= 0x80 && b <= 0x9F; // no surrogates
                case 0xF0 -> b >= 0x90 && b <= 0xBF; // no overlong 4-byte forms
                case 0xF4 -> b >= 0x80 && b <= 0x8F; // nothing above U+10FFFF
                default -> b >= 0x80 && b <= 0xBF;
            };
        }
        return b >= 0x80 && b <= 0xBF;
    }
}

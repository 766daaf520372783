package io.github.vectorlm.checkpoint.pickle;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** Decoding of pickle arguments: the text forms of protocol 0, strings and integers. */
final class PickleText {
    /** Python refuses to convert longer decimal strings to int (sys.int_info.default_max_str_digits). */
    private static final int MAX_DECIMAL_DIGITS = 4300;

    private PickleText() {
    }


    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).strip();
    }

    static long parseIndex(String text) throws PickleException {
        Object value = parseInt(text);
        if (!(value instanceof Long index) || index < 0) {
            throw PickleException.corrupt("bad memo index '" + text + "'");
        }
        return index;
    }

    static Object parseInt(String text) throws PickleException {
        if (text.length() > MAX_DECIMAL_DIGITS + 1) {
            throw PickleException.unsupported("an int of " + text.length() + " digits (Python's own limit is "
                    + MAX_DECIMAL_DIGITS + ")");
        }
        try {
            return normalize(new BigInteger(text.replace("_", "")));
        } catch (NumberFormatException e) {
            throw PickleException.corrupt("bad int '" + abbreviate(text) + "'");
        }
    }

    static Double parseFloat(String text) throws PickleException {
        String t = text.toLowerCase(Locale.ROOT);
        switch (t) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
                // Java also accepts hex floats and 'd'/'f' suffixes; Python's repr never writes those
                if (t.isEmpty() || t.length() > 400 || !t.matches("[-+]?[0-9._]*(e[-+]?[0-9]+)?")) {
                    throw PickleException.corrupt("bad float '" + abbreviate(text) + "'");
                }
                try {
                    return Double.parseDouble(t.replace("_", ""));
                } catch (NumberFormatException e) {
                    throw PickleException.corrupt("bad float '" + abbreviate(text) + "'");
                }
            }
        }
    }

    /** A little-endian two's complement integer (LONG1, LONG4) as Long when it fits, else BigInteger. */
    static Object fromTwosComplement(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return normalize(new BigInteger(bigEndian));
    }

    static Object normalize(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    /** STRING's argument: a quoted Python 2 str literal, escapes decoded as codecs.escape_decode does. */
    static byte[] unescapeQuoted(byte[] line) throws PickleException {
        int n = line.length;
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ')) {
            n--;
        }
        if (n < 2 || line[0] != line[n - 1] || (line[0] != '\'' && line[0] != '"')) {
            throw PickleException.corrupt("the STRING opcode argument must be quoted");
        }
        byte[] s = Arrays.copyOfRange(line, 1, n - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length);
        for (int i = 0; i < s.length; i++) {
            int c = s[i] & 0xff;
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (i + 1 == s.length) {
                throw PickleException.corrupt("trailing backslash in STRING argument");
            }
            int e = s[++i] & 0xff;
            switch (e) {
                case '\\', '\'', '"' -> out.write(e);
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\n' -> { } // line continuation
                case 'x' -> {
                    if (i + 2 >= s.length || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
                        throw PickleException.corrupt("bad \\x escape in STRING argument");
                    }
                    out.write(hex(s[i + 1]) * 16 + hex(s[i + 2]));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int value = e - '0';
                        for (int k = 0; k < 2 && i + 1 < s.length && s[i + 1] >= '0' && s[i + 1] <= '7'; k++) {
                            value = value * 8 + (s[++i] - '0');
                        }
                        out.write(value & 0xff);
                    } else {
                        out.write('\\'); // Python keeps unknown escapes as they are
                        out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** UNICODE's argument: latin-1 bytes with backslash-u and backslash-U escapes (raw-unicode-escape). */
    static String rawUnicodeEscape(byte[] line) throws PickleException {
        StringBuilder sb = new StringBuilder(line.length);
        for (int i = 0; i < line.length; i++) {
            int c = line[i] & 0xff;
            int digits = 0;
            if (c == '\\' && i + 1 < line.length) {
                digits = line[i + 1] == 'u' ? 4 : line[i + 1] == 'U' ? 8 : 0;
            }
            if (digits == 0) {
                sb.append((char) c);
                continue;
            }
            if (i + 2 + digits > line.length) {
                throw PickleException.corrupt("truncated \\u escape in UNICODE argument");
            }
            int codePoint = 0;
            for (int k = 0; k < digits; k++) {
                int h = hex(line[i + 2 + k]);
                if (h < 0) {
                    throw PickleException.corrupt("bad \\u escape in UNICODE argument");
                }
                codePoint = codePoint * 16 + h;
            }
            if (!Character.isValidCodePoint(codePoint)) {
                throw PickleException.corrupt("\\U escape beyond Unicode in UNICODE argument");
            }
            sb.appendCodePoint(codePoint);
            i += 1 + digits;
        }
        return sb.toString();
    }

    static int hex(byte b) {
        return Character.digit(b, 16);
    }

    static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}

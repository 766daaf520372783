package io.github.vectorlm.bench.model;

import java.math.BigDecimal;
import java.math.MathContext;

/** A minimal JSON writer for the benchmark's one output object (keys and strings are plain ASCII). */
final class Json {
    private final StringBuilder out = new StringBuilder();
    private boolean needComma;

    Json beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    Json endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    Json beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    Json endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Writes {@code "name":} and leaves the value to the next call. */
    Json key(String name) {
        comma();
        out.append('"').append(name).append("\":");
        needComma = false;
        return this;
    }

    Json field(String name, String value) {
        key(name);
        return value(value);
    }

    Json field(String name, long value) {
        key(name);
        out.append(value);
        needComma = true;
        return this;
    }

    Json field(String name, double value) {
        key(name);
        return value(value);
    }

    Json field(String name, boolean value) {
        key(name);
        out.append(value);
        needComma = true;
        return this;
    }

    Json field(String name, double[] values) {
        key(name).beginArray();
        for (double v : values) {
            value(v);
        }
        return endArray();
    }

    Json field(String name, int[] values) {
        key(name).beginArray();
        for (int v : values) {
            comma();
            out.append(v);
            needComma = true;
        }
        return endArray();
    }

    Json value(String s) {
        comma();
        if (s == null) {
            out.append("null");
        } else {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }
        needComma = true;
        return this;
    }

    Json value(double v) {
        comma();
        if (Double.isFinite(v)) {
            // six significant digits are plenty for timings and keep the output readable
            out.append(new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString());
        } else {
            out.append("null");
        }
        needComma = true;
        return this;
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

package io.github.vectorlm.cli;

import io.github.vectorlm.checkpoint.PickledObject;
import io.github.vectorlm.checkpoint.TensorRef;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's non-tensor content ({@link io.github.vectorlm.checkpoint.Checkpoint#content()})
 * for people and for JSON.
 *
 * <p>For JSON, a {@link TensorRef} becomes the tensor's name (a string that names an entry of the
 * tensor list), a {@link PickledObject} becomes {@code {"global": "module.name", "args": [...],
 * "state": ...}}, bytes become base64 text (Jackson's form of {@code byte[]}); everything else is
 * already JSON-shaped; a container shared between places is converted once (Jackson writes it at
 * each). The text form is indented like YAML, and collapses a map of tensors (a state dict) into
 * {@code {N tensors}}.
 *
 * <p>Content can be as deep as {@code ReaderLimits.MAX_NESTING_DEPTH} and as large as
 * {@code ReaderLimits.MAX_CONTENT_VALUES}; the text form is cut to {@value #MAX_DEPTH} levels,
 * {@value #MAX_LINES} lines and, one line, {@value #MAX_INLINE_DEPTH} levels and about
 * {@value #MAX_INLINE_CHARS} characters, so that printing it is quick whatever the file holds.
 */
final class ContentView {
    private static final int MAX_DEPTH = 12;
    private static final int MAX_ENTRIES = 40;
    private static final int MAX_INLINE_ITEMS = 16;
    private static final int MAX_TEXT = 120;
    private static final int MAX_LINES = 2000;
    private static final int MAX_INLINE_DEPTH = 4;
    private static final int MAX_INLINE_CHARS = 1000;

    private ContentView() {
    }

    /** {@code content} with tensors as their names and pickled objects as maps: ready for Jackson. */
    static Object toJson(Object content) {
        return toJson(content, new IdentityHashMap<>());
    }

    /** Converts each container once: content is a DAG, and its shared parts stay shared here. */
    private static Object toJson(Object content, Map<Object, Object> converted) {
        Object done = converted.get(content);
        if (done != null) {
            return done;
        }
        Object result = switch (content) {
            case null -> null;
            case TensorRef ref -> ref.name();
            case PickledObject o -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("global", o.qualifiedName());
                m.put("args", toJson(o.args(), converted));
                m.put("state", toJson(o.state(), converted));
                yield m;
            }
            case Map<?, ?> map -> {
                Map<String, Object> m = new LinkedHashMap<>();
                map.forEach((k, v) -> m.put(String.valueOf(k), toJson(v, converted)));
                yield m;
            }
            case List<?> list -> {
                List<Object> l = new ArrayList<>(list.size());
                list.forEach(v -> l.add(toJson(v, converted)));
                yield l;
            }
            case Double d when d.isNaN() || d.isInfinite() -> d.toString();
            default -> content;
        };
        if (content instanceof Map || content instanceof List || content instanceof PickledObject) {
            converted.put(content, result);
        }
        return result;
    }

    /** Prints {@code content} indented by {@code indent} spaces, at most {@value #MAX_LINES} lines. */
    static void print(PrintWriter out, Object content, int indent) {
        Lines lines = new Lines(out);
        if (content instanceof Map<?, ?> map && !map.isEmpty()) {
            printMap(lines, map, indent, 0);
        } else if (content instanceof List<?> list && !list.isEmpty() && !isInline(list)) {
            printList(lines, list, indent, 0);
        } else {
            lines.println(" ".repeat(indent) + inline(content));
        }
        if (lines.cut) {
            out.println(" ".repeat(indent) + "… (cut at " + MAX_LINES + " lines; --json prints all of it)");
        }
    }

    /** Counts the lines printed; past {@value #MAX_LINES} prints nothing more. */
    private static final class Lines {
        private final PrintWriter out;
        private int count;
        boolean cut;

        Lines(PrintWriter out) {
            this.out = out;
        }

        void println(String line) {
            if (count++ < MAX_LINES) {
                out.println(line);
            } else {
                cut = true;
            }
        }

        boolean full() {
            return count >= MAX_LINES;
        }
    }

    private static void printMap(Lines out, Map<?, ?> map, int indent, int depth) {
        String pad = " ".repeat(indent);
        // tensors are listed in the table already: many of them side by side become one line
        long tensors = map.values().stream().filter(v -> v instanceof TensorRef).count();
        boolean hideTensors = tensors > 3;
        int shown = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (out.full()) {
                out.cut = true;
                return;
            }
            if (hideTensors && e.getValue() instanceof TensorRef) {
                continue;
            }
            if (shown++ == MAX_ENTRIES) {
                out.println(pad + "… " + (map.size() - tensors - MAX_ENTRIES) + " more entries");
                break;
            }
            printEntry(out, pad + key(e.getKey()) + ":", e.getValue(), indent, depth);
        }
        if (hideTensors) {
            out.println(pad + "(and " + tensors + " tensors)");
        }
    }

    private static void printList(Lines out, List<?> list, int indent, int depth) {
        String pad = " ".repeat(indent);
        for (int i = 0; i < list.size(); i++) {
            if (out.full()) {
                out.cut = true;
                return;
            }
            if (i == MAX_ENTRIES) {
                out.println(pad + "… " + (list.size() - MAX_ENTRIES) + " more items");
                break;
            }
            printEntry(out, pad + "-", list.get(i), indent, depth);
        }
    }

    private static void printEntry(Lines out, String head, Object value, int indent, int depth) {
        int tensors = tensorCount(value);
        if (tensors >= 0) {
            out.println(head + " {" + tensors + (tensors == 1 ? " tensor}" : " tensors}"));
        } else if (depth < MAX_DEPTH && value instanceof Map<?, ?> m && !m.isEmpty() && !isInline(m)) {
            out.println(head);
            printMap(out, m, indent + 2, depth + 1);
        } else if (depth < MAX_DEPTH && value instanceof List<?> l && !l.isEmpty() && !isInline(l)) {
            out.println(head);
            printList(out, l, indent + 2, depth + 1);
        } else {
            out.println(head + " " + inline(value));
        }
    }

    /** The number of tensors if {@code value} is a map of more than 3 entries that are all tensors, else -1. */
    private static int tensorCount(Object value) {
        if (value instanceof Map<?, ?> m && m.size() > 3) {
            for (Object v : m.values()) {
                if (!(v instanceof TensorRef)) {
                    return -1;
                }
            }
            return m.size();
        }
        return -1;
    }

    private static boolean isInline(Object value) {
        if (value instanceof Map<?, ?> m) {
            return m.size() <= 6 && m.values().stream().allMatch(ContentView::isScalar) && inline(value).length() <= MAX_TEXT;
        }
        if (value instanceof List<?> l) {
            return l.stream().allMatch(ContentView::isScalar);
        }
        return true;
    }

    private static boolean isScalar(Object v) {
        return !(v instanceof Map<?, ?>) && !(v instanceof List<?>) && !(v instanceof PickledObject);
    }

    /** One-line form: JSON-like, with tensors as {@code <tensor name>}; nesting and length cut. */
    static String inline(Object value) {
        return inline(value, 0);
    }

    private static String inline(Object value, int depth) {
        if (depth >= MAX_INLINE_DEPTH && (value instanceof Map<?, ?> || value instanceof List<?>
                || value instanceof PickledObject)) {
            return value instanceof Map<?, ?> m ? "{… " + m.size() + " entries}"
                    : value instanceof List<?> l ? "[… " + l.size() + " items]" : ((PickledObject) value).qualifiedName() + "(…)";
        }
        return switch (value) {
            case null -> "None";
            case TensorRef ref -> "<tensor " + ref.name() + ">";
            case String s -> quote(s);
            case byte[] b -> bytes(b);
            case Boolean b -> b ? "True" : "False";
            case Long _, Integer _, BigInteger _, Double _ -> value.toString();
            case PickledObject o -> o.qualifiedName() + inline(o.args(), depth + 1).replaceFirst("^\\[", "(").replaceFirst("]$", ")");
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    if (i++ == MAX_INLINE_ITEMS || sb.length() > MAX_INLINE_CHARS) {
                        sb.append("… ").append(m.size() - i + 1).append(" more");
                        break;
                    }
                    sb.append(key(e.getKey())).append(": ").append(inline(e.getValue(), depth + 1));
                }
                yield sb.append('}').toString();
            }
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    if (i == MAX_INLINE_ITEMS || sb.length() > MAX_INLINE_CHARS) {
                        sb.append("… ").append(l.size() - i).append(" more");
                        break;
                    }
                    sb.append(inline(l.get(i), depth + 1));
                }
                yield sb.append(']').toString();
            }
            default -> String.valueOf(value);
        };
    }

    private static String key(Object k) {
        String s = String.valueOf(k);
        return s.matches("[A-Za-z0-9_./\\-#]+") ? s : quote(s);
    }

    private static String quote(String s) {
        String shown = s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + "…" : s;
        StringBuilder sb = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\'' -> sb.append("\\'");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c < ' ' ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        sb.append('\'');
        if (s.length() > MAX_TEXT) {
            sb.append(" (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    private static String bytes(byte[] b) {
        StringBuilder sb = new StringBuilder("b'");
        int n = Math.min(b.length, 48);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        sb.append('\'');
        if (b.length > n) {
            sb.append(" … (").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }
}

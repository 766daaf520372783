package io.github.vectorlm.checkpoint.pickle;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.PickledObject;
import io.github.vectorlm.checkpoint.ReaderLimits;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what a {@link PickleMachine} built into public content, depth first, without recursion:
 * lists, sets and dicts become unmodifiable views, {@link PyObject}s become {@link PickledObject}s,
 * and every other value (a leaf) goes through a {@link LeafConverter}, which may ask for the
 * leaf's name.
 *
 * <h2>Names</h2>
 * A leaf's name is the path from the root to it: dict keys and list, tuple or set indices,
 * joined by {@code '.'}. A key becomes text as Python's {@code str} would write it for str and int
 * keys; {@code True}/{@code False}/{@code None} for those; bytes read as latin-1; a tuple key as
 * {@code (a, b)}; a float key as Java's {@code Double.toString}. A {@link PickledObject}'s
 * arguments are under {@code args.<i>}, its state under {@code state}. The root itself is named
 * {@code ""}. A container the pickle references several times (through its memo) is entered
 * once, at its first path; a leaf is named at every place it occurs in the containers entered.
 * When two paths spell the same name (a key that contains a '.'), the later one gets
 * {@code #2}, {@code #3}, and so on. Order is depth first, in pickle order: the file's order.
 *
 * <h2>Limits</h2>
 * The content must be a tree or a DAG: a container that contains itself (a cycle through the
 * memo) is refused, since the JDK's {@code toString}, {@code equals} and {@code hashCode} of
 * such content would never end. Nesting is at most {@link PickleLimits#maxDepth()} containers
 * along any path, and the content holds at most {@link PickleLimits#maxContentValues()} values
 * with shared containers counted at every place (their height and size are remembered, so a
 * shared container costs one visit however often it recurs).
 */
public final class ContentWalker {
    /** Converts one leaf value into its public form (often the value itself). */
    public interface LeafConverter {
        /**
         * @param leaf a value that is no container
         * @param names gives the leaf's name, if the converter needs one
         * @return the value to put in the leaf's place
         */
        Object convert(Object leaf, Names names) throws CheckpointException;
    }

    /** Names the leaf being converted. */
    public interface Names {
        /** The leaf's name, unique among the names given out so far (see the class comment). */
        String uniqueName() throws CheckpointException;
    }

    private final Path file;
    private final PickleLimits limits;
    private final LeafConverter converter;

    private final Map<Object, Object> publicForms = new IdentityHashMap<>();
    private final Set<Object> entered = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Frame> frames = new ArrayList<>();
    /** The name segment of each entered frame below the root, in depth order. */
    private final List<String> segments = new ArrayList<>();
    private long segmentChars;
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> nextSuffix = new HashMap<>();
    private long totalNameChars;
    /** Height (containers along the longest path down, itself included) and value count of each finished container. */
    private final Map<Object, long[]> finished = new IdentityHashMap<>();

    /**
     * @param file the file, for messages
     * @param limits bounds on name lengths
     * @param converter converts leaves
     */
    public ContentWalker(Path file, PickleLimits limits, LeafConverter converter) {
        this.file = file;
        this.limits = limits;
        this.converter = converter;
    }

    /** Walks the tree under {@code root} once and returns its public form. */
    public Object walk(Object root) throws CheckpointException {
        RootFrame rootFrame = new RootFrame(root);
        frames.add(rootFrame);
        while (!frames.isEmpty()) {
            Frame frame = frames.getLast();
            if (!frame.advance()) {
                exit();
                continue;
            }
            Object value = frame.value();
            if (isContainer(value)) {
                visitContainer(frame, value);
            } else {
                count(frame, 1, 0);
                Object converted = converter.convert(value, () -> uniqueName(frame.segment()));
                if (converted != value) {
                    frame.set(converted);
                }
            }
        }
        return rootFrame.result;
    }

    private static boolean isContainer(Object value) {
        return value instanceof List || value instanceof Map || value instanceof PyObject;
    }

    private void visitContainer(Frame parent, Object container) throws CheckpointException {
        Object publicForm = publicForms.get(container);
        if (entered.contains(container)) {
            long[] stats = finished.get(container);
            if (stats == null) {
                throw new UnsupportedCheckpointException(file, null, PickleMachine.describe(container)
                        + " contains itself (a cycle through the pickle's memo) at '" + path(parent.segment())
                        + "'; content must be a tree or a DAG of containers");
            }
            // a container met again: as deep and as large here as where it was walked
            checkDepth(frames.size() - 1 + stats[0], parent.segment());
            count(parent, stats[1], stats[0]);
            parent.set(publicForm);
            return;
        }
        checkDepth(frames.size(), parent.segment());
        entered.add(container);
        Frame frame = switch (container) {
            case PyTuple tuple -> new TupleFrame(tuple);
            case List<?> list -> new ListFrame(list);
            case Map<?, ?> map -> new MapFrame(map);
            case PyObject object -> new ObjectFrame(object);
            default -> throw new IllegalStateException("not a container: " + container);
        };
        publicForm = frame.publicForm();
        if (publicForm != null) {
            publicForms.put(container, publicForm);
            parent.set(publicForm);
        }
        frame.container = container;
        String segment = parent.segment();
        frame.segmentPushed = segment != null;
        if (segment != null) {
            segments.add(segment);
            segmentChars += segment.length() + 1;
        }
        frames.add(frame);
    }

    private void exit() throws CheckpointException {
        Frame frame = frames.removeLast();
        if (frame.segmentPushed) {
            String segment = segments.removeLast();
            segmentChars -= segment.length() + 1;
        }
        if (frame.container != null) {
            long[] stats = {frame.childHeight + 1, frame.values + 1};
            finished.put(frame.container, stats);
            count(frames.getLast(), stats[1], stats[0]);
        }
        if (frame instanceof ObjectFrame objectFrame) {
            // made only now, when its arguments and state are in their public form
            PickledObject done = objectFrame.finish();
            publicForms.put(objectFrame.object, done);
            frames.getLast().set(done);
        }
    }

    private void checkDepth(long depth, String lastSegment) throws CheckpointException {
        if (depth > limits.maxDepth()) {
            throw new UnsupportedCheckpointException(file, null, "content nests deeper than "
                    + ReaderLimits.describe(limits.maxDepth(), "MAX_NESTING_DEPTH") + " levels at '"
                    + path(lastSegment) + "'");
        }
    }

    /** Adds a child of {@code values} values and {@code height} nested containers to {@code frame}. */
    private void count(Frame frame, long values, long height) throws CheckpointException {
        frame.values += values;
        frame.childHeight = Math.max(frame.childHeight, height);
        if (frame.values > limits.maxContentValues()) {
            throw new UnsupportedCheckpointException(file, null, "content holds more than "
                    + ReaderLimits.describe(limits.maxContentValues(), "MAX_CONTENT_VALUES")
                    + " values (a container shared through the memo counts at every place it appears)");
        }
    }

    /** The path to the current child, for messages: its first 200 characters. */
    private String path(String lastSegment) {
        StringBuilder sb = new StringBuilder();
        for (String segment : segments) {
            sb.append(segment).append('.');
            if (sb.length() > 200) {
                return sb.substring(0, 200) + "…";
            }
        }
        if (lastSegment != null) {
            sb.append(lastSegment);
        } else if (!sb.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        return sb.length() > 200 ? sb.substring(0, 200) + "…" : sb.toString();
    }

    private String uniqueName(String lastSegment) throws CheckpointException {
        long length = segmentChars + (lastSegment == null ? 0 : lastSegment.length() + 1) - 1;
        if (length > limits.maxNameChars()) {
            throw new UnsupportedCheckpointException(file, null, "a tensor at nesting depth " + (segments.size() + 1)
                    + " would get a name of " + length + " characters (limit "
                    + ReaderLimits.describe(limits.maxNameChars(), "MAX_NAME_CHARS") + ")");
        }
        StringBuilder sb = new StringBuilder((int) Math.max(length, 0));
        for (String segment : segments) {
            sb.append(segment).append('.');
        }
        if (lastSegment != null) {
            sb.append(lastSegment);
        } else if (!sb.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        String name = sb.toString();
        if (names.size() >= limits.maxTensors()) {
            throw new UnsupportedCheckpointException(file, null, "names more than "
                    + ReaderLimits.describe(limits.maxTensors(), "MAX_TENSORS") + " tensors");
        }
        if (!names.add(name)) {
            int suffix = nextSuffix.getOrDefault(name, 2);
            while (!names.add(name + "#" + suffix)) {
                suffix++;
            }
            nextSuffix.put(name, suffix + 1);
            name = name + "#" + suffix;
        }
        totalNameChars += name.length();
        if (totalNameChars > limits.maxTotalNameChars()) {
            throw new UnsupportedCheckpointException(file, null, "tensor names add up to more than "
                    + limits.maxTotalNameChars() + " characters");
        }
        return name;
    }

    /** A dict key as a name segment. Keys are scalars or flat tuples of scalars ({@link PickleMachine} checks). */
    static String keySegment(Object key) {
        if (key instanceof PyTuple || key instanceof PySet) {
            StringBuilder sb = new StringBuilder("(");
            for (Object item : (List<?>) key) {
                sb.append(sb.length() > 1 ? ", " : "").append(scalarSegment(item));
            }
            return sb.append(')').toString();
        }
        return scalarSegment(key);
    }

    private static String scalarSegment(Object key) {
        return switch (key) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case byte[] bytes -> new String(bytes, StandardCharsets.ISO_8859_1);
            case String s -> s;
            case Long l -> l.toString();
            case BigInteger b -> b.toString();
            default -> String.valueOf(key);
        };
    }

    // ---- frames: one per container being walked, each an iterator over its children

    private abstract static class Frame {
        boolean segmentPushed;
        /** The container walked (null for the root frame). */
        Object container;
        /** Values under this container so far, shared containers counted in full. */
        long values;
        /** The greatest height among the children so far. */
        long childHeight;

        /** Moves to the next child; false when there is none. */
        abstract boolean advance();

        /** The current child's name segment (null for the root). */
        abstract String segment();

        abstract Object value();

        /** Replaces the current child. */
        abstract void set(Object value);

        /** The container's public form, known as it is entered; null for one made when it is left. */
        abstract Object publicForm();
    }

    private static final class RootFrame extends Frame {
        Object result;
        private boolean done;

        RootFrame(Object root) {
            this.result = root;
        }

        @Override
        boolean advance() {
            boolean more = !done;
            done = true;
            return more;
        }

        @Override
        String segment() {
            return null;
        }

        @Override
        Object value() {
            return result;
        }

        @Override
        void set(Object value) {
            result = value;
        }

        @Override
        Object publicForm() {
            return null;
        }
    }

    private static final class ListFrame extends Frame {
        private final List<Object> list;
        private int index = -1;

        @SuppressWarnings("unchecked")
        ListFrame(List<?> list) {
            this.list = (List<Object>) list;
        }

        @Override
        boolean advance() {
            return ++index < list.size();
        }

        @Override
        String segment() {
            return Integer.toString(index);
        }

        @Override
        Object value() {
            return list.get(index);
        }

        @Override
        void set(Object value) {
            list.set(index, value);
        }

        @Override
        Object publicForm() {
            return Collections.unmodifiableList(list);
        }
    }

    private static final class TupleFrame extends Frame {
        private final PyTuple tuple;
        private int index = -1;

        TupleFrame(PyTuple tuple) {
            this.tuple = tuple;
        }

        @Override
        boolean advance() {
            return ++index < tuple.size();
        }

        @Override
        String segment() {
            return Integer.toString(index);
        }

        @Override
        Object value() {
            return tuple.get(index);
        }

        @Override
        void set(Object value) {
            tuple.replace(index, value);
        }

        @Override
        Object publicForm() {
            return Collections.unmodifiableList(tuple);
        }
    }

    private static final class MapFrame extends Frame {
        private final Map<?, ?> map;
        private final Iterator<? extends Map.Entry<?, ?>> entries;
        private Map.Entry<?, Object> current;

        MapFrame(Map<?, ?> map) {
            this.map = map;
            this.entries = map.entrySet().iterator();
        }

        @Override
        @SuppressWarnings("unchecked")
        boolean advance() {
            if (!entries.hasNext()) {
                return false;
            }
            current = (Map.Entry<?, Object>) entries.next();
            return true;
        }

        @Override
        String segment() {
            return keySegment(current.getKey());
        }

        @Override
        Object value() {
            return current.getValue();
        }

        @Override
        void set(Object value) {
            current.setValue(value);
        }

        @Override
        Object publicForm() {
            return Collections.unmodifiableMap(map);
        }
    }

    private static final class ObjectFrame extends Frame {
        final PyObject object;
        private Object args;
        private Object state;
        private int child = -1;

        ObjectFrame(PyObject object) {
            this.object = object;
            this.args = object.args();
            this.state = object.state();
        }

        @Override
        boolean advance() {
            child++;
            return child == 0 || (child == 1 && state != null);
        }

        @Override
        String segment() {
            return child == 0 ? "args" : "state";
        }

        @Override
        Object value() {
            return child == 0 ? args : state;
        }

        @Override
        void set(Object value) {
            if (child == 0) {
                args = value;
            } else {
                state = value;
            }
        }

        @Override
        Object publicForm() {
            return null;
        }

        @SuppressWarnings("unchecked")
        PickledObject finish() {
            return new PickledObject(object.module(), object.name(), (List<Object>) args, state);
        }
    }
}

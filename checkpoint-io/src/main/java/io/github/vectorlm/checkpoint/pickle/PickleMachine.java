package io.github.vectorlm.checkpoint.pickle;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsafeCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle virtual machine that builds data and runs nothing: Python's {@code pickle} opcodes of
 * protocols 0 to 5 over a stack, a mark stack and a memo, all bounded by {@link PickleLimits}.
 * Globals, calls and persistent ids go to a {@link PickleHandler}, which decides what they mean
 * (and refuses what it does not know).
 *
 * <p>The machine is a loop over opcodes with explicit stacks, never recursion, so nesting depth
 * costs heap, not Java stack. Every length read from the input is checked against the bytes that
 * remain before anything is allocated. Values are plain Java: {@code null} (None), {@code Boolean},
 * {@code Long} or {@code BigInteger} (int), {@code Double} (float), {@code String} (str),
 * {@code byte[]} (bytes, bytearray), {@code ArrayList} (list), {@link PyTuple}, {@link PySet}
 * (set, frozenset), {@code LinkedHashMap} (dict), and whatever the handler returns.
 *
 * <p>Problems are reported as {@link CorruptCheckpointException}, {@link UnsafeCheckpointException}
 * or {@link UnsupportedCheckpointException} naming the file, the pickle and the byte offset of the
 * opcode. Not thread-safe; one machine reads one pickle at a time.
 */
public final class PickleMachine {
    // Python 3.11 Lib/pickle.py opcode names; protocol 0/1 opcodes first.
    private static final int MARK = '(';
    private static final int STOP = '.';
    private static final int POP = '0';
    private static final int POP_MARK = '1';
    private static final int DUP = '2';
    private static final int FLOAT = 'F';
    private static final int INT = 'I';
    private static final int BININT = 'J';
    private static final int BININT1 = 'K';
    private static final int LONG = 'L';
    private static final int BININT2 = 'M';
    private static final int NONE = 'N';
    private static final int PERSID = 'P';
    private static final int BINPERSID = 'Q';
    private static final int REDUCE = 'R';
    private static final int STRING = 'S';
    private static final int BINSTRING = 'T';
    private static final int SHORT_BINSTRING = 'U';
    private static final int UNICODE = 'V';
    private static final int BINUNICODE = 'X';
    private static final int APPEND = 'a';
    private static final int BUILD = 'b';
    private static final int GLOBAL = 'c';
    private static final int DICT = 'd';
    private static final int EMPTY_DICT = '}';
    private static final int APPENDS = 'e';
    private static final int GET = 'g';
    private static final int BINGET = 'h';
    private static final int INST = 'i';
    private static final int LONG_BINGET = 'j';
    private static final int LIST = 'l';
    private static final int EMPTY_LIST = ']';
    private static final int OBJ = 'o';
    private static final int PUT = 'p';
    private static final int BINPUT = 'q';
    private static final int LONG_BINPUT = 'r';
    private static final int SETITEM = 's';
    private static final int TUPLE = 't';
    private static final int EMPTY_TUPLE = ')';
    private static final int SETITEMS = 'u';
    private static final int BINFLOAT = 'G';
    // protocol 2
    private static final int PROTO = 0x80;
    private static final int NEWOBJ = 0x81;
    private static final int EXT1 = 0x82;
    private static final int EXT2 = 0x83;
    private static final int EXT4 = 0x84;
    private static final int TUPLE1 = 0x85;
    private static final int TUPLE2 = 0x86;
    private static final int TUPLE3 = 0x87;
    private static final int NEWTRUE = 0x88;
    private static final int NEWFALSE = 0x89;
    private static final int LONG1 = 0x8a;
    private static final int LONG4 = 0x8b;
    // protocol 3
    private static final int BINBYTES = 'B';
    private static final int SHORT_BINBYTES = 'C';
    // protocol 4
    private static final int SHORT_BINUNICODE = 0x8c;
    private static final int BINUNICODE8 = 0x8d;
    private static final int BINBYTES8 = 0x8e;
    private static final int EMPTY_SET = 0x8f;
    private static final int ADDITEMS = 0x90;
    private static final int FROZENSET = 0x91;
    private static final int NEWOBJ_EX = 0x92;
    private static final int STACK_GLOBAL = 0x93;
    private static final int MEMOIZE = 0x94;
    private static final int FRAME = 0x95;
    // protocol 5
    private static final int BYTEARRAY8 = 0x96;
    private static final int NEXT_BUFFER = 0x97;
    private static final int READONLY_BUFFER = 0x98;

    private static final int HIGHEST_PROTOCOL = 5;

    private final Path file;
    private final String source;
    private final PickleInput in;
    private final PickleHandler handler;
    private final PickleLimits limits;

    private Object[] stack = new Object[64];
    private int sp;
    private int[] marks = new int[16];
    private int mp;
    private final Map<Long, Object> memo = new HashMap<>();
    private long work;

    /**
     * @param file the file being read, for messages
     * @param source which pickle of the file this is, for messages (e.g. {@code archive/data.pkl})
     * @param input the bytes; pickles are read from {@link #load(long)}'s offset up to their STOP
     * @param handler gives globals, calls and persistent ids their meaning
     * @param limits bounds on the stack and the memo
     */
    public PickleMachine(Path file, String source, MemorySegment input, PickleHandler handler, PickleLimits limits) {
        this.file = file;
        this.source = source;
        this.in = new PickleInput(input);
        this.handler = handler;
        this.limits = limits;
    }

    /** Where the last {@link #load} stopped: the offset just after its STOP opcode. */
    public long position() {
        return in.position();
    }

    /**
     * Runs the pickle that starts {@code start} bytes into the input, with a fresh stack and memo,
     * and returns its value.
     *
     * @throws CheckpointException if the pickle is corrupt, asks for a refused global or uses
     *     something not implemented; the message names the file, the pickle and the byte offset
     */
    public Object load(long start) throws CheckpointException {
        in.seek(start);
        sp = 0;
        mp = 0;
        Arrays.fill(stack, null);
        memo.clear();
        work = 0;
        long opcodeAt = start;
        try {
            while (true) {
                opcodeAt = in.position();
                int opcode = in.readU8();
                if (opcode == STOP) {
                    return pop();
                }
                step(opcode);
            }
        } catch (PickleException e) {
            throw failure(e, opcodeAt);
        }
    }

    private CheckpointException failure(PickleException e, long at) {
        String problem = "pickle '" + source + "' at byte " + at + ": " + e.getMessage();
        return switch (e.kind()) {
            case CORRUPT -> new CorruptCheckpointException(file, null, problem, e);
            case UNSAFE -> new UnsafeCheckpointException(file, null, problem, e);
            case UNSUPPORTED -> new UnsupportedCheckpointException(file, null, problem, e);
        };
    }

    private void step(int opcode) throws PickleException {
        switch (opcode) {
            case MARK -> pushMark();
            case POP -> {
                if (sp > frameBase()) {
                    stack[--sp] = null;
                } else {
                    popMark(); // Python: POP on an empty frame drops the mark
                }
            }
            case POP_MARK -> popMark();
            case DUP -> push(peek());
            case FLOAT -> push(PickleText.parseFloat(PickleText.ascii(in.readLine())));
            case INT -> {
                String text = PickleText.ascii(in.readLine());
                // protocol 0 spells True and False as INT 01 and 00
                push(text.equals("01") ? Boolean.TRUE : text.equals("00") ? Boolean.FALSE : PickleText.parseInt(text));
            }
            case BININT -> push((long) in.readI32());
            case BININT1 -> push((long) in.readU8());
            case BININT2 -> push((long) in.readU16());
            case LONG -> {
                String text = PickleText.ascii(in.readLine());
                push(PickleText.parseInt(text.endsWith("L") ? text.substring(0, text.length() - 1) : text));
            }
            case NONE -> push(null);
            case PERSID -> push(handler.persistentLoad(PickleText.ascii(in.readLine())));
            case BINPERSID -> push(handler.persistentLoad(pop()));
            case REDUCE -> {
                PyTuple args = chargeArguments(tuple(pop(), "REDUCE arguments"));
                Object callable = pop();
                push(handler.reduce(callable, args));
            }
            case STRING -> push(PickleText.utf8(PickleText.unescapeQuoted(in.readLine())));
            case BINSTRING -> push(PickleText.utf8(in.readBytes(in.readSignedLength32())));
            case SHORT_BINSTRING -> push(PickleText.utf8(in.readBytes(in.readU8())));
            case UNICODE -> push(PickleText.rawUnicodeEscape(in.readLine()));
            case BINUNICODE -> push(PickleText.utf8(in.readBytes(in.readU32())));
            case SHORT_BINUNICODE -> push(PickleText.utf8(in.readBytes(in.readU8())));
            case BINUNICODE8 -> push(PickleText.utf8(in.readBytes(in.readLength64())));
            case BINBYTES -> push(in.readBytes(in.readU32()));
            case SHORT_BINBYTES -> push(in.readBytes(in.readU8()));
            case BINBYTES8, BYTEARRAY8 -> push(in.readBytes(in.readLength64()));
            case APPEND -> {
                Object value = pop();
                list(peek(), "APPEND").add(value);
            }
            case APPENDS -> {
                Object[] items = popMark();
                charge(items.length);
                list(peek(), "APPENDS").addAll(Arrays.asList(items));
            }
            case BUILD -> {
                Object state = pop();
                Object target = pop();
                charge(sizeOf(state));
                push(handler.build(target, state));
            }
            case GLOBAL -> {
                String module = PickleText.utf8(in.readLine());
                String name = PickleText.utf8(in.readLine());
                push(handler.global(module, name));
            }
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw PickleException.corrupt("STACK_GLOBAL needs two str, got " + describe(module)
                            + " and " + describe(name));
                }
                push(handler.global(m, n));
            }
            case DICT -> {
                Object[] items = popMark();
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, items, "DICT");
                push(dict);
            }
            case EMPTY_DICT -> push(new LinkedHashMap<>());
            case SETITEM -> {
                Object value = pop();
                Object key = pop();
                charge(keyWeight(key));
                dict(peek(), "SETITEM").put(checkKey(key), value);
            }
            case SETITEMS -> {
                Object[] items = popMark();
                putPairs(dict(peek(), "SETITEMS"), items, "SETITEMS");
            }
            case GET -> push(memoGet(PickleText.parseIndex(PickleText.ascii(in.readLine()))));
            case BINGET -> push(memoGet(in.readU8()));
            case LONG_BINGET -> push(memoGet(in.readU32()));
            case PUT -> memoPut(PickleText.parseIndex(PickleText.ascii(in.readLine())));
            case BINPUT -> memoPut(in.readU8());
            case LONG_BINPUT -> memoPut(in.readU32());
            case MEMOIZE -> memoPut(memo.size());
            case INST -> {
                String module = PickleText.utf8(in.readLine());
                String name = PickleText.utf8(in.readLine());
                Object cls = handler.global(module, name);
                push(handler.reduce(cls, chargeArguments(new PyTuple(popMark()))));
            }
            case OBJ -> {
                Object[] items = popMark();
                if (items.length == 0) {
                    throw PickleException.corrupt("OBJ without a class");
                }
                push(handler.reduce(items[0], chargeArguments(new PyTuple(Arrays.copyOfRange(items, 1, items.length)))));
            }
            case LIST -> push(new ArrayList<>(Arrays.asList(popMark())));
            case EMPTY_LIST -> push(new ArrayList<>());
            case TUPLE -> push(new PyTuple(popMark()));
            case EMPTY_TUPLE -> push(new PyTuple());
            case TUPLE1 -> push(new PyTuple(pop()));
            case TUPLE2 -> {
                Object b = pop();
                Object a = pop();
                push(new PyTuple(a, b));
            }
            case TUPLE3 -> {
                Object c = pop();
                Object b = pop();
                Object a = pop();
                push(new PyTuple(a, b, c));
            }
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case LONG1 -> push(PickleText.fromTwosComplement(in.readBytes(in.readU8())));
            case LONG4 -> push(PickleText.fromTwosComplement(in.readBytes(in.readSignedLength32())));
            case BINFLOAT -> push(in.readF64BigEndian());
            case EMPTY_SET -> push(new PySet());
            case ADDITEMS -> {
                Object[] items = popMark();
                charge(items.length);
                if (!(peek() instanceof PySet set)) {
                    throw PickleException.corrupt("ADDITEMS on " + describe(peek()) + ", not a set");
                }
                set.addAll(Arrays.asList(items));
            }
            case FROZENSET -> {
                PySet set = new PySet();
                Object[] items = popMark();
                charge(items.length);
                set.addAll(Arrays.asList(items));
                push(set);
            }
            case NEWOBJ -> {
                PyTuple args = chargeArguments(tuple(pop(), "NEWOBJ arguments"));
                Object cls = pop();
                push(handler.newObject(cls, args, Map.of()));
            }
            case NEWOBJ_EX -> {
                Map<Object, Object> kwargs = dict(pop(), "NEWOBJ_EX keyword arguments");
                charge(kwargs.size());
                PyTuple args = chargeArguments(tuple(pop(), "NEWOBJ_EX arguments"));
                Object cls = pop();
                push(handler.newObject(cls, args, kwargs));
            }
            case PROTO -> {
                int protocol = in.readU8();
                if (protocol > HIGHEST_PROTOCOL) {
                    throw PickleException.unsupported("pickle protocol " + protocol + " (this reader knows 0 to "
                            + HIGHEST_PROTOCOL + ")");
                }
            }
            case FRAME -> {
                long frameLength = in.readLength64(); // framing only groups opcodes; checked, then ignored
                if (frameLength > in.remaining()) {
                    throw PickleException.corrupt("FRAME of " + frameLength + " bytes but only " + in.remaining()
                            + " remain");
                }
            }
            case EXT1, EXT2, EXT4 -> throw PickleException.unsupported(
                    "copyreg extension codes (EXT1/EXT2/EXT4) name globals by number; refused");
            case NEXT_BUFFER -> throw PickleException.unsupported(
                    "out-of-band buffers (NEXT_BUFFER) are not supplied by a checkpoint file");
            case READONLY_BUFFER -> peek(); // marks a buffer read-only: nothing to do for data
            default -> throw PickleException.corrupt(String.format("unknown opcode 0x%02x", opcode));
        }
    }

    // ---- stack, marks, memo

    private int frameBase() {
        return mp == 0 ? 0 : marks[mp - 1];
    }

    private void push(Object value) throws PickleException {
        if (sp == stack.length) {
            if (sp >= limits.maxStack()) {
                throw PickleException.unsupported("stack deeper than " + limits.maxStack() + " objects");
            }
            stack = Arrays.copyOf(stack, (int) Math.min((long) sp * 2, limits.maxStack()));
        }
        stack[sp++] = value;
    }

    private Object pop() throws PickleException {
        if (sp <= frameBase()) {
            throw PickleException.corrupt("stack underflow");
        }
        Object value = stack[--sp];
        stack[sp] = null;
        return value;
    }

    private Object peek() throws PickleException {
        if (sp <= frameBase()) {
            throw PickleException.corrupt("stack underflow");
        }
        return stack[sp - 1];
    }

    private void pushMark() throws PickleException {
        if (mp == marks.length) {
            if (mp >= limits.maxStack()) {
                throw PickleException.unsupported("more than " + limits.maxStack() + " open MARKs");
            }
            marks = Arrays.copyOf(marks, (int) Math.min((long) mp * 2, limits.maxStack()));
        }
        marks[mp++] = sp;
    }

    /** Pops everything above the last MARK, and the mark. */
    private Object[] popMark() throws PickleException {
        if (mp == 0) {
            throw PickleException.corrupt("no MARK to pop to");
        }
        int base = marks[--mp];
        Object[] items = Arrays.copyOfRange(stack, base, sp);
        Arrays.fill(stack, base, sp, null);
        sp = base;
        return items;
    }

    private void memoPut(long index) throws PickleException {
        Object value = peek();
        if (index < 0) {
            throw PickleException.corrupt("negative memo index " + index);
        }
        if (!memo.containsKey(index) && memo.size() >= limits.maxMemo()) {
            throw PickleException.unsupported("memo larger than " + limits.maxMemo() + " entries");
        }
        memo.put(index, value);
    }

    private Object memoGet(long index) throws PickleException {
        if (!memo.containsKey(index)) {
            throw PickleException.corrupt("memo entry " + index + " read before it was written");
        }
        return memo.get(index);
    }

    // ---- containers

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object target, String opcode) throws PickleException {
        if (target instanceof ArrayList<?> list && !(target instanceof PySet)) {
            return (List<Object>) list;
        }
        throw PickleException.corrupt(opcode + " on " + describe(target) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object target, String what) throws PickleException {
        if (target instanceof LinkedHashMap<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw PickleException.corrupt(what + " on " + describe(target) + ", not a dict");
    }

    private static PyTuple tuple(Object value, String what) throws PickleException {
        if (value instanceof PyTuple t) {
            return t;
        }
        throw PickleException.corrupt(what + " must be a tuple, got " + describe(value));
    }

    private void putPairs(Map<Object, Object> dict, Object[] items, String opcode) throws PickleException {
        if (items.length % 2 != 0) {
            throw PickleException.corrupt(opcode + " with an odd number of items (" + items.length + ")");
        }
        for (int i = 0; i < items.length; i += 2) {
            charge(keyWeight(items[i]));
            dict.put(checkKey(items[i]), items[i + 1]);
        }
    }

    // ---- work: what a few bytes of opcodes can make the machine do many times over

    /**
     * Counts work that is not one step per opcode: copying a container's items, hashing a key's
     * elements, a call walking the containers it is given. A shared (memoized) list of a million
     * items passed to a million calls would otherwise take 10<sup>12</sup> steps.
     */
    private void charge(long units) throws PickleException {
        work += units;
        if (work > limits.maxWork()) {
            throw PickleException.unsupported("the pickle asks for more than " + limits.maxWork() + " units of work"
                    + " (items copied, key elements hashed, container items passed to calls): a shared container"
                    + " is used over and over");
        }
    }

    /** Charges the top-level size of every container argument: the handler may copy them. */
    private PyTuple chargeArguments(PyTuple args) throws PickleException {
        long units = args.size();
        for (Object arg : args) {
            units += sizeOf(arg);
        }
        charge(units);
        return args;
    }

    private static long sizeOf(Object value) {
        return switch (value) {
            case List<?> list -> list.size();
            case Map<?, ?> map -> map.size();
            case null, default -> 1;
        };
    }

    /** What hashing a key costs: its elements, and their length for strings, bytes and big ints. */
    private static long keyWeight(Object key) {
        if (key instanceof PyTuple || key instanceof PySet) {
            long weight = 1;
            for (Object item : (List<?>) key) {
                weight += scalarWeight(item);
            }
            return weight;
        }
        return scalarWeight(key);
    }

    private static long scalarWeight(Object value) {
        return switch (value) {
            case String s -> 1 + s.length() / 64;
            case byte[] b -> 1 + b.length / 64;
            case BigInteger b -> 1 + b.bitLength() / 512;
            case null, default -> 1;
        };
    }

    /**
     * Checks a dict key. Keys are hashed by Java, so they must hash by value and shallowly:
     * scalars, and tuples or frozensets of scalars; deeper keys could make hashing recurse
     * without bound.
     *
     * @return the key
     * @throws PickleException (unsupported) for any other key
     */
    public static Object checkKey(Object key) throws PickleException {
        if (isScalar(key)) {
            return key;
        }
        if (key instanceof PyTuple || key instanceof PySet) {
            for (Object item : (List<?>) key) {
                if (!isScalar(item)) {
                    throw PickleException.unsupported("a dict key that is " + describe(key) + " holding " + describe(item)
                            + " (keys may be str, int, float, bool, None, bytes, or tuples of those)");
                }
            }
            return key;
        }
        throw PickleException.unsupported("a dict key that is " + describe(key)
                + " (keys may be str, int, float, bool, None, bytes, or tuples of those)");
    }

    private static boolean isScalar(Object value) {
        return value == null || value instanceof String || value instanceof Long || value instanceof BigInteger
                || value instanceof Double || value instanceof Boolean || value instanceof byte[];
    }

    /** A short Python-flavoured description of a value, with its article, for messages: "an int", "a tuple". */
    public static String describe(Object value) {
        if (value == null) {
            return "None";
        } else if (value instanceof String) {
            return "a str";
        } else if (value instanceof Long || value instanceof BigInteger) {
            return "an int";
        } else if (value instanceof Double) {
            return "a float";
        } else if (value instanceof Boolean) {
            return "a bool";
        } else if (value instanceof byte[]) {
            return "a bytes object";
        } else if (value instanceof PyTuple) {
            return "a tuple";
        } else if (value instanceof PySet) {
            return "a set";
        } else if (value instanceof List) {
            return "a list";
        } else if (value instanceof Map) {
            return "a dict";
        } else if (value instanceof PyObject o) {
            return "a " + o.module() + "." + o.name() + " object";
        }
        String text = value.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}

package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.checkpoint.pickle.ContentWalker;
import io.github.vectorlm.checkpoint.pickle.PickleLimits;
import io.github.vectorlm.checkpoint.pickle.PickleMachine;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A property over random plain data (None, bools, ints of every width, floats, str, lists, tuples,
 * dicts, nested up to 6 deep), each case from a printed seed: spelled in pickle opcodes in one of
 * several equivalent ways (EMPTY_LIST + APPENDS or MARK + LIST, BININT1/2/4 or LONG1, SETITEM or
 * SETITEMS, with memo PUTs), the machine and the content walker give back exactly the data.
 */
class PicklePropertiesTest {
    private static final int CASES = 500;

    private static Object value(Random r, int depth) {
        int kind = depth >= 6 ? r.nextInt(5) : r.nextInt(8);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> switch (r.nextInt(4)) {
                case 0 -> (long) r.nextInt(256);
                case 1 -> (long) r.nextInt(65536);
                case 2 -> (long) r.nextInt();
                default -> r.nextLong();
            };
            case 3 -> r.nextDouble() * Math.pow(10, r.nextInt(20) - 10);
            case 4 -> RandomText.text(r, 0, 10);
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    list.add(value(r, depth + 1));
                }
                yield list;
            }
            case 6 -> {
                List<Object> tuple = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    tuple.add(value(r, depth + 1));
                }
                yield new Tuple(tuple);
            }
            default -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    dict.put(r.nextBoolean() ? RandomText.text(r, 0, 8) : (Object) (long) r.nextInt(100),
                            value(r, depth + 1));
                }
                yield dict;
            }
        };
    }

    /** A tuple while generating: a list to compare with, spelled with the tuple opcodes. */
    record Tuple(List<Object> items) {
    }

    private static void write(PickleBytes p, Object v, Random r, int[] memo) {
        switch (v) {
            case null -> p.op('N');
            case Boolean b -> p.op(b ? 0x88 : 0x89);
            case Long l when l >= 0 && l < 256 && r.nextBoolean() -> p.op('K').raw((int) (long) l);
            case Long l when l >= 0 && l < 65536 && r.nextBoolean() -> p.op('M').raw((int) (l & 0xff), (int) (l >> 8));
            case Long l when l == (int) (long) l && r.nextBoolean() -> p.op('J').le32((int) (long) l);
            case Long l -> p.integer(l);
            case Double d -> p.op('G').raw(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(d).array());
            case String s -> p.str(s);
            case Tuple t -> {
                if (t.items().size() <= 3 && r.nextBoolean()) {
                    t.items().forEach(x -> write(p, x, r, memo));
                    p.op(new int[] {')', 0x85, 0x86, 0x87}[t.items().size()]);
                } else {
                    p.mark();
                    t.items().forEach(x -> write(p, x, r, memo));
                    p.op('t');
                }
            }
            case List<?> list -> {
                if (r.nextBoolean()) {
                    p.op(']');
                    memoize(p, r, memo);
                    if (!list.isEmpty()) {
                        p.mark();
                        list.forEach(x -> write(p, x, r, memo));
                        p.op('e');
                    }
                } else {
                    p.mark();
                    list.forEach(x -> write(p, x, r, memo));
                    p.op('l');
                }
            }
            case Map<?, ?> map -> {
                p.op('}');
                memoize(p, r, memo);
                boolean batched = r.nextBoolean();
                if (batched && !map.isEmpty()) {
                    p.mark();
                }
                map.forEach((k, x) -> {
                    write(p, k, r, memo);
                    write(p, x, r, memo);
                    if (!batched) {
                        p.op('s');
                    }
                });
                if (batched && !map.isEmpty()) {
                    p.op('u');
                }
            }
            default -> throw new IllegalArgumentException(String.valueOf(v));
        }
    }

    private static void memoize(PickleBytes p, Random r, int[] memo) {
        if (r.nextBoolean()) {
            p.op('r').le32(memo[0]++); // LONG_BINPUT: the value stays on the stack
        }
    }

    /** The value as the content walker gives it: tuples are lists. */
    private static Object expected(Object v) {
        return switch (v) {
            case Tuple t -> t.items().stream().map(PicklePropertiesTest::expected).toList();
            case List<?> list -> list.stream().map(PicklePropertiesTest::expected).toList();
            case Map<?, ?> map -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                map.forEach((k, x) -> m.put(k, expected(x)));
                yield m;
            }
            case null, default -> v;
        };
    }

    @Test
    void anySpellingOfPlainDataReadsBackAsTheData() throws Exception {
        long seed = new Random().nextLong();
        System.out.println("PicklePropertiesTest seed " + seed);
        Random r = new Random(seed);
        for (int c = 0; c < CASES; c++) {
            Object data = value(r, 0);
            PickleBytes p = PickleBytes.proto(2 + r.nextInt(4));
            write(p, data, r, new int[1]);
            byte[] pickle = p.stop().bytes();
            TorchUnpickler handler = new TorchUnpickler(new TorchGlobals(Set.of()), new StorageTable());
            Object raw = new PickleMachine(Path.of("p.pkl"), "p", MemorySegment.ofArray(pickle), handler,
                    PickleLimits.defaults()).load(0);
            Object read = new ContentWalker(Path.of("p.pkl"), PickleLimits.defaults(), (leaf, names) -> leaf).walk(raw);
            assertThat(read).as("seed %d case %d", seed, c).isEqualTo(expected(data));
        }
    }
}

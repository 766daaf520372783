package io.github.vectorlm.checkpoint.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsafeCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.checkpoint.pickle.ContentWalker;
import io.github.vectorlm.checkpoint.pickle.PickleLimits;
import io.github.vectorlm.checkpoint.pickle.PickleMachine;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pickle VM on its own: python's pickle of one object in every protocol (0 to 5) against the
 * object itself (expected.json), then opcodes python writes rarely or never, spelled by hand, with
 * the values Python's own unpickler gives for them.
 */
class PickleMachineTest {
    private static final Path NO_FILE = Path.of("test.pkl");

    @ParameterizedTest
    @ValueSource(strings = {"plain_p0.pkl", "plain_p1.pkl", "plain_p2.pkl", "plain_p3.pkl", "plain_p4.pkl",
        "plain_p5.pkl", "bytearray_p5.pkl"})
    void everyProtocolGivesWhatPythonPickled(String name) throws Exception {
        byte[] bytes = Files.readAllBytes(TorchFixtures.file("pickles/" + name));
        Object content = publicContent(load(bytes));
        assertThat(TorchFixtures.fromContent(content))
                .isEqualTo(TorchFixtures.fromJson(TorchFixtures.expectation("pickles/" + name).get("content")));
    }

    @Test
    void memoSharingSurvives() throws Exception {
        byte[] bytes = Files.readAllBytes(TorchFixtures.file("pickles/plain_p0.pkl"));
        Map<?, ?> content = (Map<?, ?>) publicContent(load(bytes));
        assertThat(content.get("shared_1")).isSameAs(content.get("shared_2"));
    }

    @Test
    void protocolZeroTextOpcodes() throws Exception {
        // INT 01/00 are True/False; LONG with its L; FLOAT inf; STRING escapes; UNICODE escapes
        String text = "(lp0\nI01\naI00\naI-7\naL123456789012345678901234567890L\naFinf\naF-1.5e-3\n"
                + "aS'a\\\\b\\'c\\n\\x41\\101'\naVcaf\\u00e9 \\U0001f600\na.";
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) load(text.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(list).containsExactly(true, false, -7L, new BigInteger("123456789012345678901234567890"),
                Double.POSITIVE_INFINITY, -1.5e-3, "a\\b'c\nAA", "café \uD83D\uDE00");
    }

    @Test
    void longOpcodesAreTwosComplement() throws Exception {
        assertThat(load(PickleBytes.proto(2).op(0x8a).raw(2).raw(0xff, 0x7f).stop().bytes())).isEqualTo(32767L);
        assertThat(load(PickleBytes.proto(2).op(0x8a).raw(1).raw(0x80).stop().bytes())).isEqualTo(-128L);
        assertThat(load(PickleBytes.proto(2).op(0x8a).raw(0).stop().bytes())).isEqualTo(0L);
        assertThat(load(PickleBytes.proto(2).op(0x8b).le32(9).raw(0, 0, 0, 0, 0, 0, 0, 0x80, 0).stop().bytes()))
                .isEqualTo(BigInteger.ONE.shiftLeft(63));
    }

    @Test
    void popMarkDupAndPopFollowPython() throws Exception {
        // [1, 1] after: MARK 9 POP_MARK, 1 DUP, MARK POP (drops the empty mark) -> LIST of the rest
        byte[] bytes = PickleBytes.proto(2).op('(').op('K').raw(9).op('1').op('(').op('K').raw(1).op('2')
                .op('(').op('0').op('l').stop().bytes();
        assertThat(load(bytes)).isEqualTo(List.of(1L, 1L));
    }

    @Test
    void frameAndMemoizeOfProtocol4() throws Exception {
        byte[] bytes = PickleBytes.proto(4).op(0x95).raw(8, 0, 0, 0, 0, 0, 0, 0)
                .op(0x8c).raw(1).raw('a').op(0x94).op('h').raw(0).op(0x86).stop().bytes();
        assertThat(load(bytes)).isEqualTo(List.of("a", "a"));
    }

    @Test
    void deepKeysAreRefusedBecauseJavaWouldHashThemRecursively() {
        // {((1,),): None}
        byte[] bytes = PickleBytes.proto(2).op('}').op('K').raw(1).op(0x85).op(0x85).op('N').op('s').stop().bytes();
        assertThatThrownBy(() -> load(bytes)).isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("a dict key that is a tuple holding a tuple");
    }

    @Test
    void flatTupleKeysAreFine() throws Exception {
        byte[] bytes = PickleBytes.proto(2).op('}').op('K').raw(1).str("a").op(0x86).op('N').op('s').stop().bytes();
        Map<?, ?> map = (Map<?, ?>) load(bytes);
        assertThat(map.containsKey(List.of(1L, "a"))).isTrue();
    }

    @Test
    void malformedInputsAreCorruptWithTheOffset() {
        assertCorrupt(PickleBytes.proto(2).op('a').stop().bytes(), "at byte 2: stack underflow");
        assertCorrupt(PickleBytes.proto(2).op('e').stop().bytes(), "no MARK to pop to");
        assertCorrupt(PickleBytes.proto(2).op('h').raw(5).stop().bytes(), "memo entry 5 read before it was written");
        assertCorrupt(PickleBytes.proto(2).op('K').raw(1).op('K').raw(2).op('a').stop().bytes(),
                "APPEND on an int, not a list");
        assertCorrupt(PickleBytes.proto(2).op(')').op('K').raw(1).op('K').raw(2).op('s').stop().bytes(),
                "SETITEM on a tuple, not a dict");
        assertCorrupt(PickleBytes.proto(2).op('X').le32(10).raw('a').stop().bytes(), "runs past the end");
        assertCorrupt(PickleBytes.proto(2).op(0x8d).raw(0, 0, 0, 0, 0, 0, 0, 0x40).stop().bytes(), "runs past the end");
        assertCorrupt(PickleBytes.proto(2).op(0x8b).le32(-1).stop().bytes(), "negative length -1");
        assertCorrupt(PickleBytes.proto(4).op(0x95).raw(0, 0, 0, 0, 0, 0, 0, 1).stop().bytes(), "FRAME of");
        assertCorrupt("Fnot-a-float\n.".getBytes(StandardCharsets.US_ASCII), "bad float 'not-a-float'");
        assertCorrupt("S'unterminated\n.".getBytes(StandardCharsets.US_ASCII), "must be quoted");
        assertCorrupt("I12".getBytes(StandardCharsets.US_ASCII), "no terminating newline");
        assertCorrupt(new byte[] {(byte) 0x80, 2}, "ends without STOP");
    }

    @Test
    void refusedAndUnsupportedOpcodes() {
        assertThatThrownBy(() -> load(PickleBytes.proto(6).stop().bytes()))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("pickle protocol 6");
        assertThatThrownBy(() -> load(PickleBytes.proto(2).op(0x82).raw(1).stop().bytes()))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("extension codes");
        assertThatThrownBy(() -> load(PickleBytes.proto(5).op(0x97).stop().bytes()))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("out-of-band");
        // INST names a global too: checked against the allow-list like GLOBAL
        assertThatThrownBy(() -> load("(S'ls'\nios\nsystem\n.".getBytes(StandardCharsets.US_ASCII)))
                .isExactlyInstanceOf(UnsafeCheckpointException.class).hasMessageContaining("global os.system");
        // a hostile decimal string as long as Python itself refuses
        assertThatThrownBy(() -> load(("I" + "9".repeat(5000) + "\n.").getBytes(StandardCharsets.US_ASCII)))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("5000 digits");
    }

    @Test
    void stackAndMemoAreBounded() {
        PickleLimits small = new PickleLimits(100, 10, 1000, 10_000, 50, 1000, 10, 1_000_000);
        PickleBytes deep = PickleBytes.proto(2);
        for (int i = 0; i < 101; i++) {
            deep.op(']');
        }
        assertThatThrownBy(() -> load(deep.stop().bytes(), small))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("stack deeper than 100");
        PickleBytes marks = PickleBytes.proto(2);
        for (int i = 0; i < 101; i++) {
            marks.op('(');
        }
        assertThatThrownBy(() -> load(marks.stop().bytes(), small))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("open MARKs");
        PickleBytes memo = PickleBytes.proto(2).op('N');
        for (int i = 0; i < 11; i++) {
            memo.op('q').raw(i);
        }
        assertThatThrownBy(() -> load(memo.stop().bytes(), small))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class).hasMessageContaining("memo larger than 10");
    }

    private static void assertCorrupt(byte[] pickle, String message) {
        assertThatThrownBy(() -> load(pickle)).as(message)
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageStartingWith("test.pkl: pickle 'test' at byte ")
                .hasMessageContaining(message);
    }

    private static Object load(byte[] pickle) throws CheckpointException {
        return load(pickle, PickleLimits.defaults());
    }

    private static Object load(byte[] pickle, PickleLimits limits) throws CheckpointException {
        TorchUnpickler handler = new TorchUnpickler(new TorchGlobals(Set.of()), new StorageTable());
        return new PickleMachine(NO_FILE, "test", MemorySegment.ofArray(pickle), handler, limits).load(0);
    }

    private static Object publicContent(Object raw) throws CheckpointException {
        return new ContentWalker(NO_FILE, PickleLimits.defaults(), (leaf, names) -> leaf).walk(raw);
    }
}

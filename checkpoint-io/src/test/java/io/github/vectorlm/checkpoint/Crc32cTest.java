package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CRC-32C and LevelDB's mask against published check values. */
class Crc32cTest {
    @Test
    void checkValues() {
        // the CRC-32C check value (RFC 3720 / the CRC catalogue): crc32c("123456789")
        assertThat(crc("123456789")).isEqualTo(0xe3069283);
        // RFC 3720 B.4: 32 bytes of zeros, and of 0xff
        assertThat(Crc32c.of(MemorySegment.ofArray(new byte[32]), 0, 32)).isEqualTo(0x8a9136aa);
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertThat(Crc32c.of(MemorySegment.ofArray(ones), 0, 32)).isEqualTo(0x62a8ab43);
        // an offset slice
        byte[] padded = "xx123456789yy".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc32c.of(MemorySegment.ofArray(padded), 2, 9)).isEqualTo(0xe3069283);
    }

    @Test
    void maskRotatesAndAddsLevelDbsConstant() {
        // leveldb/util/crc32c.h: Mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8
        assertThat(Crc32c.mask(0)).isEqualTo(0xa282ead8);
        assertThat(Crc32c.mask(0x00008000)).isEqualTo(1 + 0xa282ead8);
        for (int crc : new int[] {0, 1, -1, 0xe3069283, 0x12345678}) {
            assertThat(Crc32c.unmask(Crc32c.mask(crc))).isEqualTo(crc);
            assertThat(Crc32c.mask(crc)).isNotEqualTo(crc);
        }
    }

    private static int crc(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Crc32c.of(MemorySegment.ofArray(b), 0, b.length);
    }
}

package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Plain-line progress (stderr not a terminal), driven by a fake clock. */
class ProgressDisplayTest {
    private long now;

    private ProgressDisplay display(StringWriter sink) {
        return new ProgressDisplay(new PrintWriter(sink, true), false, () -> now);
    }

    @Test
    void quickTasksPrintNothing() {
        StringWriter sink = new StringWriter();
        try (ProgressDisplay d = display(sink)) {
            d.progress("mapping weights", 0, 1);
            now += 300_000_000L;
            d.progress("mapping weights", 1, 1);
        }
        assertThat(sink.toString()).isEmpty();
    }

    @Test
    void longTasksPrintALineEveryFewSecondsAndWhenDone() {
        StringWriter sink = new StringWriter();
        try (ProgressDisplay d = display(sink)) {
            d.progress("merging layers", 0, 48);
            for (int layer = 1; layer <= 48; layer++) {
                now += 250_000_000L; // 12 s in all
                d.progress("merging layers", layer, 48);
            }
        }
        String[] lines = sink.toString().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("merging layers: 20 of 48");
        assertThat(lines[1]).isEqualTo("merging layers: 40 of 48");
        assertThat(lines[2]).isEqualTo("merging layers: done, 48 of 48 in 12.0 s");
    }

    @Test
    void bytesAreShownInMiB() {
        StringWriter sink = new StringWriter();
        try (ProgressDisplay d = display(sink)) {
            d.bytes("model.ckpt.data", 0, 500L << 20);
            now += 6_000_000_000L;
            d.bytes("model.ckpt.data", 125L << 20, 500L << 20);
        }
        assertThat(sink.toString()).isEqualTo("model.ckpt.data: 125.0 of 500.0 MiB (25%)\n");
    }
}

package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.checkpoint.ReaderLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * inspect and convert on checkpoints a stranger could hand over: nested too deep (which once
 * ended in a StackOverflowError's stack trace), holding no tensors (which once wrote an empty
 * .safetensors), deep but within the limit, wide and deep at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileCheckpointTest {
    @TempDir
    Path dir;

    /** A torch zip whose data.pkl is {@code pickle} (no storages). */
    private Path torchZip(String name, byte[] pickle) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            stored(zip, "archive/data.pkl", pickle);
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** PROTO 2, {@code depth} EMPTY_LISTs, {@code depth - 1} APPENDs, STOP: lists nested {@code depth} deep. */
    private static byte[] nestedLists(int depth) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        for (int i = 0; i < depth; i++) {
            p.write(']');
        }
        for (int i = 1; i < depth; i++) {
            p.write('a');
        }
        p.write('.');
        return p.toByteArray();
    }

    @Test
    void inspectAndConvertOfAHundredThousandNestedListsSayWhichLimitInOneLine() throws IOException {
        Path file = torchZip("deep.pt", nestedLists(100_000));
        String err = Cli.run("inspect", file.toString()).assertOneLineError(1).err();
        assertThat(err).contains("content nests deeper than 1000 (MAX_NESTING_DEPTH) levels");
        Path out = dir.resolve("deep.safetensors");
        Cli.run("convert", file.toString(), out.toString()).assertOneLineError(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void convertOfACheckpointWithoutTensorsWritesNothing() throws IOException {
        // {'step': 5}: a torch.save of plain data
        byte[] pickle = {(byte) 0x80, 2, '}', 'X', 4, 0, 0, 0, 's', 't', 'e', 'p', 'K', 5, 's', '.'};
        Path file = torchZip("plain.pt", pickle);
        Path out = dir.resolve("plain.safetensors");
        String err = Cli.run("convert", file.toString(), out.toString()).assertOneLineError(1).err();
        assertThat(err).contains("holds no tensors").contains("nothing was written");
        assertThat(out).doesNotExist();
        assertThat(Cli.run("inspect", file.toString()).assertSuccess().out()).contains("step: 5");
    }

    @Test
    void contentAsDeepAsTheLimitIsShownCutAndWrittenWholeAsJson() throws IOException {
        Path file = torchZip("limit.pt", nestedLists(ReaderLimits.MAX_NESTING_DEPTH));
        String text = Cli.run("inspect", file.toString()).assertSuccess().out();
        assertThat(text).contains("[[[[[… 1 items]]]]]");
        String out = Cli.run("inspect", file.toString(), "--json").assertSuccess().out();
        // deeper than Jackson reads by default: the content's 999 levels inside the output object
        ObjectMapper deep = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2000).build()).build());
        JsonNode node = deep.readTree(out).get("content");
        int depth = 0;
        while (node.isArray() && !node.isEmpty()) {
            node = node.get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(ReaderLimits.MAX_NESTING_DEPTH - 1);
    }

    @Test
    void wideAndDeepContentPrintsAtMostTwoThousandLines() throws IOException {
        // L0 = [40 ints]; L(i+1) = [L(i) × 40] shared through the memo, 3 levels: 40^4 leaves
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2, ']', '('});
        for (int i = 0; i < 40; i++) {
            p.writeBytes(new byte[] {'K', 7});
        }
        p.writeBytes(new byte[] {'e', 'q', 0});
        for (int level = 1; level <= 3; level++) {
            p.writeBytes(new byte[] {']', '('});
            for (int i = 0; i < 40; i++) {
                p.writeBytes(new byte[] {'h', (byte) (level - 1)});
            }
            p.writeBytes(new byte[] {'e', 'q', (byte) level});
        }
        p.write('.');
        Path file = torchZip("wide.pt", p.toByteArray());
        String text = Cli.run("inspect", file.toString()).assertSuccess().out();
        assertThat(text.lines().count()).isLessThan(2100);
        assertThat(text).contains("(cut at 2000 lines; --json prints all of it)");
    }
}

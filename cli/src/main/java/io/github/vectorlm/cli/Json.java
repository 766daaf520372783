package io.github.vectorlm.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.vectorlm.checkpoint.ReaderLimits;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * JSON output: one object per command, on one line (inspect's is indented), UTF-8. Floats are
 * written as {@link Float#toString(float)} writes them, so they read back to the same float.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
                    // inspect writes a checkpoint's content, which may nest as deep as the readers allow
                    .streamWriteConstraints(StreamWriteConstraints.builder()
                            .maxNestingDepth(ReaderLimits.MAX_NESTING_DEPTH + 8).build())
                    .build())
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    /** A generator writing to {@code out}; close it (it leaves {@code out} open), then print the newline. */
    static JsonGenerator generator(PrintWriter out) throws IOException {
        return MAPPER.getFactory().createGenerator(out);
    }

    /** Writes {@code value} (maps, lists, strings, numbers) as one line and a newline. */
    static void print(PrintWriter out, Object value) throws IOException {
        MAPPER.writeValue(out, value);
        out.println();
        out.flush();
    }

    /** Writes {@code value} indented, then a newline. */
    static void printPretty(PrintWriter out, Object value) throws IOException {
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, value);
        out.println();
        out.flush();
    }

    /** The shared mapper (thread-safe once configured). */
    static ObjectMapper mapper() {
        return MAPPER;
    }
}

package io.github.vectorlm.generation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Hugging Face {@code tokenizer.json} around its BPE model, for {@link Tokenizers}:
 * the normalizer read, the pre-tokenizer, decoder and post-processor checked to be what VectorLM
 * runs (byte-level BPE), the added tokens read; anything else refused by name.
 */
final class TokenizerJsonParts {
    private TokenizerJsonParts() {
    }

    static TextNormalizer readNormalizer(Path file, JsonNode node) throws IOException {
        if (node.isMissingNode() || node.isNull()) {
            return TextNormalizer.IDENTITY;
        }
        String type = node.path("type").asText("");
        return switch (type) {
            case "NFC" -> new TextNormalizer.Unicode(Normalizer.Form.NFC);
            case "NFD" -> new TextNormalizer.Unicode(Normalizer.Form.NFD);
            case "NFKC" -> new TextNormalizer.Unicode(Normalizer.Form.NFKC);
            case "NFKD" -> new TextNormalizer.Unicode(Normalizer.Form.NFKD);
            case "Sequence" -> {
                List<TextNormalizer> steps = new ArrayList<>();
                for (JsonNode step : node.path("normalizers")) {
                    steps.add(readNormalizer(file, step));
                }
                yield new TextNormalizer.Sequence(steps);
            }
            default -> throw new TokenizerFileException(file, "unsupported normalizer \"" + Tokenizers.abbreviate(type.isEmpty() ? node.toString() : type)
                    + "\": VectorLM supports NFC, NFD, NFKC, NFKD and Sequences of them");
        };
    }

    /** The ByteLevel pre-tokenizer's settings; refuses anything else. */
    static JsonNode findByteLevelPreTokenizer(Path file, JsonNode node) throws IOException {
        if (node.isMissingNode() || node.isNull()) {
            throw new TokenizerFileException(file, "no pre_tokenizer: VectorLM needs the ByteLevel pre-tokenizer of byte-level BPE");
        }
        String type = node.path("type").asText("");
        if (type.equals("ByteLevel")) {
            return node;
        }
        if (type.equals("Sequence")) {
            JsonNode steps = node.path("pretokenizers");
            if (steps.size() == 1 && steps.get(0).path("type").asText("").equals("ByteLevel")) {
                return steps.get(0);
            }
            List<String> types = new ArrayList<>();
            steps.forEach(s -> types.add(s.path("type").asText("?")));
            throw new TokenizerFileException(file, "unsupported pre_tokenizer Sequence " + types
                    + ": VectorLM supports a single ByteLevel pre-tokenizer");
        }
        throw new TokenizerFileException(file, "unsupported pre_tokenizer \"" + Tokenizers.abbreviate(type.isEmpty() ? node.toString() : type)
                + "\": VectorLM supports ByteLevel");
    }

    static void checkDecoder(Path file, JsonNode node) throws IOException {
        String type = node.path("type").asText("");
        if (type.equals("ByteLevel")) {
            return;
        }
        if (type.equals("Sequence") && node.path("decoders").size() == 1
                && node.path("decoders").get(0).path("type").asText("").equals("ByteLevel")) {
            return;
        }
        throw new TokenizerFileException(file, "unsupported decoder " + (node.isMissingNode() || node.isNull() ? "null"
                : "\"" + Tokenizers.abbreviate(type.isEmpty() ? node.toString() : type) + "\"") + ": VectorLM decodes with ByteLevel");
    }

    static void checkPostProcessor(Path file, JsonNode node) throws IOException {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        String type = node.path("type").asText("");
        switch (type) {
            case "ByteLevel" -> { }
            case "TemplateProcessing" -> {
                for (JsonNode piece : node.path("single")) {
                    if (piece.has("SpecialToken")) {
                        throw new TokenizerFileException(file, "post_processor TemplateProcessing adds the token "
                                + Tokenizers.abbreviate(piece.path("SpecialToken").path("id").asText("?"))
                                + " to every encoding; VectorLM's encode adds no tokens");
                    }
                }
            }
            case "Sequence" -> {
                for (JsonNode step : node.path("processors")) {
                    checkPostProcessor(file, step);
                }
            }
            default -> throw new TokenizerFileException(file, "unsupported post_processor \"" + Tokenizers.abbreviate(type.isEmpty() ? node.toString() : type)
                    + "\": VectorLM supports ByteLevel and TemplateProcessing without added tokens");
        }
    }

    static List<AddedToken> readAddedTokens(Path file, JsonNode node) throws IOException {
        List<AddedToken> tokens = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return tokens;
        }
        if (!node.isArray()) {
            throw new TokenizerFileException(file, "added_tokens: expected a list, found " + node.getNodeType());
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            JsonNode id = t.path("id");
            JsonNode content = t.path("content");
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= Tokenizers.MAX_ID
                    || !content.isTextual() || content.asText().isEmpty()) {
                throw new TokenizerFileException(file, "added_tokens[" + i + "]: expected an id in [0, " + Tokenizers.MAX_ID
                        + ") and a non-empty content, found " + Tokenizers.abbreviate(t.toString()));
            }
            boolean special = t.path("special").asBoolean(false);
            tokens.add(new AddedToken(id.asInt(), content.asText(), special, t.path("single_word").asBoolean(false),
                    t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false),
                    t.path("normalized").asBoolean(!special)));
        }
        return tokens;
    }

    static void checkUnsupported(Path file, JsonNode model, String field, java.util.function.Predicate<JsonNode> fine,
            String feature) throws IOException {
        JsonNode value = model.path(field);
        if (!value.isMissingNode() && !fine.test(value)) {
            throw new TokenizerFileException(file, "unsupported " + feature + " = " + Tokenizers.abbreviate(value.toString()));
        }
    }
}

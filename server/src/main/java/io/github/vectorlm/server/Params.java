package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a request's JSON fields. A field that is absent or {@code null} gives the
 * default; one of the wrong type or out of range is a 400 naming it. Unknown fields are ignored,
 * as OpenAI's API does.
 */
final class Params {
    /** OpenAI's most stop strings per request. */
    static final int MAX_STOP_STRINGS = 4;

    private final ObjectNode body;

    Params(ObjectNode body) {
        this.body = body;
    }

    /** The field, or null when absent or JSON {@code null}. */
    JsonNode get(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name, String otherwise) {
        JsonNode n = get(name);
        if (n == null) {
            return otherwise;
        }
        if (!n.isTextual()) {
            throw ApiException.badParameter(name, "'" + name + "' must be a string, got " + describe(n));
        }
        return n.asText();
    }

    boolean bool(String name, boolean otherwise) {
        JsonNode n = get(name);
        if (n == null) {
            return otherwise;
        }
        if (!n.isBoolean()) {
            throw ApiException.badParameter(name, "'" + name + "' must be a boolean, got " + describe(n));
        }
        return n.asBoolean();
    }

    /** An integer in {@code [min, max]}. */
    int integer(String name, int otherwise, long min, long max) {
        JsonNode n = get(name);
        if (n == null) {
            return otherwise;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiException.badParameter(name, "'" + name + "' must be an integer, got " + describe(n));
        }
        if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw ApiException.badParameter(name, "'" + name + "' must be between " + min + " and " + max
                    + ", got " + n.asText());
        }
        return (int) n.asLong();
    }

    /** A number in {@code [min, max]}. */
    double number(String name, double otherwise, double min, double max) {
        JsonNode n = get(name);
        if (n == null) {
            return otherwise;
        }
        if (!n.isNumber()) {
            throw ApiException.badParameter(name, "'" + name + "' must be a number, got " + describe(n));
        }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw ApiException.badParameter(name, "'" + name + "' must be between " + min + " and " + max
                    + ", got " + n.asText());
        }
        return v;
    }

    /** {@code stop}: a string or an array of up to four non-empty strings. */
    List<String> stop() {
        JsonNode n = get("stop");
        List<String> stops = new ArrayList<>();
        if (n == null) {
            return stops;
        }
        if (n.isTextual()) {
            stops.add(n.asText());
        } else if (n.isArray()) {
            for (JsonNode s : n) {
                if (!s.isTextual()) {
                    throw ApiException.badParameter("stop", "'stop' must be a string or an array of strings, got "
                            + describe(s) + " in the array");
                }
                stops.add(s.asText());
            }
        } else {
            throw ApiException.badParameter("stop", "'stop' must be a string or an array of strings, got " + describe(n));
        }
        if (stops.size() > MAX_STOP_STRINGS) {
            throw ApiException.badParameter("stop", "'stop' holds at most " + MAX_STOP_STRINGS + " strings, got "
                    + stops.size());
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badParameter("stop", "'stop' strings must not be empty");
        }
        return stops;
    }

    /** {@code logit_bias}: an object of token id (as a string) → bias in [-100, 100]. */
    Map<Integer, Float> logitBias(int vocab) {
        JsonNode n = get("logit_bias");
        Map<Integer, Float> bias = new HashMap<>();
        if (n == null) {
            return bias;
        }
        if (!n.isObject()) {
            throw ApiException.badParameter("logit_bias", "'logit_bias' must be an object of token id to bias, got "
                    + describe(n));
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw ApiException.badParameter("logit_bias", "'logit_bias' keys must be token ids, got '"
                        + e.getKey() + "'");
            }
            if (id < 0 || id >= vocab) {
                throw ApiException.badParameter("logit_bias", "'logit_bias' token id " + id
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -100 && v.asDouble() <= 100)) {
                throw ApiException.badParameter("logit_bias", "'logit_bias' values must be numbers from -100 to 100, got "
                        + v + " for token " + id);
            }
            bias.put(id, (float) v.asDouble());
        }
        return bias;
    }

    static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "the number " + n.asText();
            case BOOLEAN -> n.asText();
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().toString();
        };
    }
}

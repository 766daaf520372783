package io.github.vectorlm.server;

import java.util.UUID;

/** Response ids in OpenAI's style: a prefix and 24 hex digits. */
final class Ids {
    private Ids() {
    }

    static String next(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }
}

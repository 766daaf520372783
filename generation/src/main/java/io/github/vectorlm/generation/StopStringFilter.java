package io.github.vectorlm.generation;

import java.util.List;

/**
 * Watches streamed text for stop strings. Text is released as soon as it cannot be the start of
 * a stop string; the rest waits. When a stop string shows up, the text before it is released and
 * the filter is done.
 */
final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder released = new StringBuilder();
    private boolean stopped;

    StopStringFilter(List<String> stops) {
        this.stops = stops;
    }

    /** Adds text; returns the text released by it. */
    String offer(String text) {
        if (stopped) {
            throw new IllegalStateException("stop string already found");
        }
        pending.append(text);
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            return release(cut);
        }
        return release(pending.length() - heldBack());
    }

    /** Releases everything still held (no stop string can be in it). */
    String finish() {
        return stopped ? "" : release(pending.length());
    }

    /** Whether a stop string was found. */
    boolean stopped() {
        return stopped;
    }

    /** All text released so far. */
    String releasedText() {
        return released.toString();
    }

    /** Length of the longest end of the pending text that begins some stop string. */
    private int heldBack() {
        int longest = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, pending.length()); k > longest; k--) {
                if (endsWith(stop, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether pending text ends with the first k characters of stop. */
    private boolean endsWith(String stop, int k) {
        int start = pending.length() - k;
        for (int i = 0; i < k; i++) {
            if (pending.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String release(int length) {
        String out = pending.substring(0, length);
        released.append(out);
        if (stopped) {
            pending.setLength(0);
        } else {
            pending.delete(0, length);
        }
        return out;
    }
}

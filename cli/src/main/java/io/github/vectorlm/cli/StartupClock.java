package io.github.vectorlm.cli;

import java.util.Locale;

/**
 * When this run started, for {@code --verbose}'s "first token after launch" figure: the instant the
 * {@code ./vectorlm} launcher started (it passes {@code -Dvectorlm.launched=$EPOCHREALTIME}), else
 * the process start the OS recorded (on Linux only to within a second or so, as {@code /proc}
 * counts from a boot time in whole seconds), and the instant {@code main} began.
 */
final class StartupClock {
    /** The system property the launcher sets: seconds since the epoch, with a fraction. */
    static final String LAUNCHED_PROPERTY = "vectorlm.launched";

    private static volatile long mainMillis;

    private StartupClock() {
    }

    /** Records that {@code main} has started (the first thing it does). */
    static void mainStarted() {
        mainMillis = System.currentTimeMillis();
    }

    /** Epoch milliseconds at which the launcher started, or the process did; -1 if neither is known. */
    static long launchedMillis() {
        long launcher = launcherMillis();
        return launcher >= 0 ? launcher
                : ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    /** The launcher's timestamp in epoch milliseconds, or -1 without one. */
    private static long launcherMillis() {
        String launched = System.getProperty(LAUNCHED_PROPERTY);
        if (launched != null && !launched.isBlank()) {
            try {
                return Math.round(Double.parseDouble(launched.replace(',', '.')) * 1000);
            } catch (NumberFormatException e) {
                // not the launcher's value: fall back on the OS
            }
        }
        return -1;
    }

    /**
     * "912 ms after the launcher started (main at 130 ms)", or with "the process" when there was no
     * launcher, for an event at {@code epochMillis}.
     */
    static String describe(long epochMillis) {
        long launched = launchedMillis();
        if (launched < 0 || epochMillis <= 0) {
            return "at an unknown time";
        }
        String from = launcherMillis() >= 0 ? "the launcher" : "the process";
        String main = mainMillis > 0 ? String.format(Locale.ROOT, " (main at %d ms)", mainMillis - launched) : "";
        return (epochMillis - launched) + " ms after " + from + " started" + main;
    }
}

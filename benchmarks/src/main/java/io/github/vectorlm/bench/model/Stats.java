package io.github.vectorlm.bench.model;

import java.util.Arrays;

/** Median, minimum and maximum of a few repeated measurements. */
record Stats(double median, double min, double max, double[] all) {

    static Stats of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no measurements");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[n - 1], values.clone());
    }

    /** Every value times {@code factor}. */
    Stats scaled(double factor) {
        double[] s = new double[all.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = all[i] * factor;
        }
        return of(s);
    }

    void writeTo(Json json) {
        json.beginObject().field("median", median).field("min", min).field("max", max).field("all", all).endObject();
    }
}

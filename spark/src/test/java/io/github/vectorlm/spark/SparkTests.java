package io.github.vectorlm.spark;

import io.github.vectorlm.testing.Fixtures;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** What the Spark tests share: the demo model and a small local session. */
final class SparkTests {
    /** The demo model folder. */
    static final String MODEL = Path.of("../models/gpt2-shakespeare").toAbsolutePath().normalize().toString();

    private SparkTests() {
    }

    /** A {@code local[2]} session with few shuffle partitions and no UI. */
    static SparkSession session(String name) {
        Fixtures.require(Path.of(MODEL, "ckpt.pt"), "tools/train_demo_model.py (see models/gpt2-shakespeare/README.md)");
        return SparkSession.builder().master("local[2]").appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}

package io.github.vectorlm.spark;

import java.util.Arrays;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Checks a transformer's columns against a schema, with errors that name what is there. */
final class Columns {
    private Columns() {
    }

    /**
     * The index of the input column {@code name}, which must hold {@code type}.
     *
     * @throws IllegalArgumentException if there is no such column or it holds another type
     */
    static int input(String transformer, StructType schema, String name, DataType type) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(transformer + ": no input column set");
        }
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(transformer + ": no column \"" + name + "\" in the input; it has "
                    + Arrays.toString(schema.fieldNames()));
        }
        int index = schema.fieldIndex(name);
        DataType actual = schema.fields()[index].dataType();
        if (!actual.equals(type)) {
            throw new IllegalArgumentException(transformer + ": column \"" + name + "\" holds " + actual.simpleString()
                    + ", not " + type.simpleString());
        }
        return index;
    }

    /**
     * {@code schema} with the output columns added at the end.
     *
     * @throws IllegalArgumentException if one of them is already there, or two share a name
     */
    static StructType withOutputs(String transformer, StructType schema, StructField... outputs) {
        StructType out = schema;
        for (StructField f : outputs) {
            if (f.name() == null || f.name().isEmpty()) {
                throw new IllegalArgumentException(transformer + ": an output column has no name");
            }
            if (Arrays.asList(out.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException(transformer + ": the output column \"" + f.name()
                        + "\" is already in the input; choose another name");
            }
            out = out.add(f);
        }
        return out;
    }
}

package io.github.vectorlm.cli;

import picocli.CommandLine;

/**
 * Token ids on the command line: {@code 464,2068,7586} (commas and/or spaces between them).
 *
 * @param values the ids
 */
record TokenIds(int[] values) {
    /** picocli's converter for options of this type. */
    static final class Converter implements CommandLine.ITypeConverter<TokenIds> {
        @Override
        public TokenIds convert(String value) {
            return new TokenIds(parse(value));
        }
    }

    /**
     * Parses a list of non-negative ids.
     *
     * @throws CommandLine.TypeConversionException naming the piece that is not an id
     */
    static int[] parse(String value) {
        String[] pieces = value.trim().split("[,\\s]+");
        if (pieces.length == 1 && pieces[0].isEmpty()) {
            throw new CommandLine.TypeConversionException("no token ids in '" + value + "' (expected e.g. 464,2068,7586)");
        }
        int[] ids = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            try {
                ids[i] = Integer.parseInt(pieces[i]);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + pieces[i] + "' is not a token id (expected e.g. 464,2068,7586)");
            }
            if (ids[i] < 0) {
                throw new CommandLine.TypeConversionException("token id " + ids[i] + " is negative");
            }
        }
        return ids;
    }

    /** {@code 464,2068,7586}: the form {@link #parse} reads. */
    static String format(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 6);
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ids[i]);
        }
        return sb.toString();
    }
}

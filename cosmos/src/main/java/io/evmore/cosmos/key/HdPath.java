package io.evmore.cosmos.key;

import java.util.ArrayList;
import java.util.List;

/** A BIP32 derivation path such as {@code m/44'/118'/0'/0/0} (the Cosmos default). */
public record HdPath(String text, int[] indexes) {
    public static final HdPath COSMOS_DEFAULT = parse("m/44'/118'/0'/0/0");
    private static final int HARDENED = 0x80000000;

    public HdPath {
        indexes = indexes.clone();
    }

    public static HdPath parse(String path) {
        if (path == null || !path.startsWith("m/")) {
            throw new IllegalArgumentException("hd path must start with m/, got '" + path + "'");
        }
        String[] parts = path.substring(2).split("/", -1);
        List<Integer> out = new ArrayList<>();
        for (String p : parts) {
            boolean hardened = p.endsWith("'") || p.endsWith("h");
            String n = hardened ? p.substring(0, p.length() - 1) : p;
            if (n.isEmpty() || !n.chars().allMatch(Character::isDigit) || n.length() > 10) {
                throw new IllegalArgumentException("hd path '" + path + "' has an invalid component '" + p + "'");
            }
            long v = Long.parseLong(n);
            if (v >= 0x80000000L) {
                throw new IllegalArgumentException("hd path '" + path + "' component " + p + " is out of range");
            }
            out.add(hardened ? (int) v | HARDENED : (int) v);
        }
        return new HdPath(path, out.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public int[] indexes() {
        return indexes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HdPath h && h.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}

package io.evmore.devnet.chain;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The committed state of a chain: a sorted map. */
public final class MemKv implements Kv {
    final TreeMap<ByteString, ByteString> map;

    public MemKv() {
        this(new TreeMap<>(ByteString.unsignedLexicographicalComparator()));
    }

    private MemKv(TreeMap<ByteString, ByteString> map) {
        this.map = map;
    }

    /** An independent copy (kept per height so queries at older heights see older state). */
    public MemKv copy() {
        return new MemKv(new TreeMap<>(map));
    }

    @Override
    public ByteString get(ByteString key) {
        return map.get(key);
    }

    @Override
    public void set(ByteString key, ByteString value) {
        map.put(key, value);
    }

    @Override
    public void delete(ByteString key) {
        map.remove(key);
    }

    @Override
    public List<Map.Entry<ByteString, ByteString>> scan(ByteString prefix, ByteString startAfter) {
        List<Map.Entry<ByteString, ByteString>> out = new ArrayList<>();
        var tail = startAfter != null && ByteString.unsignedLexicographicalComparator().compare(startAfter, prefix) >= 0
                ? map.tailMap(startAfter, false)
                : map.tailMap(prefix, true);
        for (var e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(Map.entry(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** A deterministic digest of the whole state, used as app hash. */
    public byte[] hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (var e : map.entrySet()) {
                md.update(e.getKey().toByteArray());
                md.update((byte) 0);
                md.update(e.getValue().toByteArray());
                md.update((byte) 0);
            }
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.evmore.devnet.chain;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A write-buffering layer over a parent store: what the SDK calls a cache-wrapped multistore. Changes reach the
 * parent only on {@link #write()}, so a failed message, tx or packet is discarded by dropping the cache.
 */
public final class CacheKv implements Kv {
    private final Kv parent;
    private final TreeMap<ByteString, Optional<ByteString>> writes = new TreeMap<>(ByteString.unsignedLexicographicalComparator());

    public CacheKv(Kv parent) {
        this.parent = parent;
    }

    @Override
    public ByteString get(ByteString key) {
        Optional<ByteString> w = writes.get(key);
        if (w != null) {
            return w.orElse(null);
        }
        return parent.get(key);
    }

    @Override
    public void set(ByteString key, ByteString value) {
        writes.put(key, Optional.of(value));
    }

    @Override
    public void delete(ByteString key) {
        writes.put(key, Optional.empty());
    }

    @Override
    public List<Map.Entry<ByteString, ByteString>> scan(ByteString prefix, ByteString startAfter) {
        TreeMap<ByteString, ByteString> merged = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
        for (var e : parent.scan(prefix, startAfter)) {
            merged.put(e.getKey(), e.getValue());
        }
        var cmp = ByteString.unsignedLexicographicalComparator();
        for (var e : writes.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (startAfter != null && cmp.compare(e.getKey(), startAfter) <= 0) {
                continue;
            }
            if (e.getValue().isPresent()) {
                merged.put(e.getKey(), e.getValue().get());
            } else {
                merged.remove(e.getKey());
            }
        }
        return new ArrayList<>(merged.entrySet());
    }

    /** Flushes the buffered changes into the parent. */
    public void write() {
        for (var e : writes.entrySet()) {
            if (e.getValue().isPresent()) {
                parent.set(e.getKey(), e.getValue().get());
            } else {
                parent.delete(e.getKey());
            }
        }
        writes.clear();
    }
}

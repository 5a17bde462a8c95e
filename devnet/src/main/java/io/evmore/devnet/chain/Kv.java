package io.evmore.devnet.chain;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;

/** A key-value store (the chain state). Keys order as unsigned bytes, like the SDK's IAVL stores. */
public interface Kv {
    ByteString get(ByteString key);

    void set(ByteString key, ByteString value);

    void delete(ByteString key);

    /** Entries whose key starts with {@code prefix}, ascending, strictly after {@code startAfter} (null = from start). */
    List<Map.Entry<ByteString, ByteString>> scan(ByteString prefix, ByteString startAfter);

    static ByteString key(String s) {
        return ByteString.copyFromUtf8(s);
    }
}

package io.evmore.devnet.chain;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Map;

/** Charges the SDK's KV gas costs (store/types/gas.go KVGasConfig) for every access. */
public final class GasKv implements Kv {
    static final long READ_FLAT = 1000, READ_PER_BYTE = 3, WRITE_FLAT = 2000, WRITE_PER_BYTE = 30, DELETE = 1000, ITER_NEXT = 30;
    private final Kv parent;
    private final GasMeter meter;

    public GasKv(Kv parent, GasMeter meter) {
        this.parent = parent;
        this.meter = meter;
    }

    public GasMeter meter() {
        return meter;
    }

    @Override
    public ByteString get(ByteString key) {
        meter.consume(READ_FLAT, "ReadFlat");
        ByteString v = parent.get(key);
        meter.consume(READ_PER_BYTE * (key.size() + (v == null ? 0 : v.size())), "ReadPerByte");
        return v;
    }

    @Override
    public void set(ByteString key, ByteString value) {
        meter.consume(WRITE_FLAT, "WriteFlat");
        meter.consume(WRITE_PER_BYTE * (key.size() + value.size()), "WritePerByte");
        parent.set(key, value);
    }

    @Override
    public void delete(ByteString key) {
        meter.consume(DELETE, "Delete");
        parent.delete(key);
    }

    @Override
    public List<Map.Entry<ByteString, ByteString>> scan(ByteString prefix, ByteString startAfter) {
        List<Map.Entry<ByteString, ByteString>> out = parent.scan(prefix, startAfter);
        for (var e : out) {
            meter.consume(ITER_NEXT, "IterNextFlat");
            meter.consume(READ_PER_BYTE * (e.getKey().size() + e.getValue().size()), "ValuePerByte");
        }
        return out;
    }
}

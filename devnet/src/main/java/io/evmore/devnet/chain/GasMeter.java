package io.evmore.devnet.chain;

/** Counts gas like the SDK's basic gas meter; exceeding the limit throws {@link OutOfGasException}. */
public final class GasMeter {
    private final long limit;
    private long consumed;

    public GasMeter(long limit) {
        this.limit = limit;
    }

    public static GasMeter infinite() {
        return new GasMeter(Long.MAX_VALUE);
    }

    public void consume(long amount, String descriptor) {
        consumed = Math.addExact(consumed, amount);
        if (consumed > limit) {
            throw new OutOfGasException(descriptor, limit, consumed);
        }
    }

    public long consumed() {
        return consumed;
    }

    public long limit() {
        return limit;
    }

    /** Thrown when gas runs out; carries the SDK's log text. */
    public static final class OutOfGasException extends RuntimeException {
        public final long used;

        OutOfGasException(String location, long wanted, long used) {
            super("out of gas in location: " + location + "; gasWanted: " + wanted + ", gasUsed: " + used, null, false, false);
            this.used = used;
        }
    }
}

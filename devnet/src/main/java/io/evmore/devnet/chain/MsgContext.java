package io.evmore.devnet.chain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What a message handler works with: metered state, the block's height/time, its events and IBC outbox. */
public final class MsgContext {
    public final ChainContext chain;
    public final ChainState state;
    public final GasMeter meter;
    public final long height;
    public final Instant time;
    public final List<Event> events = new ArrayList<>();
    public final Outbox outbox = new Outbox();

    public MsgContext(ChainContext chain, Kv kv, GasMeter meter, long height, Instant time) {
        this.chain = chain;
        this.state = new ChainState(new GasKv(kv, meter), chain.spec().prefix());
        this.meter = meter;
        this.height = height;
        this.time = time;
    }

    public long timeNanos() {
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }
}

package io.evmore.devnet.ibc;

import io.evmore.devnet.chain.Block;
import io.evmore.devnet.chain.CosmosChain;
import io.evmore.devnet.chain.Outbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devnet's in-process relayer: watches committed blocks and submits MsgRecvPacket to the destination,
 * the written acknowledgement back to the source, and MsgTimeout when a packet arrived too late. Each op
 * waits at least {@link #delay} and is held while the relayer is paused.
 */
public final class IbcRelayer {
    private static final Logger log = LoggerFactory.getLogger(IbcRelayer.class);

    private final Map<String, CosmosChain> chains;
    private final List<Pending> queue = new ArrayList<>();
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean paused;
    private final List<Consumer<String>> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Pending(CosmosChain target, RelayOp op, Instant due) {}

    public IbcRelayer(Map<String, CosmosChain> chains) {
        this.chains = new ConcurrentHashMap<>(chains);
        for (CosmosChain c : chains.values()) {
            c.addBlockListener(b -> onBlock(c, b));
        }
    }

    public void delay(Duration d) {
        delay = d == null ? Duration.ZERO : d;
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        flush();
    }

    public boolean paused() {
        return paused;
    }

    /** Progress lines ("relay RecvPacket channel-0->channel-0 #1 to devnet-b") for the CLI. */
    public void addObserver(Consumer<String> observer) {
        observers.add(observer);
    }

    public synchronized int pending() {
        return queue.size();
    }

    private CosmosChain counterparty(CosmosChain chain, String channelId) {
        Channel ch = chain.channel(channelId);
        if (ch == null) {
            throw new IllegalStateException("unknown channel " + channelId + " on " + chain.chainId());
        }
        return chains.get(ch.counterpartyChainId());
    }

    private void onBlock(CosmosChain chain, Block b) {
        Outbox o = b.outbox();
        if (o.sent.isEmpty() && o.acks.isEmpty() && o.expired.isEmpty()) {
            return;
        }
        synchronized (this) {
            Instant due = Instant.now().plus(delay);
            for (Packet p : o.sent) {
                queue.add(new Pending(counterparty(chain, p.sourceChannel()), new RelayOp.Recv(p), due));
            }
            for (Outbox.WrittenAck a : o.acks) {
                queue.add(new Pending(counterparty(chain, a.packet().destChannel()), new RelayOp.Ack(a.packet(), a.ack()), due));
            }
            for (Packet p : o.expired) {
                queue.add(new Pending(counterparty(chain, p.destChannel()), new RelayOp.Timeout(p), due));
            }
        }
        flush();
    }

    /** Submits every due op (called after each block and periodically by the devnet's scheduler). */
    public void flush() {
        if (paused) {
            return;
        }
        List<Pending> due = new ArrayList<>();
        synchronized (this) {
            Instant now = Instant.now();
            var it = queue.iterator();
            while (it.hasNext()) {
                Pending p = it.next();
                if (!p.due().isAfter(now)) {
                    due.add(p);
                    it.remove();
                }
            }
        }
        for (Pending p : due) {
            p.target().submitRelayOp(p.op());
            String line = "relay " + p.op().describe() + " to " + p.target().chainId();
            log.debug(line);
            observers.forEach(obs -> obs.accept(line));
        }
    }
}

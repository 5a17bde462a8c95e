package io.evmore.cosmos.ibc;

import java.time.Duration;
import java.util.List;

/**
 * A configured IBC path from the home chain to a final chain. Hop {@code i} sends over {@code channel} from
 * the chain before it; {@code receiver} is the relayer's own address on the chain it reaches (where PFM ignores
 * it, it is still a valid address, and if forwarding were not triggered the funds would land with the relayer).
 *
 * @param finalChainId  the chain where the HTLC is created through the IBC-hooks memo
 * @param hops          at least one hop; the last one reaches the final chain
 */
public record IbcRoute(String finalChainId, List<Hop> hops) {

    /**
     * @param port       source port on the sending chain (normally "transfer")
     * @param channel    source channel on the sending chain
     * @param receiver   relayer's address on the receiving chain (ignored on the final hop: the contract receives)
     * @param timeout    packet timeout of this hop
     * @param retries    PFM retries on timeout (hops after the first; 0..255)
     */
    public record Hop(String port, String channel, String receiver, Duration timeout, int retries) {
        public Hop {
            if (port == null || port.isEmpty()) throw new IllegalArgumentException("hop port is missing");
            if (channel == null || !channel.matches("channel-[0-9]{1,18}")) {
                throw new IllegalArgumentException("hop channel must look like channel-N, got '" + channel + "'");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("hop timeout must be > 0, got " + timeout);
            }
            if (retries < 0 || retries > 255) throw new IllegalArgumentException("hop retries must be 0..255, got " + retries);
        }
    }

    public IbcRoute {
        if (finalChainId == null || finalChainId.isEmpty()) throw new IllegalArgumentException("route final chain is missing");
        if (hops == null || hops.isEmpty()) throw new IllegalArgumentException("route to " + finalChainId + " has no hops");
        hops = List.copyOf(hops);
    }

    /** H of the timelock rule: sum over hops of timeout × (retries + 1). */
    public Duration worstCaseDelivery() {
        Duration d = Duration.ZERO;
        for (Hop h : hops) d = d.plus(h.timeout().multipliedBy(h.retries() + 1L));
        return d;
    }
}

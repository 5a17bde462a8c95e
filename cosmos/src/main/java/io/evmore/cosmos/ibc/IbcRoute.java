package io.evmore.cosmos.ibc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A configured IBC path from the home chain to a final chain. Hop {@code i} sends from the chain before it
 * (the home chain for hop 0) over {@code channel} to {@code chainId}, where it arrives on {@code counterpartyChannel}.
 * The last hop reaches the final chain, where the HTLC is created through the IBC-hooks memo; the chains in between
 * forward the packet with packet-forward middleware.
 *
 * <p>Both ends of a hop use {@code port} (ICS-20's "transfer" on both sides, as on every chain this relayer
 * serves). Everything the middleware derives from the route (intermediate addresses, the creator the final
 * contract sees, the denom at each chain) is computed here, so that a configuration error shows up before funds move.
 *
 * @param homeChainId  the chain the transfer is sent from
 * @param finalChainId the chain where the HTLC is created; the last hop's {@code chainId}
 * @param hops         at least one hop
 */
public record IbcRoute(String homeChainId, String finalChainId, List<Hop> hops) {

    /**
     * @param chainId             the chain this hop reaches
     * @param prefix              its bech32 prefix
     * @param port                ICS-20 port on both ends (normally "transfer")
     * @param channel             source channel on the sending chain
     * @param counterpartyChannel the channel the packet arrives on, on the receiving chain
     * @param timeout             packet timeout of this hop
     * @param retries             PFM retries on timeout (hops after the first; 0..255)
     */
    public record Hop(String chainId, String prefix, String port, String channel, String counterpartyChannel,
            Duration timeout, int retries) {
        public Hop {
            if (chainId == null || chainId.isBlank()) throw new IllegalArgumentException("hop chain id is missing");
            if (prefix == null || !prefix.matches("[a-z][a-z0-9]{0,82}")) {
                throw new IllegalArgumentException("hop to " + chainId + ": bech32 prefix must be lowercase letters"
                        + " and digits, got '" + prefix + "'");
            }
            if (port == null || !port.matches("[a-zA-Z0-9._+\\-#\\[\\]<>]{2,128}")) {
                throw new IllegalArgumentException("hop to " + chainId + ": port must be an IBC identifier, got '" + port + "'");
            }
            if (channel == null || !channel.matches("channel-[0-9]{1,18}")) {
                throw new IllegalArgumentException("hop to " + chainId + ": channel must look like channel-N, got '"
                        + channel + "'");
            }
            if (counterpartyChannel == null || !counterpartyChannel.matches("channel-[0-9]{1,18}")) {
                throw new IllegalArgumentException("hop to " + chainId + ": counterparty channel must look like"
                        + " channel-N, got '" + counterpartyChannel + "'");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("hop to " + chainId + ": timeout must be > 0, got " + timeout);
            }
            if (retries < 0 || retries > 255) {
                throw new IllegalArgumentException("hop to " + chainId + ": retries must be 0..255, got " + retries);
            }
        }
    }

    /** The denom at one chain of the route: its full ICS-20 trace and the {@code ibc/…} denom it is held as. */
    public record HopDenom(String chainId, String trace, String denom) {}

    public IbcRoute {
        if (homeChainId == null || homeChainId.isBlank()) throw new IllegalArgumentException("route home chain is missing");
        if (finalChainId == null || finalChainId.isBlank()) throw new IllegalArgumentException("route final chain is missing");
        if (hops == null || hops.isEmpty()) throw new IllegalArgumentException("route to " + finalChainId + " has no hops");
        hops = List.copyOf(hops);
        if (!hops.getLast().chainId().equals(finalChainId)) {
            throw new IllegalArgumentException("route to " + finalChainId + " ends at " + hops.getLast().chainId()
                    + ": the last hop must reach the final chain");
        }
        Set<String> seen = new HashSet<>();
        seen.add(homeChainId);
        for (Hop h : hops) {
            if (!seen.add(h.chainId())) {
                throw new IllegalArgumentException("route " + homeChainId + " → " + finalChainId + " visits "
                        + h.chainId() + " twice");
            }
        }
    }

    /** H of the timelock rule: sum over hops of timeout × (retries + 1). */
    public Duration worstCaseDelivery() {
        Duration d = Duration.ZERO;
        for (Hop h : hops) d = d.plus(h.timeout().multipliedBy(h.retries() + 1L));
        return d;
    }

    /**
     * The denom {@code homeDenom} arrives as on each chain of the route (ICS-20: each receiving chain prefixes the
     * trace with its own port/channel). Refuses an {@code ibc/} home denom (its trace is not known here) and a route
     * along which the denom would unwind (go back over the channel it came by), since then the prefixing is wrong.
     */
    public List<HopDenom> denomsAlong(String homeDenom) {
        if (homeDenom == null || !homeDenom.matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new IllegalArgumentException("route from " + homeChainId + ": invalid home denom '" + homeDenom + "'");
        }
        if (homeDenom.startsWith("ibc/")) {
            throw new IllegalArgumentException("route from " + homeChainId + ": home denom '" + homeDenom
                    + "' is an IBC voucher; configure a denom native to " + homeChainId);
        }
        List<HopDenom> out = new ArrayList<>();
        String trace = homeDenom;
        String sendingChain = homeChainId;
        for (Hop h : hops) {
            if (trace.startsWith(h.port() + "/" + h.channel() + "/")) {
                throw new IllegalArgumentException("route from " + homeChainId + ": '" + trace + "' would unwind when "
                        + sendingChain + " sends it over " + h.channel() + "; routes that return a voucher are not supported");
            }
            trace = h.port() + "/" + h.counterpartyChannel() + "/" + trace;
            out.add(new HopDenom(h.chainId(), trace, IbcAddresses.voucherDenom(trace)));
            sendingChain = h.chainId();
        }
        return out;
    }

    /** The denom the funds are held as on the final chain (what the HTLC holds). */
    public String finalDenom(String homeDenom) {
        return denomsAlong(homeDenom).getLast().denom();
    }

    /**
     * The packet sender of each hop: the home relayer for hop 0, then on each middle chain the PFM intermediate
     * account (derived from the channel the packet arrived on and the previous hop's sender), which is also where
     * PFM holds the funds between hops and so the right receiver for the packet arriving there.
     */
    public List<String> senders(String homeRelayerAddress) {
        if (homeRelayerAddress == null || homeRelayerAddress.isBlank()) {
            throw new IllegalArgumentException("route from " + homeChainId + ": home relayer address is missing");
        }
        List<String> out = new ArrayList<>();
        String sender = homeRelayerAddress;
        out.add(sender);
        for (int i = 0; i < hops.size() - 1; i++) {
            Hop arrived = hops.get(i);
            sender = IbcAddresses.pfmIntermediate(arrived.prefix(), arrived.counterpartyChannel(), sender);
            out.add(sender);
        }
        return out;
    }

    /** The sender the final chain's contract sees: the IBC-hooks intermediary of the last hop's packet. */
    public String finalCreator(String homeRelayerAddress) {
        Hop last = hops.getLast();
        return IbcAddresses.hooksIntermediary(last.prefix(), last.counterpartyChannel(),
                senders(homeRelayerAddress).getLast());
    }
}

package io.evmore.cosmos.ibc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Builds the memo of the first packet of a route: a packet-forward-middleware {@code forward} per intermediate
 * chain (COSMOS_WIRE §7), nested through {@code next}, ending with the IBC-hooks {@code wasm} memo (§8) that
 * executes the contract message on the final chain.
 */
public final class ForwardMemo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ForwardMemo() {}

    /** The IBC-hooks memo: {@code {"wasm":{"contract":..,"msg":{..}}}}; the packet receiver must be the contract. */
    public static ObjectNode wasm(String contract, ObjectNode msg) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode w = root.putObject("wasm");
        w.put("contract", contract);
        w.set("msg", msg);
        return root;
    }

    /**
     * The memo of the first packet for {@code route} sent by {@code homeSender}, ending with {@code finalMemo}. For a
     * single hop this is the final memo itself. Each forward's receiver on a middle chain is that chain's PFM
     * intermediate account ({@link IbcRoute#senders}): PFM ignores it, but it is a valid address there and exactly
     * where PFM puts the funds.
     */
    public static ObjectNode forRoute(IbcRoute route, String homeSender, String finalReceiver, ObjectNode finalMemo) {
        List<String> senders = route.senders(homeSender);
        ObjectNode memo = finalMemo;
        // Walk back from the last hop: hop i (i >= 1) is executed by PFM on the chain hop i-1 reached.
        for (int i = route.hops().size() - 1; i >= 1; i--) {
            IbcRoute.Hop hop = route.hops().get(i);
            String receiver = i == route.hops().size() - 1 ? finalReceiver : senders.get(i + 1);
            ObjectNode root = JSON.createObjectNode();
            ObjectNode f = root.putObject("forward");
            f.put("receiver", receiver).put("port", hop.port()).put("channel", hop.channel())
                    .put("timeout", goDuration(hop.timeout())).put("retries", hop.retries());
            if (memo != null) f.set("next", memo);
            memo = root;
        }
        return memo;
    }

    /**
     * The receiver of the first packet: the final receiver on a direct route, else the first middle chain's PFM
     * intermediate account for {@code homeSender}.
     */
    public static String firstReceiver(IbcRoute route, String homeSender, String finalReceiver) {
        return route.hops().size() == 1 ? finalReceiver : route.senders(homeSender).get(1);
    }

    /** Go duration text PFM accepts, e.g. "600s". */
    static String goDuration(java.time.Duration d) {
        if (d.toNanosPart() == 0) return d.toSeconds() + "s";
        return d.toNanos() + "ns";
    }

    public static String text(ObjectNode memo) {
        try {
            return memo == null ? "" : JSON.writeValueAsString(memo);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.evmore.cosmos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;

/** The HTLC contract's execute and query messages, exactly as htlc-contract-api.md specifies them. */
public final class HtlcMessages {
    static final ObjectMapper JSON = new ObjectMapper();

    private HtlcMessages() {}

    /** {@code {"create_htlc":{...}}} as a JSON object (also embedded in IBC-hooks memos). */
    public static ObjectNode createHtlc(String receiver, Hashlock hashlock, long timelock, String targetChain,
            String targetAddress, String refundAddress) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode c = root.putObject("create_htlc");
        c.put("receiver", receiver).put("hashlock", hashlock.hex()).put("timelock", timelock)
                .put("target_chain", targetChain).put("target_address", targetAddress);
        if (refundAddress != null) c.put("refund_address", refundAddress);
        return root;
    }

    public static String withdraw(String htlcId, Secret secret) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("withdraw").put("htlc_id", htlcId).put("secret", secret.hex());
        return write(root);
    }

    public static String refund(String htlcId) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("refund").put("htlc_id", htlcId);
        return write(root);
    }

    public static String getHtlc(String htlcId) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("get_htlc").put("htlc_id", htlcId);
        return write(root);
    }

    public static String listHtlcs(String startAfter, Integer limit) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode l = root.putObject("list_htlcs");
        if (startAfter == null) l.putNull("start_after"); else l.put("start_after", startAfter);
        if (limit == null) l.putNull("limit"); else l.put("limit", limit);
        return write(root);
    }

    static String write(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.evmore.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.app.config.ConfigRedactor;
import io.evmore.app.config.RelayerConfig;
import io.evmore.core.engine.RelayEngine;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapTransition;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the admin API shows what the relayer holds: the configuration, the inventory, one swap with its trail. */
final class AdminViews {
    private AdminViews() {}

    /** The configuration, secrets redacted; a multi-hop route with what it implies (H, and the denom at every hop). */
    static JsonNode config(RelayerConfig c) {
        JsonNode tree = ConfigRedactor.redactedTree(c);
        if (tree.path("chains").path("cosmos") instanceof ArrayNode list) {
            for (int i = 0; i < list.size() && i < c.chains().cosmos().size(); i++) {
                var cc = c.chains().cosmos().get(i);
                if (cc.route() == null || !(list.get(i).path("route") instanceof ObjectNode r)) continue;
                try {
                    var route = cc.route().toIbcRoute(cc.chainId());
                    r.put("worstCaseDeliverySeconds", route.worstCaseDelivery().toSeconds());
                    var denoms = r.putArray("denoms");
                    for (var d : route.denomsAlong(cc.route().denom())) {
                        denoms.addObject().put("chainId", d.chainId()).put("trace", d.trace()).put("denom", d.denom());
                    }
                } catch (RuntimeException e) {
                    r.put("error", e.getMessage());
                }
            }
        }
        return tree;
    }

    /** Public addresses and holdings, so operators know what to fund. Amounts as decimal strings. */
    static List<Map<String, Object>> inventory(List<RelayEngine.Inventory> inventory) {
        return inventory.stream().map(i -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("chain", i.chain().value());
            m.put("asset", i.asset());
            m.put("address", i.address());
            m.put("balance", i.balance() == null ? null : i.balance().toString());
            m.put("reserved", i.reserved().toString());
            m.put("available", i.available() == null ? null : i.available().toString());
            if (i.error() != null) m.put("error", i.error());
            return m;
        }).toList();
    }

    /** One swap ({@link SwapView}) and its transitions, oldest first. Never the secret. */
    static Map<String, Object> swap(Swap s, List<SwapTransition> transitions, Instant now, RelayEngine engine) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("swap", SwapView.of(s, now, engine));
        body.put("transitions", transitions.stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", t.from() == null ? null : t.from().name());
            m.put("to", t.to().name());
            m.put("cause", t.cause());
            m.put("txHash", t.txHash());
            m.put("at", t.at());
            return m;
        }).toList());
        return body;
    }
}

package io.evmore.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which keys differ between two configurations, and which of them can be applied without a restart.
 * Values shown are redacted: a changed secret shows as {@code ***redacted***} (set) or {@code ""} (cleared).
 */
public record ConfigDiff(List<Change> changes) {

    /** Keys (or key prefixes) applied on reload. Everything else needs a restart. */
    static final Set<String> RELOADABLE = Set.of("logLevel", "admin.token", "heap.warnThresholdMb", "heap.checkIntervalSeconds",
            "database.retentionDays", "database.cleanupIntervalMinutes", "shutdown.timeoutSeconds");

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public record Change(String key, JsonNode from, JsonNode to, boolean reloadable) {}

    public static ConfigDiff between(RelayerConfig before, RelayerConfig after) {
        Map<String, JsonNode> a = flatten(JSON.valueToTree(before));
        Map<String, JsonNode> b = flatten(JSON.valueToTree(after));
        Map<String, JsonNode> ra = flatten(ConfigRedactor.redactedTree(before));
        Map<String, JsonNode> rb = flatten(ConfigRedactor.redactedTree(after));
        TreeMap<String, Boolean> keys = new TreeMap<>();
        a.keySet().forEach(k -> keys.put(k, true));
        b.keySet().forEach(k -> keys.put(k, true));
        List<Change> changes = new ArrayList<>();
        for (String k : keys.keySet()) {
            // A key absent on one side and null on the other is no change: an optional section (chains.ethereum)
            // that became null shows as its leaves disappearing, not as a "null -> null" entry for the section.
            JsonNode x = orNull(a.get(k)), y = orNull(b.get(k));
            if (!x.equals(y)) {
                // Shown values come from the redacted trees: a secret reads "***redacted***" or "" (set / cleared).
                changes.add(new Change(k, orNull(ra.get(k)), orNull(rb.get(k)), RELOADABLE.contains(k)));
            }
        }
        return new ConfigDiff(List.copyOf(changes));
    }

    private static JsonNode orNull(JsonNode n) {
        return n == null ? NullNode.getInstance() : n;
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public List<String> restartRequired() {
        return changes.stream().filter(c -> !c.reloadable()).map(Change::key).toList();
    }

    public List<String> reloadable() {
        return changes.stream().filter(Change::reloadable).map(Change::key).toList();
    }

    /** Leaves as dotted keys; lists are compared whole (their key is the list's key). */
    private static Map<String, JsonNode> flatten(JsonNode node) {
        Map<String, JsonNode> out = new TreeMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                var e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node);
        }
    }
}

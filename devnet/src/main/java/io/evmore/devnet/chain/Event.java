package io.evmore.devnet.chain;

import java.util.ArrayList;
import java.util.List;

/** An ABCI event with plain-string attributes, all indexed (COSMOS_WIRE §5). */
public record Event(String type, List<Attribute> attributes) {
    public record Attribute(String key, String value, boolean index) {}

    public Event {
        attributes = List.copyOf(attributes);
    }

    /** {@code Event.of("transfer", "recipient", r, "sender", s)}. */
    public static Event of(String type, String... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of key/value strings for event " + type);
        }
        List<Attribute> attrs = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            attrs.add(new Attribute(kv[i], kv[i + 1], true));
        }
        return new Event(type, attrs);
    }

    public Event with(String key, String value) {
        List<Attribute> attrs = new ArrayList<>(attributes);
        attrs.add(new Attribute(key, value, true));
        return new Event(type, attrs);
    }

    public Event renamed(String newType) {
        return new Event(newType, attributes);
    }

    public String attr(String key) {
        for (Attribute a : attributes) {
            if (a.key().equals(key)) {
                return a.value();
            }
        }
        return null;
    }
}

package io.evmore.cosmos.rpc;

import java.util.List;
import java.util.Optional;

/** An ABCI event (CometBFT 0.38: attribute keys and values are plain strings). */
public record AbciEvent(String type, List<Attribute> attributes) {
    public record Attribute(String key, String value) {}

    public AbciEvent {
        attributes = List.copyOf(attributes);
    }

    /** The first attribute with this key. */
    public Optional<String> attr(String key) {
        for (Attribute a : attributes) {
            if (a.key().equals(key)) return Optional.ofNullable(a.value());
        }
        return Optional.empty();
    }

    /** How many attributes have this key (a duplicated key in a contract event is suspicious). */
    public int count(String key) {
        int n = 0;
        for (Attribute a : attributes) {
            if (a.key().equals(key)) n++;
        }
        return n;
    }
}

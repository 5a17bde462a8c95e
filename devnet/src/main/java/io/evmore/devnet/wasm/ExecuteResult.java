package io.evmore.devnet.wasm;

import java.util.List;

/**
 * What an execute returns: attributes of the {@code wasm} event (in order, without {@code _contract_address},
 * which the host adds) and the response data (null for none).
 */
public record ExecuteResult(List<Attribute> attributes, byte[] data) {
    public record Attribute(String key, String value) {}

    public ExecuteResult {
        attributes = List.copyOf(attributes);
    }
}

package io.evmore.core.chain;

import java.util.regex.Pattern;

/**
 * A chain's name as used in targetChain/target_chain, configuration, metric labels and the API:
 * a Cosmos chain by its chain id ({@code osmosis-1}), an EVM chain in CAIP-2 form ({@code eip155:1}).
 */
public record ChainId(String value) implements Comparable<ChainId> {
    private static final Pattern EVM = Pattern.compile("eip155:[1-9][0-9]{0,18}");
    private static final Pattern COSMOS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,47}");

    public ChainId {
        if (value == null || !(EVM.matcher(value).matches() || COSMOS.matcher(value).matches())) {
            throw new IllegalArgumentException("invalid chain id '" + value
                    + "': expected a Cosmos chain id (e.g. osmosis-1) or eip155:<number> (e.g. eip155:1)");
        }
    }

    public static ChainId of(String value) {
        return new ChainId(value);
    }

    public static ChainId evm(long chainId) {
        return new ChainId("eip155:" + chainId);
    }

    public boolean isEvm() {
        return value.startsWith("eip155:");
    }

    /** The numeric EVM chain id; only for EVM chains. */
    public long evmChainId() {
        if (!isEvm()) {
            throw new IllegalStateException(value + " is not an EVM chain");
        }
        return Long.parseLong(value.substring("eip155:".length()));
    }

    @Override
    public int compareTo(ChainId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}

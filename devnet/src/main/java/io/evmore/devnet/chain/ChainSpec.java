package io.evmore.devnet.chain;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One devnet chain: chain id (its trailing "-N" is the IBC revision number), bech32 prefix, native (fee) denom
 * and the minimum gas price CheckTx enforces.
 */
public record ChainSpec(String chainId, String prefix, String denom, BigDecimal minGasPrice) {
    public ChainSpec {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(denom, "denom");
        if (!chainId.matches("[a-zA-Z0-9_.-]{1,50}")) {
            throw new IllegalArgumentException("invalid chain id: " + chainId);
        }
        if (!prefix.matches("[a-z]{1,20}")) {
            throw new IllegalArgumentException("invalid bech32 prefix: " + prefix);
        }
        if (!denom.matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new IllegalArgumentException("invalid denom: " + denom);
        }
        if (minGasPrice == null || minGasPrice.signum() < 0) {
            throw new IllegalArgumentException("min gas price must be >= 0, got " + minGasPrice);
        }
    }

    public ChainSpec(String chainId, String prefix, String denom) {
        this(chainId, prefix, denom, new BigDecimal("0.025"));
    }

    /** IBC revision number: the trailing "-N" of the chain id, else 0 (COSMOS_WIRE §6). */
    public long revisionNumber() {
        var m = java.util.regex.Pattern.compile(".*[^\\n-]-([1-9][0-9]*)$").matcher(chainId);
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }
}

package io.evmore.core.policy;

import io.evmore.core.chain.ChainId;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How many blocks a source lock needs before the relayer acts on it: a default per chain, optionally more for
 * larger amounts of an asset (tiers).
 */
public record Confirmations(Map<ChainId, Rule> chains) {

    /** A lock of {@code asset} with amount ≥ {@code minAmount} needs {@code confirmations}. */
    public record Tier(String asset, BigInteger minAmount, int confirmations) {
        public Tier {
            if (asset == null || asset.isBlank()) throw new IllegalArgumentException("tier asset is required");
            if (minAmount == null || minAmount.signum() < 0) throw new IllegalArgumentException("tier minAmount must be >= 0");
            if (confirmations < 1) throw new IllegalArgumentException("tier confirmations must be >= 1");
        }
    }

    public record Rule(int confirmations, List<Tier> tiers) {
        public Rule {
            if (confirmations < 1) throw new IllegalArgumentException("confirmations must be >= 1, got " + confirmations);
            tiers = tiers == null ? List.of() : List.copyOf(tiers);
        }
    }

    public Confirmations {
        chains = Map.copyOf(chains);
    }

    /** The most demanding rule that applies (never fewer than the chain's default). */
    public int required(ChainId chain, String asset, BigInteger amount) {
        Rule r = chains.get(chain);
        if (r == null) throw new IllegalArgumentException("no confirmations configured for chain " + chain);
        return r.tiers().stream()
                .filter(t -> Pair.sameAsset(t.asset(), asset) && amount.compareTo(t.minAmount()) >= 0)
                .map(Tier::confirmations)
                .max(Comparator.naturalOrder())
                .map(n -> Math.max(n, r.confirmations()))
                .orElse(r.confirmations());
    }
}

package io.evmore.core.chain;

/**
 * How hard a transaction bids for inclusion. Level 0 is the chain's normal fee; every level is one escalation step of
 * the adapter's own fee policy (Ethereum: EIP-1559 fees; Cosmos: the gas price), capped by the adapter's configured
 * maximum. The engine raises the level for an action whose earlier transactions never landed and as the action's
 * deadline nears; the level is derived from what is persisted (the intents), so it survives restarts.
 */
public record FeeBid(int level) {
    public static final FeeBid NORMAL = new FeeBid(0);
    /** Enough steps to reach any adapter's cap from its normal fee. */
    public static final int MAX_LEVEL = 40;

    public FeeBid {
        if (level < 0) throw new IllegalArgumentException("fee level must be >= 0, got " + level);
        level = Math.min(level, MAX_LEVEL);
    }

    public static FeeBid level(int level) {
        return new FeeBid(Math.max(0, level));
    }

    public FeeBid raised(int steps) {
        return level(level + Math.max(0, steps));
    }

    public boolean isNormal() {
        return level == 0;
    }
}

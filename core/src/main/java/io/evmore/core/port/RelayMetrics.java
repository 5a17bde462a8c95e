package io.evmore.core.port;

import java.time.Duration;

/** What the relay engine reports; the app records it in Prometheus. Labels are bounded (status names). */
public interface RelayMetrics {
    /** A swap reached an outcome: completed, failed, rejected, refunded or expired. */
    void swapFinished(String status, Duration duration);

    void queueSize(int size);

    /** The relayer's balance of an asset on a chain and what accepted swaps have reserved of it but not yet locked. */
    default void inventory(io.evmore.core.chain.ChainId chain, String asset, java.math.BigInteger balance,
            java.math.BigInteger reserved) {}

    /** A swap ended in the only losing case: the secret was known but the source claim became impossible. */
    default void claimMissed(io.evmore.core.chain.ChainId chain) {}

    /**
     * How many swaps are AT RISK now, by kind ({@code claim_deadline}: the secret is known and the source claim's
     * deadline is near or past; {@code refund_overdue}: the relayer's own expired counter-lock is not refunded).
     */
    default void atRisk(String kind, int count) {}

    /**
     * How long the relayer took to react: {@code counter_lock} from the follower's first sight of the block that gave a
     * lock its confirmations to the counter-lock's broadcast, {@code source_claim} from learning the secret to the source
     * claim's broadcast (first attempts only).
     */
    default void reactionTime(String kind, Duration took) {}

    RelayMetrics NONE = new RelayMetrics() {
        @Override
        public void swapFinished(String status, Duration duration) {}

        @Override
        public void queueSize(int size) {}
    };
}

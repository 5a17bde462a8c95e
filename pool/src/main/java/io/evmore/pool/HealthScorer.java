package io.evmore.pool;

import java.time.Duration;

/**
 * Turns one probe result into a state and a 0-100 score. Pure, so its rules are pinned by unit tests:
 * wrong chain, probe failure, stall or lag beyond {@code maxHeightLag} make an endpoint UNHEALTHY (score 0);
 * otherwise the score loses up to 30 for latency above {@code slowLatency}, up to 40 for the recent call error
 * ratio and up to 20 for lag; 60 or more is HEALTHY, less is DEGRADED.
 */
public final class HealthScorer {
    /** The outcome of scoring. */
    public record Assessment(EndpointState state, int score, String reason) {}

    private final PoolSettings settings;
    private final String expectedChainId;

    public HealthScorer(PoolSettings settings, String expectedChainId) {
        this.settings = settings;
        this.expectedChainId = expectedChainId;
    }

    public boolean rightChain(String chainId) {
        return expectedChainId == null || expectedChainId.equals(chainId);
    }

    public Assessment probeFailed(String why) {
        return new Assessment(EndpointState.UNHEALTHY, 0, "probe failed: " + why);
    }

    /**
     * @param sample          what the endpoint reported
     * @param latency         probe round trip
     * @param bestHeight      highest height any endpoint of the pool reported recently
     * @param stalledFor      how long this endpoint's height has not advanced
     * @param recentErrorRate share of recent calls on this endpoint that failed, 0..1
     */
    public Assessment assess(HealthProbe.Sample sample, Duration latency, long bestHeight, Duration stalledFor,
            double recentErrorRate) {
        if (expectedChainId != null && !expectedChainId.equals(sample.chainId())) {
            return new Assessment(EndpointState.UNHEALTHY, 0,
                    "wrong chain id " + printableChainId(sample.chainId()) + " (expected " + expectedChainId + ")");
        }
        long lag = Math.max(0, bestHeight - sample.height());
        if (lag > settings.maxHeightLag()) {
            return new Assessment(EndpointState.UNHEALTHY, 0, "behind by " + lag + " blocks");
        }
        if (!settings.stallTimeout().isZero() && stalledFor.compareTo(settings.stallTimeout()) >= 0) {
            return new Assessment(EndpointState.UNHEALTHY, 0,
                    "height " + sample.height() + " not advancing for " + stalledFor.toSeconds() + "s");
        }
        int score = 100;
        StringBuilder reason = new StringBuilder();
        if (latency.compareTo(settings.slowLatency()) > 0) {
            // Twice the threshold or more costs the full 30 points.
            double over = (double) (latency.toMillis() - settings.slowLatency().toMillis()) / settings.slowLatency().toMillis();
            int penalty = (int) Math.round(Math.min(1.0, over) * 20) + 10;
            score -= penalty;
            reason.append("slow (").append(latency.toMillis()).append(" ms) ");
        }
        double errors = Math.max(0, Math.min(1, recentErrorRate));
        if (errors > 0) {
            score -= (int) Math.round(errors * 40);
            reason.append("errors ").append(Math.round(errors * 100)).append("% ");
        }
        if (lag > 0 && settings.maxHeightLag() > 0) {
            score -= (int) Math.round(20.0 * lag / settings.maxHeightLag());
            reason.append("behind by ").append(lag).append(' ');
        }
        score = Math.max(1, score);
        EndpointState state = score >= 60 ? EndpointState.HEALTHY : EndpointState.DEGRADED;
        return new Assessment(state, score, reason.isEmpty() ? "ok" : reason.toString().trim());
    }

    /**
     * The chain id a node reported, fit for logs and the admin API: it comes from the node, so anything that is
     * not a plain chain id is shown only by its length (no forged log lines, no unbounded text).
     */
    static String printableChainId(String id) {
        if (id == null) return "null";
        return id.matches("[A-Za-z0-9._:/-]{1,64}") ? id : "<" + id.length() + " chars, not a chain id>";
    }
}

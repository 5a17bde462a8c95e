package io.evmore.pool;

/** Asks one endpoint which chain it serves and how high it is. The pool measures the latency itself. */
@FunctionalInterface
public interface HealthProbe<C> {

    /** What an endpoint reported. */
    record Sample(String chainId, long height) {
        public Sample {
            if (chainId == null || chainId.isBlank()) throw new IllegalArgumentException("probe sample has no chain id");
            if (height < 0) throw new IllegalArgumentException("probe sample height must be >= 0, got " + height);
        }
    }

    Sample probe(C connection) throws Exception;
}

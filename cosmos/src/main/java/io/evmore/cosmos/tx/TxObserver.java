package io.evmore.cosmos.tx;

/**
 * Told about a signed transaction right before it is broadcast, so the caller can persist its intent (hash and
 * sequence) first and, after a crash, reconcile by hash instead of sending again. If it throws, nothing is
 * broadcast.
 */
@FunctionalInterface
public interface TxObserver {
    TxObserver NONE = (hash, sequence) -> { };

    void beforeBroadcast(String txHash, long sequence);
}

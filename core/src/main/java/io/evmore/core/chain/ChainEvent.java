package io.evmore.core.chain;

import io.evmore.core.swap.Secret;

/** What a chain follower reports, already validated and decoded into chain-neutral form. */
public sealed interface ChainEvent {

    /** Where an event was found: chain, block, transaction and position in it (log index / event index). */
    record Origin(ChainId chain, long height, String blockHash, String txHash, int index) {}

    Origin origin();

    /**
     * Someone created an HTLC.
     *
     * @param contract the contract that emitted it (0x address / bech32). A follower may report locks for the
     *                 relayer found on other contracts; the engine refuses those.
     */
    record HtlcLocked(Origin origin, HtlcRecord htlc, String contract) implements ChainEvent {
        public HtlcLocked {
            if (contract == null || contract.isBlank()) throw new IllegalArgumentException("HtlcLocked without its contract");
        }
    }

    /** An HTLC was claimed; the preimage is now public. */
    record HtlcClaimed(Origin origin, String htlcId, Secret secret) implements ChainEvent {}

    /** An HTLC was refunded to its sender. */
    record HtlcRefunded(Origin origin, String htlcId) implements ChainEvent {}

    /** An ICS-20 transfer the relayer sent was acknowledged with success. */
    record TransferAcknowledged(Origin origin, String sourceChannel, long sequence) implements ChainEvent {}

    /** An ICS-20 transfer the relayer sent failed: error acknowledgement or timeout; funds returned. */
    record TransferFailed(Origin origin, String sourceChannel, long sequence, String reason) implements ChainEvent {}
}
